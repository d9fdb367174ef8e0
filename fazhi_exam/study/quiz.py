"""A material's optional check quiz: a few objective questions drawn from a bank; passing it (with
the minutes reached) completes the material."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import clock
from ..bank.types import REGISTRY
from ..errors import ValidationError
from ..extensions import db
from ..models import Question, QuestionVersion, StudyMaterial, StudyTime, User
from .materials import check_complete

QUIZ_TYPES = ("single", "multiple", "judge")


def draw(material: StudyMaterial, rng: random.Random | None = None) -> list[QuestionVersion]:
    ids = list(db.session.scalars(select(Question.id).where(
        Question.bank_id == material.quiz_bank_id, Question.status == "published", Question.type.in_(QUIZ_TYPES))))
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
    versions = list(db.session.scalars(
        select(QuestionVersion).join(Question, Question.id == QuestionVersion.question_id)
        .where(QuestionVersion.id.in_(list(answers)), Question.bank_id == material.quiz_bank_id)))
    if len(versions) != material.quiz_count or any(v.type not in QUIZ_TYPES for v in versions):
        raise ValidationError("小测的题目不完整，请重新开始。")
    right = sum(1 for v in versions
                if answers[v.id] is not None and REGISTRY[v.type].grade(v.answer, answers[v.id], 1.0) >= 1.0)
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
