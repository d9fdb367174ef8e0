"""Learner pages: my exams, start or resume, the exam page, results and review, my history."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import clock
from ..bank.types import REGISTRY, TYPE_LABELS
from ..extensions import db
from ..models import ATTEMPT_STATUSES, Attempt
from . import attempts, views

bp = Blueprint("exam_pages", __name__)


@bp.route("/exams")
def my_exams():
    return render_template("exam/my_exams.html", exams=views.my_exams(current_user))


@bp.route("/exams/<int:exam_id>/start", methods=["POST"])
def start(exam_id: int):
    attempt, _ = attempts.start_exam(current_user, exam_id)
    db.session.commit()
    return redirect(url_for("exam_pages.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
def attempt(attempt_id: int):
    attempt = attempts.own_attempt(current_user, attempt_id, with_paper=True)
    if attempt.status == "in_progress" and clock.now() > attempt.deadline + attempts.grace():
        # Time ran out while nobody was looking: finish it now, in a write transaction of its own
        # (the locking read takes SQLite's write lock: database.py).
        db.session.commit()
        attempt = attempts.own_attempt(current_user, attempt_id, lock=True)
        attempts.expire_if_due(attempt, clock.now())
        db.session.commit()
    if attempt.status == "in_progress":
        shown = {aq.id: REGISTRY[aq.version.type].learner_view(aq.version.stem, aq.version.options or [],
                                                                aq.option_order or None)
                 for aq in attempt.questions}
        return render_template("exam/take.html", attempt=attempt, views=shown, TYPE_LABELS=TYPE_LABELS,
                               remaining=attempts.remaining_seconds(attempt), last_seq=views.last_seq(attempt))
    return render_template("exam/result.html", attempt=attempt, data=views.attempt_json(attempt),
                           TYPE_LABELS=TYPE_LABELS, only_wrong=request.args.get("only") == "wrong")


@bp.route("/results")
def history():
    rows = list(db.session.scalars(select(Attempt).where(Attempt.user_id == current_user.id)
                                   .order_by(Attempt.started_at.desc())))
    now = clock.now()
    return render_template("exam/history.html", attempts=rows, STATUSES=ATTEMPT_STATUSES,
                           visible={a.id: views.score_visible(a, now) for a in rows})


@bp.app_template_filter("points")
def _points(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}"


from . import practice_routes  # noqa: E402,F401  (registers the practice pages on bp)
