"""Trainer pages for exams: list, create (from the same fields as a definition file), check the
banks, preview a sample paper, publish / close, create the 补考, see attempts and page leaves."""
from __future__ import annotations

import random

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from ..audience import UNIT_ROW_ORDER
from ..bank.types import REGISTRY, TYPE_LABELS
from ..clock import BEIJING
from ..errors import ValidationError
from ..extensions import db
from ..models import Attempt, Bank, Cohort, Exam, Law, OrgUnit
from ..models.exam import ATTEMPT_STATUSES, EXAM_STATUSES
from ..params import bounded_int
from ..policy import get_or_404
from ..web import act, submit
from . import definitions
from .assembly import PaperError, describe, draw_paper, held_back, held_back_note, pool_sizes
from .forms import RULE_ROWS, ExamForm
from .views import shown_key

bp = Blueprint("exam_manage", __name__, url_prefix="/manage/exams")



def _exam(exam_id: int) -> Exam:
    return get_or_404(Exam, exam_id, message="考试不存在。")


@bp.route("")
def exams():
    rows = list(db.session.scalars(select(Exam).where(Exam.kind != "practice").order_by(Exam.opens_at.desc())))
    counts = dict(db.session.execute(select(Attempt.exam_id, func.count(func.distinct(Attempt.user_id)))
                                     .group_by(Attempt.exam_id)).all())
    return render_template("exam/manage_list.html", exams=rows, counts=counts, STATUSES=EXAM_STATUSES)


def _points(text: str) -> float:
    points = float(text)
    if not 0 < points <= 1000:  # also refuses nan and inf
        raise ValueError(text)
    return points


def _rules_from_form() -> list[dict]:
    rules = []
    for i in range(RULE_ROWS):
        count = request.form.get(f"rule-{i}-count", "").strip()
        if not count:
            continue
        low, high = request.form.get(f"rule-{i}-dmin", "1"), request.form.get(f"rule-{i}-dmax", "5")
        try:
            rule = {"bank": request.form.get(f"rule-{i}-bank") or None, "type": request.form.get(f"rule-{i}-type"),
                    "law": request.form.get(f"rule-{i}-law") or None,
                    "count": bounded_int(count), "points": _points(request.form.get(f"rule-{i}-points") or "1"),
                    "tags": [t for t in request.form.get(f"rule-{i}-tags", "").replace("，", "、").split("、") if t],
                    "difficulty": [bounded_int(low or 1), bounded_int(high or 5)]}
        except ValueError as exc:
            raise ValidationError(f"组卷规则第 {len(rules) + 1} 条的数量、分值或难度不是数字。") from exc
        rules.append(rule)
    return rules


def _definition(form: ExamForm) -> dict:
    return {
        "title": form.title.data, "kind": form.kind.data,
        "makeup_of": form.makeup_of.data or None if form.kind.data == "makeup" else None,
        "audience": {"cohorts": request.form.getlist("cohorts"), "org_units": request.form.getlist("org_units")},
        "opens_at": form.opens_at.data.replace(tzinfo=BEIJING),
        "closes_at": form.closes_at.data.replace(tzinfo=BEIJING),
        "duration_minutes": form.duration_minutes.data, "max_attempts": form.max_attempts.data,
        "score_policy": form.score_policy.data, "pass_score": float(form.pass_score.data),
        "multiple_policy": form.multiple_policy.data, "shuffle_questions": form.shuffle_questions.data,
        "shuffle_options": form.shuffle_options.data, "show_score": form.show_score.data,
        "show_answers": form.show_answers.data, "leave_limit": form.leave_limit.data,
        "count_makeup": form.count_makeup.data, "include_flagged": form.include_flagged.data,
        "paper": _rules_from_form(),
    }


@bp.route("/new", methods=["GET", "POST"])
def new_exam():
    form = ExamForm()
    formal = list(db.session.scalars(select(Exam).where(Exam.kind == "formal").order_by(Exam.opens_at.desc())))
    form.makeup_of.choices = [(0, "（无）")] + [(e.id, e.title) for e in formal]
    makeup_source = db.session.get(Exam, request.args.get("makeup_of", type=int) or 0)
    if request.method == "GET" and makeup_source is not None:
        form.kind.data, form.makeup_of.data = "makeup", makeup_source.id
        form.title.data = f"{makeup_source.title}（补考）"
        form.pass_score.data, form.duration_minutes.data = makeup_source.pass_score, makeup_source.duration_minutes
    if form.validate_on_submit():
        ok, exam = submit(form, lambda: definitions.create_exam(
            current_user, definitions.parse_spec(_definition(form))))
        if ok:
            flash(f"已创建考试“{exam.title}”（草稿）。检查无误后请点“发布”。", "success")
            if note := held_back_note(exam):
                flash(note, "warning")
            return redirect(url_for("exam_manage.exam", exam_id=exam.id))
    return _form_page(form, request.form, makeup_source=makeup_source, editing=None, started=False)


