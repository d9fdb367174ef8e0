"""Sitting exams with known results, for the statistics tests."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from fazhi_exam import clock
from fazhi_exam.exam.attempts import finish, start_or_resume
from fazhi_exam.exam.demo import _respond
from fazhi_exam.extensions import db
from fazhi_exam.models import Answer, Exam, User


@pytest.fixture
def sit(app):
    """sit(user_id, exam_id, right=n): answer the first n questions right, the rest wrong, submit.
    Returns the attempt's score."""

    def do(user_id: int, exam_id: int, right: int | None = None, *, finish_attempt: bool = True) -> float:
        with app.app_context():
            exam = db.session.get(Exam, exam_id)
            clock.freeze(exam.opens_at + timedelta(minutes=1))
            attempt, _ = start_or_resume(db.session.get(User, user_id), exam)
            rng = random.Random(user_id)
            for seq, aq in enumerate(attempt.questions, 1):
                good = right is None or seq <= right
                aq.answer = Answer(response=_respond(aq, good, rng), seq=seq, saved_at=clock.now())
            db.session.flush()
            if finish_attempt:
                finish(attempt, "submitted", clock.now() + timedelta(minutes=10))
            db.session.commit()
            return attempt.score

    return do
