"""What a learner may see of an exam and an attempt: the paper without keys while it runs, the
score and the review only when the exam's policy allows."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..bank.types import REGISTRY
from ..extensions import db
from ..models import Attempt, Exam, Exemption, User
from .attempts import current_attempt, remaining_seconds, why_not_start
from .audience import in_audience


def score_visible(attempt: Attempt, now: datetime | None = None) -> bool:
    if attempt.status != "graded":
        return False
    return attempt.exam.show_score == "immediately" or (now or clock.now()) >= attempt.exam.closes_at


def review_visible(attempt: Attempt, now: datetime | None = None) -> bool:
    policy = attempt.exam.show_answers
    if attempt.status == "in_progress" or policy == "never":
        return False
    return policy == "after_submit" or (now or clock.now()) >= attempt.exam.closes_at


def last_seq(attempt: Attempt) -> int:
    """The highest sequence number saved, so another device continues above it."""
    return max((aq.answer.seq for aq in attempt.questions if aq.answer is not None), default=0)


def paper_json(attempt: Attempt) -> dict:
    """The running paper: never a key, an explanation or a basis."""
    questions, saved = [], {}
    for aq in attempt.questions:
        v = aq.version
        view = REGISTRY[v.type].learner_view(v.stem, v.options or [], aq.option_order or None)
        questions.append({"id": aq.question_id, "position": aq.position, "points": aq.points, **view})
        if aq.answer is not None:
            saved[str(aq.question_id)] = {"response": aq.answer.response, "seq": aq.answer.seq}
    return {"attempt_id": attempt.id, "exam_id": attempt.exam_id, "title": attempt.exam.title,
            "status": attempt.status, "deadline": attempt.deadline.isoformat(),
            "remaining_seconds": remaining_seconds(attempt), "last_seq": last_seq(attempt),
            "leave_limit": attempt.exam.leave_limit, "questions": questions, "answers": saved}


def shown_key(aq) -> object:
    """The key in the letters the learner saw (options may have been shuffled)."""
    v = aq.version
    if v.type not in ("single", "multiple") or not aq.option_order:
        return v.answer
    shown = {orig: i for i, orig in enumerate(aq.option_order)}
    letters = sorted("ABCDEFGH"[shown["ABCDEFGH".index(c)]] for c in v.answer)
    return letters[0] if v.type == "single" else letters


def _with_feedback(item: dict, feedback: list[str], order: list[int]) -> None:
    """Each option's own feedback (in the order shown), or a 判断's feedback as [对, 错]."""
    if not any(feedback):
        return
    if item.get("options"):
        for shown, option in enumerate(item["options"]):
            original = order[shown] if order else shown
            option["feedback"] = feedback[original] if original < len(feedback) else ""
    elif item.get("type") == "judge":
        item["judge_feedback"] = [("对", feedback[0]), ("错", feedback[1] if len(feedback) > 1 else "")]


def attempt_json(attempt: Attempt) -> dict:
    now = clock.now()
    data = {"attempt_id": attempt.id, "exam_id": attempt.exam_id, "status": attempt.status,
            "is_makeup": attempt.exam.kind == "makeup", "started_at": attempt.started_at.isoformat(),
            "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
            "finish_reason": attempt.finish_reason}
    if attempt.status == "in_progress":
        data["remaining_seconds"] = remaining_seconds(attempt, now)
    if score_visible(attempt, now):
        data.update(score=attempt.score, max_score=attempt.max_score, passed=attempt.passed,
                    pass_score=attempt.exam.pass_score)
    if review_visible(attempt, now):
        review = []
        for aq in attempt.questions:
            v = aq.version
            item = {"id": aq.question_id, "position": aq.position, "points": aq.points,
                    **REGISTRY[v.type].learner_view(v.stem, v.options or [], aq.option_order or None),
                    "response": aq.answer.response if aq.answer else None,
                    "score": aq.answer.score if aq.answer else 0.0,
                    "key": shown_key(aq), "explanation": v.explanation, "basis": v.basis}
            if v.type == "essay":
                item["comment"] = aq.answer.comment if aq.answer else ""
            _with_feedback(item, v.option_feedback or [], aq.option_order or [])
            review.append(item)
        data["review"] = review
    return data


def my_exams(user: User) -> list[dict]:
    """Published exams for this user (open, upcoming or finished), with my status and counted score.
    Excused (免考) with no attempt: state "excused" instead of 缺考 / 可以参加, with the reason."""
    now = clock.now()
    excused = dict(db.session.execute(select(Exemption.exam_id, Exemption.reason).where(
        Exemption.user_id == user.id, Exemption.kind == "exam", Exemption.revoked_at.is_(None))).all())
    rows = []
    for exam in db.session.scalars(select(Exam).where(Exam.status.in_(["published", "closed"]),
                                                      Exam.kind != "practice").order_by(Exam.opens_at.desc())):
        attempts = list(db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id,
                                                                 Attempt.user_id == user.id)
                                           .order_by(Attempt.number)))
        if not attempts and not in_audience(user, exam):
            continue
        running = current_attempt(user, exam)
        visible = [a for a in attempts if score_visible(a, now)]
        counted = None
        if visible:
            counted = max(visible, key=lambda a: a.score) if exam.score_policy == "best" else visible[-1]
        if running is not None:
            state = "in_progress"
        elif exam.id in excused and not attempts:
            state = "excused"
        elif why_not_start(user, exam, now) is None:
            state = "open"
        elif now < exam.opens_at and exam.status == "published":
            state = "upcoming"
        else:
            state = "finished" if attempts else "missed" if now >= exam.closes_at else "unavailable"
        rows.append({"exam_id": exam.id, "title": exam.title, "kind": exam.kind, "opens_at": exam.opens_at.isoformat(),
                     "closes_at": exam.closes_at.isoformat(), "duration_minutes": exam.duration_minutes,
                     "pass_score": exam.pass_score, "total_points": exam.total_points, "state": state,
                     "attempts_used": len(attempts), "max_attempts": exam.max_attempts,
                     "attempt_id": running.id if running else (attempts[-1].id if attempts else None),
                     "best_score": counted.score if counted else None,
                     "passed": counted.passed if counted else None,
                     "excused_reason": excused.get(exam.id) if state == "excused" else None})
    return rows
