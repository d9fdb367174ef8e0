"""Exams, their paper rules and audience; attempts, the paper each attempt drew, and answers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .bank import Bank, Law, QuestionVersion
from .org import Cohort, OrgUnit
from .types import UTCDateTime
from .user import User

EXAM_KINDS = {"formal": "正式考试", "mock": "模拟考试", "makeup": "补考", "practice": "练习"}
EXAM_STATUSES = {"draft": "草稿", "published": "已发布", "closed": "已结束"}
ATTEMPT_STATUSES = {"in_progress": "答题中", "submitted": "待阅卷", "graded": "已评分"}

exam_cohorts = Table(
    "exam_cohorts", db.metadata,
    Column("exam_id", ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
)
exam_units = Table(
    "exam_units", db.metadata,
    Column("exam_id", ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True),
    Column("org_unit_id", ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True),
)


class Exam(db.Model):
    __tablename__ = "exams"
    __table_args__ = (
        CheckConstraint("kind IN ('formal', 'mock', 'makeup', 'practice')", name="kind"),
        CheckConstraint("status IN ('draft', 'published', 'closed')", name="status"),
        CheckConstraint("score_policy IN ('best', 'last')", name="score_policy"),
        CheckConstraint("multiple_policy IN ('all_or_nothing', 'partial', 'partial_half')", name="multiple_policy"),
        CheckConstraint("show_score IN ('immediately', 'after_close')", name="show_score"),
        CheckConstraint("show_answers IN ('after_submit', 'after_close', 'never')", name="show_answers"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("duration_minutes > 0 AND max_attempts > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="formal")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=60)
    max_attempts: Mapped[int] = mapped_column(default=1)
    score_policy: Mapped[str] = mapped_column(String(10), default="best")
    pass_score: Mapped[float] = mapped_column(default=60.0)
    multiple_policy: Mapped[str] = mapped_column(String(20), default="all_or_nothing")
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    show_score: Mapped[str] = mapped_column(String(20), default="immediately")
    show_answers: Mapped[str] = mapped_column(String(20), default="after_submit")
    # Leaving the page this many times submits the attempt; None: only counted.
    leave_limit: Mapped[int | None]
    makeup_of_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id"))
    # For a formal exam: do results of its 补考 count in its figures?
    count_makeup: Mapped[bool] = mapped_column(default=True)
    # Questions flagged 待复核 (a law they cite changed) are drawn only by this explicit, audited choice.
    include_flagged: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    cohorts: Mapped[list[Cohort]] = relationship(secondary=exam_cohorts)
    org_units: Mapped[list[OrgUnit]] = relationship(secondary=exam_units)
    rules: Mapped[list[ExamRule]] = relationship(order_by="ExamRule.position", cascade="all, delete-orphan")
    makeup_of: Mapped[Exam | None] = relationship(remote_side=[id])

    @property
    def kind_label(self) -> str:
        return EXAM_KINDS[self.kind]

    @property
    def total_points(self) -> float:
        return sum(r.count * r.points for r in self.rules)


class ExamRule(db.Model):
    """One line of the paper: `count` questions of a type from a bank (filtered), or fixed ids."""

    __tablename__ = "exam_rules"
    __table_args__ = (CheckConstraint("count > 0 AND points > 0", name="positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id"))
    type: Mapped[str | None] = mapped_column(String(20))
    count: Mapped[int]
    points: Mapped[float]
    tags: Mapped[list] = mapped_column(JSON, default=list)
    law_id: Mapped[int | None] = mapped_column(ForeignKey("laws.id"))
    difficulty_min: Mapped[int] = mapped_column(default=1)
    difficulty_max: Mapped[int] = mapped_column(default=5)
    question_ids: Mapped[list] = mapped_column(JSON, default=list)  # a fixed list instead of a draw

    bank: Mapped[Bank | None] = relationship()
    law: Mapped[Law | None] = relationship()


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("exam_id", "user_id", "number", name="uq_attempts_exam_user_number"),
        CheckConstraint("status IN ('in_progress', 'submitted', 'graded')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="in_progress", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finish_reason: Mapped[str | None] = mapped_column(String(20))  # submitted | expired | left_page
    leave_count: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0)
    passed: Mapped[bool | None]

    exam: Mapped[Exam] = relationship()
    user: Mapped[User] = relationship()
    questions: Mapped[list[AttemptQuestion]] = relationship(order_by="AttemptQuestion.position",
                                                            cascade="all, delete-orphan")


class AttemptQuestion(db.Model):
    """One question of an attempt's paper: the version shown, its points and option order."""

    __tablename__ = "attempt_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "position", name="uq_attempt_questions_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    points: Mapped[float]
    option_order: Mapped[list] = mapped_column(JSON, default=list)  # shown position → original index

    version: Mapped[QuestionVersion] = relationship()
    answer: Mapped[Answer | None] = relationship(uselist=False, cascade="all, delete-orphan")


class Answer(db.Model):
    """The latest saved response to one question of an attempt, as the learner gave it."""

    __tablename__ = "answers"

    attempt_question_id: Mapped[int] = mapped_column(
        ForeignKey("attempt_questions.id", ondelete="CASCADE"), primary_key=True)
    response: Mapped[object] = mapped_column(JSON)
    seq: Mapped[int]
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[float | None]
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str] = mapped_column(String(1000), default="")


class KeptItemAnalysis(db.Model):
    """An ended exam's item analysis, worked out once and kept (stats/item_store.py). `revision` goes
    up with every change to the exam's attempts or answers after it ended, and empties `content`;
    `fingerprint` (attempt counts and score sums) must still match when it is read."""

    __tablename__ = "kept_item_analyses"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)
    fingerprint: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str | None] = mapped_column(db.Text)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
