"""Trainer pages for banks and questions: lists with filters, create, edit (new version),
preview as the learner sees it, retire / restore, version history, export."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..errors import NotFound
from ..extensions import db
from ..models import QUESTION_STATUSES, Bank, Law, Question, QuestionTag, QuestionVersion
from ..params import to_int
from ..policy import get_or_404
from ..web import submit
from . import questions as service
from .exporters.excel import answer_text
from .exporting import FORMATS, MIMETYPES, export_bank
from .forms import BankForm, QuestionForm
from .importers.base import (
    ParsedQuestion,
    normalise_blanks,
    option_feedback_text,
    parse_fill_answers,
    parse_judge,
    parse_letters,
    parse_option_feedback,
)
from .types import REGISTRY, TYPE_LABELS

bp = Blueprint("bank", __name__, url_prefix="/bank")


def _bank(bank_id: int) -> Bank:
    return get_or_404(Bank, bank_id, message="题库不存在。")


def _question(question_id: int) -> Question:
    return get_or_404(Question, question_id, message="试题不存在。")


@bp.route("/", methods=["GET", "POST"])
def banks():
    form = BankForm()
    if form.validate_on_submit():
        if db.session.scalar(select(Bank).where(Bank.name == form.name.data.strip())):
            form.name.errors.append("已有同名题库。")
        else:
            bank = service.get_or_create_bank(current_user, form.name.data, form.description.data or "")
            db.session.commit()
            flash(f"已新建题库“{bank.name}”。", "success")
            return redirect(url_for("bank.bank", bank_id=bank.id))
    rows = list(db.session.scalars(select(Bank).order_by(Bank.name)))
    return render_template("bank/banks.html", banks=rows, counts=service.bank_counts(), form=form,
                           TYPE_LABELS=TYPE_LABELS)


def _filter_from_args() -> service.QuestionFilter:
    def int_arg(name):
        value = request.args.get(name, "")
        return to_int(value)

    return service.QuestionFilter(
        q=request.args.get("q", "").strip(), type=request.args.get("type") or None,
        tag=request.args.get("tag") or None, law_id=int_arg("law"), difficulty=int_arg("difficulty"),
        status=request.args.get("status") or None, flagged=request.args.get("flagged") == "1")


@bp.route("/<int:bank_id>")
def bank(bank_id: int):
    bank = _bank(bank_id)
    flt = _filter_from_args()
    page = db.paginate(service.search_questions(bank, flt), per_page=30, error_out=False)
    tags = db.session.execute(
        select(QuestionTag.name, func.count()).join(Question, Question.id == QuestionTag.question_id)
        .where(Question.bank_id == bank.id).group_by(QuestionTag.name).order_by(func.count().desc())
        .limit(60)).all()
    laws = list(db.session.scalars(select(Law).join(Question.laws).where(Question.bank_id == bank.id)
                                   .distinct().order_by(Law.name)))
    return render_template("bank/questions.html", bank=bank, page=page, flt=flt, tags=tags, laws=laws,
                           TYPE_LABELS=TYPE_LABELS, STATUSES=QUESTION_STATUSES,
                           counts=service.bank_counts().get(bank.id, {}),
                           args={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/<int:bank_id>/practice", methods=["POST"])
def bank_practice(bank_id: int):
    bank = _bank(bank_id)
    service.set_practice_open(current_user, bank, request.form.get("practice_open") == "1")
    db.session.commit()
    flash("已允许学员练习这个题库。" if bank.practice_open else "已关闭这个题库的练习，学员练习时不再出现其中的题。",
          "success")
    return redirect(url_for("bank.bank", bank_id=bank.id))


@bp.route("/<int:bank_id>/export/<fmt>")
def export(bank_id: int, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    bank = _bank(bank_id)
    content, _count = export_bank(bank.name, fmt)
    filename = quote(f"{bank.name}{FORMATS[fmt][1]}")
    return Response(content, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


def _parsed_from(form: QuestionForm) -> ParsedQuestion:
    qtype = form.type.data
    raw = (form.answer.data or "").strip()
    options = [o.strip() for o in (form.options.data or "").splitlines() if o.strip()]
    stem = (form.stem.data or "").strip()
    if qtype in ("single", "multiple"):
        answer = parse_letters(raw)
    elif qtype == "judge":
        answer, options = parse_judge(raw), []
    elif qtype == "fill":
        stem, answer, options = normalise_blanks(stem), parse_fill_answers(raw), []
    else:
        answer, options = raw, []
    return ParsedQuestion(
        type=qtype, stem=stem, options=options, answer=answer,
        explanation=(form.explanation.data or "").strip(), basis=(form.basis.data or "").strip(),
        difficulty=form.difficulty.data or 3,
        tags=[t for t in re.split(r"[、,，;；\s]+", form.tags.data or "") if t],
        grading_points=[p.strip() for p in (form.grading_points.data or "").splitlines() if p.strip()],
        title=(form.title.data or "").strip(),
        option_feedback=parse_option_feedback(form.option_feedback.data or "", qtype, len(options)))


def _fill_form(form: QuestionForm, version: QuestionVersion) -> None:
    parsed = service.as_parsed(version)
    form.type.data, form.stem.data = parsed.type, parsed.stem
    form.options.data = "\n".join(parsed.options)
    form.answer.data = answer_text(parsed)
    form.explanation.data, form.basis.data = parsed.explanation, parsed.basis
    form.difficulty.data, form.tags.data = parsed.difficulty, "、".join(parsed.tags)
    form.grading_points.data = "\n".join(parsed.grading_points)
    form.title.data = parsed.title
    form.option_feedback.data = option_feedback_text(parsed.type, parsed.option_feedback)


@bp.route("/<int:bank_id>/questions/new", methods=["GET", "POST"])
def new_question(bank_id: int):
    bank = _bank(bank_id)
    form = QuestionForm()
    del form.note
    if form.validate_on_submit():
        ok, question = submit(form, lambda: service.create_question(
            current_user, bank, _parsed_from(form), status=request.form.get("status", "published")))
        if ok:
            flash("已保存试题。", "success")
            return redirect(url_for("bank.question", question_id=question.id))
    return render_template("bank/question_form.html", form=form, bank=bank, question=None)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(question_id: int):
    question = _question(question_id)
    form = QuestionForm()
    if request.method == "GET":
        _fill_form(form, question.current_version)
    if form.validate_on_submit():
        ok, version = submit(form, lambda: service.edit_question(
            current_user, question, _parsed_from(form), form.note.data or ""))
        if ok:
            flash(f"已保存为第 {version.number} 版。已考过的试卷仍按原来的版本。", "success")
            return redirect(url_for("bank.question", question_id=question.id))
    return render_template("bank/question_form.html", form=form, bank=question.bank, question=question)


@bp.route("/questions/<int:question_id>")
@bp.route("/questions/<int:question_id>/versions/<int:number>")
def question(question_id: int, number: int | None = None):
    question = _question(question_id)
    versions = list(db.session.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                                       .order_by(QuestionVersion.number.desc())))
    shown = question.current_version if number is None else next((v for v in versions if v.number == number), None)
    if shown is None:
        raise NotFound("该版本不存在。")
    qtype = REGISTRY[shown.type]
    return render_template("bank/question.html", question=question, version=shown, versions=versions,
                           view=qtype.learner_view(shown.stem, shown.options or []),
                           answer=answer_text(service.as_parsed(shown)), TYPE_LABELS=TYPE_LABELS,
                           STATUSES=QUESTION_STATUSES)


@bp.route("/questions/<int:question_id>/status", methods=["POST"])
def question_status(question_id: int):
    question = _question(question_id)
    action = request.form.get("action")  # the CSRF token is checked for every POST (CSRFProtect)
    if action == "reviewed":
        service.mark_reviewed(current_user, question)
        message = "已标记为复核完毕。"
    elif action in ("retired", "published", "draft"):
        service.set_status(current_user, question, action)
        message = f"试题状态已改为“{QUESTION_STATUSES[action]}”。"
    else:
        abort(400)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("bank.question", question_id=question.id))


from . import import_routes, law_routes  # noqa: E402,F401  (register their routes on bp)
