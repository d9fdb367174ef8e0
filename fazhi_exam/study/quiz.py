"""A material's optional check quiz: a few objective questions drawn from a bank; passing it (with
the minutes reached) completes the material."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import clock
from ..bank.types import REGISTRY
from ..errors import Conflict, ValidationError
from ..exam.holdback import PAUSED_MESSAGE, held_back
from ..extensions import db
from ..models import Question, QuestionVersion, StudyMaterial, StudyTime, User
from .materials import check_complete

QUIZ_TYPES = ("single", "multiple", "judge")


def _quiz_questions(user: User, material: StudyMaterial):
    """The bank's published objective questions this learner may be told right or wrong on now: a
    verdict is a key (four tries at a single choice), so the exam hold-back applies here too."""
    held = held_back(user)
    if held.paused:
        raise Conflict(PAUSED_MESSAGE.replace("练习", "小测"))
    return select(Question.id).where(Question.bank_id == material.quiz_bank_id, Question.status == "published",
                                     Question.needs_review.is_(False), Question.type.in_(QUIZ_TYPES),
                                     ~held.condition(Question.id))


def draw(user: User, material: StudyMaterial, rng: random.Random | None = None) -> list[QuestionVersion]:
    ids = list(db.session.scalars(_quiz_questions(user, material)))
    chosen = (rng or random).sample(ids, min(material.quiz_count, len(ids)))
    return list(db.session.scalars(select(QuestionVersion).join(
        Question, Question.current_version_id == QuestionVersion.id).where(Question.id.in_(chosen))))


@dataclass
class QuizResult:
    right: int
    total: int
    passed: bool


def grade(user: User, material: StudyMaterial, answers: dict[int, Any]) -> QuizResult:
    """answers: {version_id: response in the question's own letters}. Records a pass."""
    if not material.quiz_count:
        raise ValidationError("这份资料没有小测。")
    # Only the current version of a question the quiz could have drawn for this learner now.
    versions = list(db.session.scalars(
        select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
        .where(QuestionVersion.id.in_(list(answers)), Question.id.in_(_quiz_questions(user, material)))))
    if len(versions) != material.quiz_count or any(v.type not in QUIZ_TYPES for v in versions):
        raise ValidationError("小测的题目不完整，请重新开始。")
    right = sum(1 for v in versions if answers[v.id] is not None
                and REGISTRY[v.type].grade(v.answer, answers[v.id], 1.0, stem=v.stem) >= 1.0)
    passed = right >= material.quiz_pass
    if passed:
        row = db.session.get(StudyTime, (user.id, material.id))
        if row is None:
            row = StudyTime(user_id=user.id, material_id=material.id, seconds=0)
            db.session.add(row)
        row.quiz_passed_at = clock.now()
        check_complete(user, material, row)
        db.session.flush()
    return QuizResult(right, len(versions), passed)
