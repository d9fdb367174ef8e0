"""Trainer pages: the marking queue for 简答 answers (anonymised) and regrading a question."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import DomainError
from ..extensions import db
from ..models import Question
from ..policy import get_or_404
from ..web import act
from . import marking
from .manage_routes import _exam, bp


@bp.route("/<int:exam_id>/marking")
def marking_queue(exam_id: int):
    exam = _exam(exam_id)
    return render_template("exam/marking.html", exam=exam, queue=marking.marking_queue(exam))


@bp.route("/<int:exam_id>/marking/<int:aq_id>", methods=["POST"])
def mark(exam_id: int, aq_id: int):
    try:
        score = float(request.form.get("score", ""))
    except ValueError:
        flash("请填写得分（数字）。", "danger")
        return redirect(url_for("exam_manage.marking_queue", exam_id=exam_id))
    ok, _ = act(lambda: marking.mark(current_user, aq_id, score, request.form.get("comment", ""),
                                          exam_id=exam_id))
    if ok:
        flash("已评分。", "success")
    return redirect(url_for("exam_manage.marking_queue", exam_id=exam_id))


@bp.route("/attempts/<int:attempt_id>/reopen", methods=["POST"])
def reopen(attempt_id: int):
    from ..models import Attempt
    from .attempts import reopen as reopen_attempt

    attempt = get_or_404(Attempt, attempt_id, message="答卷不存在。")
    ok, _ = act(lambda: reopen_attempt(current_user, attempt, request.form.get("minutes", 20, type=int)))
    if ok:
        flash(f"已重新开放 {attempt.user.name} 的答卷，可继续作答。", "success")
    return redirect(url_for("exam_manage.exam", exam_id=attempt.exam_id))


@bp.route("/regrade/<int:question_id>", methods=["GET", "POST"])
def regrade(question_id: int):
    question = get_or_404(Question, question_id, message="试题不存在。")
    apply = request.method == "POST"
    try:
        changes = marking.regrade(current_user, question, apply=apply)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("bank.question", question_id=question.id))
    rows = [(c.attempt.user.name, c.attempt.exam.title, c.old_score, c.new_score, c.old_passed, c.new_passed)
            for c in changes]
    if apply:
        db.session.commit()
        flash(f"已按第 {question.current_version.number} 版的答案重新判分，{len(rows)} 份答卷的成绩有变化。", "success")
    else:
        db.session.rollback()  # a dry run writes nothing
    return render_template("exam/regrade.html", question=question, rows=rows, applied=apply)