def _form_page(form: ExamForm, posted, **extra):
    return render_template(
        "exam/manage_form.html", form=form, rows=range(RULE_ROWS), TYPE_LABELS=TYPE_LABELS,
        banks=list(db.session.scalars(select(Bank.name).order_by(Bank.name))),
        laws=list(db.session.scalars(select(Law.name).order_by(Law.id))),
        cohorts=list(db.session.scalars(select(Cohort).order_by(Cohort.sort_order))),
        units=list(db.session.scalars(select(OrgUnit).order_by(*UNIT_ROW_ORDER))), posted=posted, **extra)


def _posted_from(exam: Exam) -> MultiDict:
    """The exam as the form posts it: audience and one row per paper rule."""
    items = [("cohorts", c.name) for c in exam.cohorts] + [("org_units", u.name) for u in exam.org_units]
    for i, r in enumerate(exam.rules):
        items += [(f"rule-{i}-bank", r.bank.name if r.bank else ""), (f"rule-{i}-type", r.type or ""),
                  (f"rule-{i}-law", r.law.name if r.law else ""), (f"rule-{i}-count", str(r.count)),
                  (f"rule-{i}-points", f"{r.points:g}"), (f"rule-{i}-tags", "、".join(r.tags or [])),
                  (f"rule-{i}-dmin", str(r.difficulty_min)), (f"rule-{i}-dmax", str(r.difficulty_max))]
    return MultiDict(items)


def _fill_exam_form(form: ExamForm, exam: Exam) -> None:
    for name in ("title", "kind", "duration_minutes", "max_attempts", "score_policy", "pass_score",
                 "multiple_policy", "shuffle_questions", "shuffle_options", "show_score", "show_answers",
                 "leave_limit", "count_makeup", "include_flagged"):
        getattr(form, name).data = getattr(exam, name)
    form.makeup_of.data = exam.makeup_of_id or 0
    form.opens_at.data = exam.opens_at.astimezone(BEIJING).replace(tzinfo=None)
    form.closes_at.data = exam.closes_at.astimezone(BEIJING).replace(tzinfo=None)


@bp.route("/<int:exam_id>/edit", methods=["GET", "POST"])
def edit_exam(exam_id: int):
    exam = _exam(exam_id)
    started = db.session.scalar(select(Attempt.id).where(Attempt.exam_id == exam.id).limit(1)) is not None
    if any(r.question_ids for r in exam.rules):
        flash("这场考试用指定试题组卷，请用命令行的考试定义文件修改。", "warning")
        return redirect(url_for("exam_manage.exam", exam_id=exam.id))
    form = ExamForm()
    formal = list(db.session.scalars(select(Exam).where(Exam.kind == "formal", Exam.id != exam.id)
                                     .order_by(Exam.opens_at.desc())))
    form.makeup_of.choices = [(0, "（无）")] + [(e.id, e.title) for e in formal]
    if request.method == "GET":
        _fill_exam_form(form, exam)
    if form.validate_on_submit():
        ok, changed = submit(form, lambda: definitions.update_exam(
            current_user, exam, definitions.parse_spec(_definition(form))))
        if ok:
            flash("已保存修改。" if changed else "没有改动。", "success")
            return redirect(url_for("exam_manage.exam", exam_id=exam.id))
    return _form_page(form, request.form if request.method == "POST" else _posted_from(exam), editing=exam,
                      started=started, makeup_source=None)


@bp.route("/<int:exam_id>/delete", methods=["POST"])
def delete_exam(exam_id: int):
    exam = _exam(exam_id)
    title = exam.title
    ok, _ = act(lambda: definitions.delete_draft(current_user, exam))
    if ok:
        flash(f"已删除草稿“{title}”。", "success")
        return redirect(url_for("exam_manage.exams"))
    return redirect(url_for("exam_manage.exam", exam_id=exam_id))


@bp.route("/<int:exam_id>")
def exam(exam_id: int):
    exam = _exam(exam_id)
    sample, problem = [], None
    try:
        for q in draw_paper(exam, random.Random(exam.id)):
            view = REGISTRY[q.version.type].learner_view(q.version.stem, q.version.options or [], q.option_order)
            sample.append((q, view, shown_key(q)))
    except PaperError as exc:
        problem = str(exc)
    attempts = list(db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id)
                                       .order_by(Attempt.started_at)))
    rules = list(zip(exam.rules, pool_sizes(exam), held_back(exam), strict=True))
    from ..study.exemption_routes import exemption_box  # 免考 lives with the other exemptions

    return render_template("exam/manage_exam.html", exam=exam, rules=rules,
                           describe=describe, sample=sample, problem=problem, attempts=attempts,
                           ATTEMPT_STATUSES=ATTEMPT_STATUSES, STATUSES=EXAM_STATUSES, TYPE_LABELS=TYPE_LABELS,
                           **exemption_box(exam))


@bp.route("/<int:exam_id>/status", methods=["POST"])
def exam_status(exam_id: int):
    exam = _exam(exam_id)
    ok, _ = act(lambda: definitions.set_status(current_user, exam, request.form.get("status", "")))
    if ok:
        done = {"published": "考试已发布。", "closed": "考试已结束。", "draft": "考试已改回草稿。"}
        flash(done[exam.status], "success")
    return redirect(url_for("exam_manage.exam", exam_id=exam.id))


from . import marking_routes  # noqa: E402,F401  (registers the marking pages on bp)
