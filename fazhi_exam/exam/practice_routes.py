"""Learner practice pages: choose a law, answer with instant feedback, the 错题本, 练错题."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..bank.types import REGISTRY, TYPE_LABELS
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import Bank
from . import practice
from .holdback import HELD_MESSAGE, PAUSED_MESSAGE, held_back
from .routes import bp


@bp.route("/practice")
def practice_home():
    held = held_back(current_user)
    if held.paused:
        return render_template("exam/practice_home.html", paused=PAUSED_MESSAGE, banks=[], topics=[], wrong=0)
    return render_template("exam/practice_home.html", paused=None, banks=practice.practice_banks(),
                           topics=practice.practice_topics(), wrong=practice.wrong_count(current_user, held))


def _response_from_form(qtype: str, qid: int):
    if qtype == "single":
        return request.form.get(f"q{qid}")
    if qtype == "multiple":
        return request.form.getlist(f"q{qid}") or None
    if qtype == "judge":
        value = request.form.get(f"q{qid}")
        return None if value is None else value == "true"
    blanks = [request.form.get(f"q{qid}_{i}", "").strip() for i in range(request.form.get("blanks", 0, type=int))]
    return blanks if any(blanks) else None


@bp.route("/practice/question", methods=["GET", "POST"])
def practice_question():
    bank_id = request.args.get("bank", type=int)
    tag = request.args.get("tag") or None
    wrong_only = request.args.get("mode") == "wrong"
    held = held_back(current_user)
    if held.paused:  # nothing at all while an exam runs, not even a verdict
        return render_template("exam/practice_paused.html", message=PAUSED_MESSAGE), \
            409 if request.method == "POST" else 200
    feedback = None
    if request.method == "POST":
        qid, vid = request.form.get("question_id", type=int), request.form.get("version_id", type=int)
        qtype = request.form.get("type", "")
        if qtype not in REGISTRY:
            raise NotFound(practice.NOT_PRACTISABLE)
        try:  # a question not practisable now raises NotFound: the error page, with its status, says only that
            feedback = practice.answer(current_user, qid or 0, vid or 0, _response_from_form(qtype, qid or 0),
                                       source="wrong_book" if wrong_only else "practice", held=held)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "warning")
        else:
            db.session.commit()
    if feedback is not None:
        version = feedback.version
        view = REGISTRY[version.type].learner_view(version.stem, version.options or [])
        return render_template("exam/practice_question.html", question=feedback.question, version=version,
                               view=view, feedback=feedback, bank_id=bank_id, tag=tag, wrong_only=wrong_only,
                               TYPE_LABELS=TYPE_LABELS, saved=feedback.response)
    question = practice.pick_question(current_user, bank_id=bank_id, tag=tag, wrong_only=wrong_only,
                                      exclude=request.args.get("after", type=int), held=held)
    if question is None:
        flash("错题本里没有题了，真棒！" if wrong_only else "这个题库暂时没有可练习的题。", "info")
        return redirect(url_for("exam_pages.practice_home"))
    version = question.current_version
    return render_template("exam/practice_question.html", question=question, version=version,
                           view=REGISTRY[version.type].learner_view(version.stem, version.options or []),
                           feedback=None, bank_id=bank_id, tag=tag, wrong_only=wrong_only, TYPE_LABELS=TYPE_LABELS,
                           saved=None, bank=db.session.get(Bank, bank_id) if bank_id else None)


@bp.route("/practice/wrong-book")
def wrong_book():
    held = held_back(current_user)
    if held.paused:
        return render_template("exam/practice_paused.html", message=PAUSED_MESSAGE)
    return render_template("exam/wrong_book.html", groups=practice.wrong_book(current_user, held),
                           some_held=held.anything, held_message=HELD_MESSAGE)
