"""Exam API (DESIGN §6): my exams, start/resume, save one answer, submit, an attempt, events."""
from __future__ import annotations

from flask import session
from flask_login import current_user

from ..errors import ValidationError, error_response
from ..exam import attempts, autosave, views
from ..extensions import csrf, db, login_manager
from ..verified import check_csrf_header
from . import bp, json_body


@bp.route("/me/exams", methods=["GET"])
def my_exams():
    return {"exams": views.my_exams(current_user)}


@bp.route("/exams/<int:exam_id>/attempts", methods=["POST"])
def start_attempt(exam_id: int):
    attempt, started = attempts.start_exam(current_user, exam_id)
    paper = views.paper_json(attempt)  # before the commit, which would expire what is loaded
    db.session.commit()
    return paper, 201 if started else 200


@bp.route("/attempts/<int:attempt_id>/answers/<int:question_id>", methods=["PUT"])
@csrf.exempt  # checked first thing below, remembering tokens that verified (verified.check_csrf_header)
def save_answer(attempt_id: int, question_id: int):
    """Autosave. The usual case is one guarded statement that also authenticates (no user is loaded;
    exam.autosave). Anything else goes through the full login check and save_answer's refusals."""
    check_csrf_header()
    data = json_body()
    if "response" not in data or "seq" not in data:
        raise ValidationError("请提供 response 和 seq。", code="bad_request", status=400)
    result = autosave.save_in_session(session.get("_user_id"), attempt_id, question_id, data["response"], data["seq"])
    if result is None:  # (when not None it is committed already)
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password:
            return error_response(403, "password_change_required", "请先修改初始密码。")
        result = _save_checked(attempt_id, question_id, data)
        db.session.commit()  # acknowledged only once it is committed
    return {"saved": True, "seq": result.seq, "remaining_seconds": result.remaining_seconds}


def _save_checked(attempt_id: int, question_id: int, data: dict) -> attempts.SaveResult:
    try:
        return attempts.save_answer(current_user, attempt_id, question_id, data["response"], data["seq"])
    except attempts.AttemptClosed:
        db.session.commit()  # keep the auto-submission a late save may have triggered
        raise


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
def submit(attempt_id: int):
    attempt = attempts.submit(current_user, attempt_id)
    db.session.commit()
    return views.attempt_json(attempt)


@bp.route("/attempts/<int:attempt_id>", methods=["GET"])
def get_attempt(attempt_id: int):
    attempt = attempts.own_attempt(current_user, attempt_id, with_paper=True)
    return views.attempt_json(attempt)


@bp.route("/attempts/<int:attempt_id>/events", methods=["POST"])
def attempt_event(attempt_id: int):
    """The page reports leaving it (tab hidden); past the exam's limit the attempt is submitted."""
    if json_body().get("type") != "leave":
        raise ValidationError("未知的事件。", code="bad_request", status=400)
    attempt = attempts.record_leave(current_user, attempt_id)
    db.session.commit()
    return {"status": attempt.status, "leave_count": attempt.leave_count, "leave_limit": attempt.exam.leave_limit}
