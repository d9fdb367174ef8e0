"""The trainer's marking of 简答/案例分析 answers (anonymised), and regrading after a key is
corrected: a dry run lists whose scores change, then the change is applied and audited."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import audit
from ..bank.types import REGISTRY
from ..closed_years import check_open, exam_year
from ..errors import NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Answer, Attempt, AttemptQuestion, Exam, Question, QuestionVersion, User
from .grading import grade_attempt


def marking_queue(exam: Exam) -> list[AttemptQuestion]:
    """Essay answers of finished attempts that wait for a mark, oldest first."""
    return list(db.session.scalars(
        select(AttemptQuestion).join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .join(Answer, Answer.attempt_question_id == AttemptQuestion.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.version_id)
        .where(Attempt.exam_id == exam.id, Attempt.status == "submitted", QuestionVersion.type == "essay",
               Answer.score.is_(None))
        .order_by(Attempt.finished_at, AttemptQuestion.position)))


def mark(actor: User, attempt_question_id: int, score: float, comment: str = "", *,
         exam_id: int | None = None) -> Attempt:
    aq = db.session.get(AttemptQuestion, attempt_question_id)
    if aq is None or aq.answer is None:
        raise NotFound("答案不存在。")
    attempt = db.session.get(Attempt, aq.attempt_id)
    if exam_id is not None and attempt.exam_id != exam_id:  # the page's exam, not any answer by id
        raise NotFound("答案不存在。")
    if attempt.user_id == actor.id:
        raise PermissionDenied("不能为自己的答卷评分。")
    if attempt.status == "in_progress":
        raise ValidationError("答卷尚未交卷。")
    if not 0 <= score <= aq.points:
        raise ValidationError(f"得分应在 0–{aq.points:g} 之间。")
    check_open(exam_year(attempt.exam), "为该年度考试的答卷评分")
    old = aq.answer.score
    aq.answer.score, aq.answer.comment = round(score, 2), (comment or "")[:1000]
    aq.answer.graded_by_id = actor.id
    grade_attempt(attempt)
    db.session.flush()
    audit.record("manual_graded", actor=actor, target=attempt.exam.title, details={
        "attempt": attempt.id, "question": aq.question_id, "old": old, "new": aq.answer.score,
        "attempt_status": attempt.status})
    return attempt


@dataclass
class RegradeChange:
    attempt: Attempt
    old_score: float | None
    new_score: float | None
    old_passed: bool | None
    new_passed: bool | None


def regrade(actor: User | None, question: Question, *, apply: bool) -> list[RegradeChange]:
    """Score every finished answer to `question` against its current key. With apply=False
    nothing is written (the caller rolls back); the list says whose scores would change."""
    with db.session.no_autoflush:  # worked out first; the write lock is taken only by the writes
        changes = _regrade_changes(question)
    if apply and changes:
        db.session.flush()
        audit.record("regraded", actor=actor, target=f"试题 #{question.id}", details={
            "version": question.current_version.number,
            "changes": [{"attempt": c.attempt.id, "user": c.attempt.user.username, "old": c.old_score,
                         "new": c.new_score} for c in changes]})
    return changes


def _regrade_changes(question: Question) -> list[RegradeChange]:
    current = question.current_version
    rows = list(db.session.scalars(select(AttemptQuestion).join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
                                   .where(AttemptQuestion.question_id == question.id,
                                          Attempt.status != "in_progress")))
    if current.type == "essay":
        raise ValidationError("简答题由人工评分，无需重新判分。")
    changes, touched = [], {}
    for aq in rows:
        if aq.version.type != current.type or len(aq.version.options or []) != len(current.options or []):
            raise ValidationError("试题的题型或选项个数已改变，不能按新答案重新判分（只能更正答案）。")
        if aq.answer is None:
            continue
        qtype = REGISTRY[current.type]
        attempt = db.session.get(Attempt, aq.attempt_id)
        original = qtype.to_original(aq.answer.response, aq.option_order) if aq.answer.response is not None else None
        new = qtype.grade(current.answer, original, aq.points, policy=attempt.exam.multiple_policy,
                          stem=current.stem) \
            if original is not None else 0.0
        if new != aq.answer.score:
            touched.setdefault(attempt.id, (attempt, attempt.score, attempt.passed))
            aq.answer.score = new
    for year in sorted({exam_year(attempt.exam) for attempt, _, _ in touched.values()}):
        check_open(year, f"重新判分：会改变{year}年考试的成绩")
    for attempt, old_score, old_passed in touched.values():
        _rescore(attempt)
        changes.append(RegradeChange(attempt, old_score, attempt.score, old_passed, attempt.passed))
    return changes


def _rescore(attempt: Attempt) -> None:
    """Sum the stored answer scores (the objective ones were just recomputed)."""
    total, pending = 0.0, False
    for aq in attempt.questions:
        if aq.answer is None:
            continue
        if aq.answer.score is None:
            pending = True
        else:
            total += aq.answer.score
    attempt.score = round(total, 2)
    if not pending and attempt.status != "in_progress":
        attempt.status, attempt.passed = "graded", attempt.score >= attempt.exam.pass_score
