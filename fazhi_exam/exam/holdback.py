"""Which questions must not show this learner a key, an explanation or a basis now (DESIGN §3a, §4):
practice, 练错题 and the 错题本 ask here first. Review itself stays with views.review_visible."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from ..extensions import db
from ..models import Attempt, AttemptQuestion, Exam, User
from .audience import in_audience

PAUSED_MESSAGE = "考试进行中，练习暂停；交卷后再来练习。"
HELD_MESSAGE = "考试结束、公布答案后可查看"


@dataclass(frozen=True)
class HeldBack:
    """paused: an exam attempt is running, so practice shows nothing at all. Otherwise the held
    questions are those of attempt_ids (running, or finished with review not yet allowed) and
    question_ids (fixed papers the learner may still sit)."""

    paused: bool = False
    attempt_ids: frozenset[int] = field(default_factory=frozenset)
    question_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def anything(self) -> bool:
        return self.paused or bool(self.attempt_ids or self.question_ids)

    def condition(self, question_id: ColumnElement[int]) -> ColumnElement[bool]:
        """SQL: the question with this id is held back. Attempts go in by id (a few), their
        questions by subquery, so a long exam history never makes a long IN list."""
        if self.paused:
            return true()
        clauses: list[ColumnElement[bool]] = []
        if self.attempt_ids:
            clauses.append(question_id.in_(select(AttemptQuestion.question_id)
                                           .where(AttemptQuestion.attempt_id.in_(sorted(self.attempt_ids)))))
        if self.question_ids:
            clauses.append(question_id.in_(sorted(self.question_ids)))
        return or_(*clauses) if clauses else false()

    def holds(self, question_id: int) -> bool:
        if self.paused or question_id in self.question_ids:
            return True
        if not self.attempt_ids:
            return False
        return db.session.scalar(select(AttemptQuestion.id).where(
            AttemptQuestion.question_id == question_id,
            AttemptQuestion.attempt_id.in_(sorted(self.attempt_ids))).limit(1)) is not None


def held_back(user: User, now: datetime | None = None) -> HeldBack:
    # Imported here: views imports attempts, which imports practice, which imports this module.
    from .attempts import grace
    from .views import review_visible

    now = now or clock.now()
    attempts = list(db.session.scalars(select(Attempt).options(joinedload(Attempt.exam))
                                       .where(Attempt.user_id == user.id)))
    paused = any(a.status == "in_progress" and a.exam.kind != "practice" and now <= a.deadline + grace()
                 for a in attempts)
    if paused:
        return HeldBack(paused=True)
    # A running attempt (even one past its deadline, not yet closed) never shows its keys;
    # a finished one only once the exam's review policy allows it.
    held_attempts = frozenset(a.id for a in attempts if not review_visible(a, now))
    finished_exams = {a.exam_id for a in attempts if a.status != "in_progress"}
    fixed: set[int] = set()
    # Drafts too: a fixed paper is known from the moment a trainer composes it.
    upcoming = db.session.scalars(select(Exam).options(selectinload(Exam.rules))
                                  .where(Exam.status.in_(("draft", "published")), Exam.closes_at > now))
    for exam in upcoming:
        ids = {int(i) for rule in exam.rules for i in (rule.question_ids or [])}
        # Its questions stay out of practice for everyone who may still sit it. Once they have
        # finished an attempt, its review policy decides (above).
        if ids and exam.id not in finished_exams and in_audience(user, exam):
            fixed |= ids
    return HeldBack(attempt_ids=held_attempts, question_ids=frozenset(fixed))
