"""Plans and sessions: creating them, who each session is for, and a learner's own plan."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import audit, clock
from ..accounts.roster import members_on
from ..accounts.scope import in_groups_on
from ..audience_dates import beijing_day, session_day
from ..closed_years import check_open, session_year
from ..errors import ValidationError
from ..extensions import db
from ..models import Attendance, Cohort, OrgUnit, StudyPlan, StudySession, User

CODE_ALPHABET = "23456789"  # digits only: easy to read off a screen and type on a phone


def get_or_create_plan(actor: User | None, year: int, title: str) -> StudyPlan:
    title = (title or "").strip()
    if not title:
        raise ValidationError("学法计划名称不能为空。")
    if not 2000 <= year <= 2100:
        raise ValidationError("年份不正确。")
    plan = db.session.scalar(select(StudyPlan).where(StudyPlan.year == year, StudyPlan.title == title))
    if plan is None:
        plan = StudyPlan(year=year, title=title[:200], created_at=clock.now())
        db.session.add(plan)
        db.session.flush()
        audit.record("study_plan_saved", actor=actor, target=title, details={"id": plan.id, "year": year})
    return plan


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if db.session.scalar(select(StudySession.id).where(StudySession.signin_code == code)) is None:
            return code


@dataclass
class SessionFields:
    starts_at: datetime
    ends_at: datetime
    topic: str
    laws: str = ""
    speaker: str = ""
    place: str = ""
    required: bool = True
    cohorts: list[Cohort] | None = None
    org_units: list[OrgUnit] | None = None


def _check(f: SessionFields) -> None:
    if not (f.topic or "").strip():
        raise ValidationError("学习主题不能为空。")
    if f.ends_at <= f.starts_at:
        raise ValidationError("结束时间应晚于开始时间。")


def _apply(session: StudySession, f: SessionFields) -> None:
    session.starts_at, session.ends_at, session.topic = f.starts_at, f.ends_at, f.topic.strip()[:200]
    session.laws, session.speaker = (f.laws or "")[:300], (f.speaker or "")[:100]
    session.place, session.required = (f.place or "")[:200], f.required
    session.cohorts, session.org_units = list(f.cohorts or []), list(f.org_units or [])


def add_session(actor: User | None, plan: StudyPlan, f: SessionFields) -> StudySession:
    _check(f)
    check_open(beijing_day(f.starts_at).year, "在该年度新增集中学法")
    session = StudySession(plan=plan, signin_code=new_code())
    _apply(session, f)
    db.session.add(session)
    db.session.flush()
    audit.record("study_session_saved", actor=actor, target=session.topic, details={"id": session.id})
    return session


def update_session(actor: User | None, session: StudySession, f: SessionFields) -> StudySession:
    """Edit a session; its sign-in code and attendance stay."""
    _check(f)
    for year in {session_year(session), beijing_day(f.starts_at).year}:
        check_open(year, "修改该年度的集中学法")
    _apply(session, f)
    db.session.flush()
    audit.record("study_session_saved", actor=actor, target=session.topic, details={"id": session.id, "edit": True})
    return session


def for_user(session: StudySession, user: User) -> bool:
    """Is the user expected at this session: in its cohorts and units on its day (empty: everyone
    on the roster that day)?"""
    return in_groups_on(user, session_day(session), session.cohorts, session.org_units)


def expected_users(session: StudySession) -> list[User]:
    """The session's audience on its day (roll call, reminders), one query."""
    on_roster = members_on(session_day(session), [c.id for c in session.cohorts],
                           [u.path for u in session.org_units])
    return list(db.session.scalars(select(User).where(User.id.in_(on_roster))
                                   .order_by(User.org_unit_id, User.id)))


@dataclass
class MyPlanRow:
    session: StudySession
    status: str | None  # present / leave / absent / makeup, or None when nothing recorded
    state: str  # upcoming / open / attended / missed / excused


def my_plan(user: User, year: int) -> list[MyPlanRow]:
    now = clock.now()
    sessions = db.session.scalars(select(StudySession).join(StudyPlan).where(StudyPlan.year == year)
                                  .order_by(StudySession.starts_at))
    marks = dict(db.session.execute(select(Attendance.session_id, Attendance.status)
                                    .where(Attendance.user_id == user.id)).all())
    rows = []
    for s in sessions:
        if not for_user(s, user):
            continue
        status = marks.get(s.id)
        if status in ("present", "makeup"):
            state = "attended"
        elif status == "leave":
            state = "excused"
        elif now < s.starts_at:
            state = "upcoming"
        elif now <= s.ends_at:
            state = "open"
        else:
            state = "missed"
        rows.append(MyPlanRow(s, status, state))
    return rows
