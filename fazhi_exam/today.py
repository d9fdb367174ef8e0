"""What a learner should do now, for the home page: the exam open now (start or continue), today's
集中学法 with its sign-in, online study due (with the days left), and the last result."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from . import clock
from .clock import BEIJING
from .extensions import db
from .models import Attempt, Exam, User


@dataclass
class Today:
    exams: list[dict] = field(default_factory=list)  # open or in progress (exam.views.my_exams rows)
    sessions: list = field(default_factory=list)  # today's sessions (study.plans.MyPlanRow), open or upcoming
    due: list[tuple] = field(default_factory=list)  # (Progress, days left or None), not complete
    last: Attempt | None = None  # the last finished attempt whose score may be shown

    @property
    def anything(self) -> bool:
        return bool(self.exams or self.sessions or self.due)


def today(user: User) -> Today:
    from .exam.views import my_exams, score_visible
    from .study.plans import my_plan
    from .study.programmes import my_programmes

    now = clock.now()
    local = now.astimezone(BEIJING)
    out = Today(exams=[e for e in my_exams(user) if e["state"] in ("in_progress", "open")])
    out.sessions = [row for row in my_plan(user, local.year)  # under way now, or later today
                    if row.state == "open" or (row.state == "upcoming"
                                               and row.session.starts_at.astimezone(BEIJING).date() == local.date())]
    for p in my_programmes(user):
        if p.complete or p.programme.year != local.year:
            continue
        closes = p.programme.closes_at
        if closes is not None and closes < now:
            continue
        days = (closes.astimezone(BEIJING).date() - local.date()).days if closes else None
        out.due.append((p, days))
    recent = db.session.scalars(select(Attempt).join(Exam).where(
        Attempt.user_id == user.id, Attempt.status.in_(("submitted", "graded")), Exam.kind != "practice",
        Attempt.finished_at >= now - timedelta(days=365)).order_by(Attempt.finished_at.desc()).limit(5))
    out.last = next((a for a in recent if score_visible(a, now)), None)
    return out
