"""Practice answers and the 错题本 (wrong-answer book) of each learner."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .bank import Question
from .types import UTCDateTime


class PracticeAnswer(db.Model):
    __tablename__ = "practice_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    correct: Mapped[bool]
    source: Mapped[str] = mapped_column(String(20), default="practice")  # practice | wrong_book
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WrongBookEntry(db.Model):
    """A question the learner got wrong; it leaves the book after two right answers in a row."""

    __tablename__ = "wrong_book"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    wrong_count: Mapped[int] = mapped_column(default=0)
    right_streak: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    last_wrong_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # How the last wrong answer was seen and given: the option order shown (shown position → original
    # index; [] = the bank's order) and the response in the letters shown, so the 错题本 can show the
    # options as the learner saw them, with the same letters as the review.
    option_order: Mapped[list] = mapped_column(JSON, default=list)
    response: Mapped[object | None] = mapped_column(JSON)

    question: Mapped[Question] = relationship()
