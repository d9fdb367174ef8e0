"""Question banks: laws, banks, questions and their immutable versions."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime

QUESTION_STATUSES = {"draft": "草稿", "published": "已发布", "retired": "已停用"}

question_laws = Table(
    "question_laws",
    db.metadata,
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("law_id", ForeignKey("laws.id", ondelete="CASCADE"), primary_key=True),
)


class Law(db.Model):
    """A law, regulation or policy document that questions cite, with its current version."""

    __tablename__ = "laws"
    __table_args__ = (CheckConstraint("kind IN ('law', 'regulation', 'policy')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # short: 行政处罚法
    title: Mapped[str] = mapped_column(String(200))  # full: 中华人民共和国行政处罚法
    kind: Mapped[str] = mapped_column(String(20), default="law")
    version_date: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Bank(db.Model):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Learners may practise its questions (with keys shown at once); a trainer closes a bank whose
    # questions an exam will use, so that practice does not reveal them.
    practice_open: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Question(db.Model):
    """The identity of a question; what it says lives in its versions."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'retired')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="published", index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, name="fk_questions_current_version"))
    # 待复核: a law it cites got a new version since the question was last saved.
    needs_review: Mapped[bool] = mapped_column(default=False, index=True)
    # Normalised stem + options, to find duplicates within a bank.
    dedupe_key: Mapped[str] = mapped_column(String(64), index=True)
    # Copies of the current version's fields that lists filter on.
    type: Mapped[str] = mapped_column(String(20), index=True)
    difficulty: Mapped[int] = mapped_column(default=3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    bank: Mapped[Bank] = relationship()
    current_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True)
    laws: Mapped[list[Law]] = relationship(secondary=question_laws)
    tags: Mapped[list[QuestionTag]] = relationship(cascade="all, delete-orphan")


class QuestionVersion(db.Model):
    """What a question said at one time. Never changed once written: attempts point here."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number", name="uq_question_versions_number"),
        CheckConstraint("type IN ('single', 'multiple', 'judge', 'fill', 'essay')", name="type"),
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    type: Mapped[str] = mapped_column(String(20))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[object] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int] = mapped_column(default=3)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    grading_points: Mapped[list] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(255), default="")  # a name trainers know it by (Moodle's)
    # Feedback per option, in the question's own letters (判断: [for 对, for 错]); "" where there is none.
    option_feedback: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(255), default="")  # why this version was made
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    question: Mapped[Question] = relationship(foreign_keys=[question_id])


class QuestionTag(db.Model):
    __tablename__ = "question_tags"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)
