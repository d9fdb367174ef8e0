"""Scoring an attempt from its saved answers: objective types by the type registry and the
exam's 多选 policy; 简答 waits for a trainer. The key used is the version the examinee saw."""
from __future__ import annotations

from ..bank.types import REGISTRY
from ..models import Attempt, AttemptQuestion


def grade_question(aq: AttemptQuestion, multiple_policy: str) -> float | None:
    """Points for one answered question; None when a trainer must grade it."""
    version = aq.version
    qtype = REGISTRY[version.type]
    response = aq.answer.response if aq.answer is not None else None
    if not qtype.auto_graded:
        if response is None or not str(response).strip():
            return 0.0  # nothing to grade
        return aq.answer.score  # set by the trainer, or still None
    if response is None:
        return 0.0
    original = qtype.to_original(response, aq.option_order)
    return qtype.grade(version.answer, original, aq.points, policy=multiple_policy, stem=version.stem)


def grade_attempt(attempt: Attempt) -> None:
    """Score every answer; the attempt is graded when nothing waits for a trainer."""
    total, pending = 0.0, False
    for aq in attempt.questions:
        points = grade_question(aq, attempt.exam.multiple_policy)
        if aq.answer is not None and REGISTRY[aq.version.type].auto_graded:
            aq.answer.score = points
        if points is None:
            pending = True
        else:
            total += points
    attempt.score = round(total, 2)
    if pending:
        attempt.status, attempt.passed = "submitted", None
    else:
        attempt.status = "graded"
        attempt.passed = attempt.score >= attempt.exam.pass_score
