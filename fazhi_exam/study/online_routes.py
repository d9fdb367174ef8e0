"""Online study pages: materials with study-time heartbeats, my programmes, and for trainers the
materials, programmes and progress by village."""
from __future__ import annotations

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..accounts.scope import scope_path
from ..audience_dates import programme_day
from ..errors import DomainError
from ..extensions import db
from ..models import MATERIAL_KINDS, Cohort, Exam, Exemption, Programme, StudyMaterial, StudySession
from ..params import int_list
from ..policy import get_or_404
from ..web import act
from . import completion, materials, programmes
from .markdown import render
from .routes import bp


def _material(material_id: int) -> StudyMaterial:
    return get_or_404(StudyMaterial, material_id, message="学习资料不存在。")


@bp.route("/programmes")
def my_programmes():
    excused = {e.programme_id: e.reason for e in db.session.scalars(select(Exemption).where(
        Exemption.user_id == current_user.id, Exemption.kind == "programme", Exemption.revoked_at.is_(None)))}
    return render_template("study/my_programmes.html", rows=programmes.my_programmes(current_user), excused=excused)


@bp.route("/programmes/<int:programme_id>")
def programme(programme_id: int):
    programme = get_or_404(Programme, programme_id, message="培训项目不存在。")
    times = materials.study_time(current_user, [m.id for m in programme.materials])
    return render_template("study/programme.html", programme=programme, times=times,
                           progress=programmes.progress(current_user, programme))


@bp.route("/materials/<int:material_id>")
def material(material_id: int):
    material = _material(material_id)
    time = materials.study_time(current_user, [material.id]).get(material.id)
    return render_template("study/material.html", material=material, time=time,
                           body=render(material.body) if material.kind == "text" else None)


@bp.route("/materials/<int:material_id>/quiz", methods=["GET", "POST"])
def material_quiz(material_id: int):
    from ..bank.types import REGISTRY, TYPE_LABELS
    from . import quiz

    material = _material(material_id)
    if not material.quiz_count:
        abort(404)
    if request.method == "POST":
        answers = {}
        for vid in request.form.getlist("version_ids", type=int):
            kind = request.form.get(f"type_{vid}")
            if kind == "multiple":
                answers[vid] = "".join(sorted(request.form.getlist(f"q{vid}"))) or None
            elif kind == "judge":
                value = request.form.get(f"q{vid}")
                answers[vid] = None if value is None else value == "true"
            else:
                answers[vid] = request.form.get(f"q{vid}")
        try:
            result = quiz.grade(current_user, material, answers)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "warning")
            return redirect(url_for("study.material_quiz", material_id=material.id))
        db.session.commit()
        if result.passed:
            flash(f"小测通过（答对 {result.right}/{result.total} 题）。", "success")
        else:
            flash(f"答对 {result.right}/{result.total} 题，需答对 {material.quiz_pass} 题，请再学习后重试。", "warning")
        return redirect(url_for("study.material", material_id=material.id))
    try:
        versions = quiz.draw(current_user, material)
    except DomainError as exc:
        return render_template("study/quiz.html", material=material, shown=[], TYPE_LABELS=TYPE_LABELS,
                               refused=exc.message), exc.status
    shown = [(v, REGISTRY[v.type].learner_view(v.stem, v.options or [])) for v in versions]
    return render_template("study/quiz.html", material=material, shown=shown, TYPE_LABELS=TYPE_LABELS)


@bp.route("/materials/<int:material_id>/file.pdf")
def material_pdf(material_id: int):
    material = _material(material_id)
    if material.kind != "pdf" or not material.pdf:
        abort(404)
    return Response(material.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=material.pdf"})


@bp.route("/manage/materials", methods=["GET", "POST"])
def manage_materials():
    if request.method == "POST":
        upload = request.files.get("pdf")
        ok, _ = act(lambda: materials.create_material(
            current_user, title=request.form.get("title", ""), kind=request.form.get("kind", "text"),
            minutes=request.form.get("minutes", 0, type=int), body=request.form.get("body", ""),
            url=request.form.get("url", ""), pdf=upload.read() if upload else None,
            laws=request.form.get("laws", ""), quiz_bank_id=request.form.get("quiz_bank_id", type=int),
            quiz_count=request.form.get("quiz_count", 0, type=int),
            quiz_pass=request.form.get("quiz_pass", 0, type=int)))
        if ok:
            flash("已添加学习资料。", "success")
        return redirect(url_for("study.manage_materials"))
    from ..models import Bank

    rows = list(db.session.scalars(select(StudyMaterial).order_by(StudyMaterial.id.desc())))
    return render_template("study/manage_materials.html", rows=rows, KINDS=MATERIAL_KINDS,
                           banks=list(db.session.scalars(select(Bank).order_by(Bank.name))))


@bp.route("/sessions/<int:session_id>/materials", methods=["POST"])
def session_materials(session_id: int):
    session = get_or_404(StudySession, session_id, message="学习场次不存在。")
    ids = int_list(request.form.getlist("materials"))
    session.materials = list(db.session.scalars(select(StudyMaterial).where(StudyMaterial.id.in_(ids))))
    db.session.commit()
    flash("已更新本场的学习资料（缺席者学完即记为补学）。", "success")
    return redirect(url_for("study.session", session_id=session.id))


@bp.route("/manage/programmes", methods=["GET", "POST"])
def manage_programmes():
    if request.method == "POST":
        cohorts = list(db.session.scalars(select(Cohort).where(Cohort.name.in_(request.form.getlist("cohorts")))))
        chosen = list(db.session.scalars(select(StudyMaterial).where(
            StudyMaterial.id.in_(int_list(request.form.getlist("materials"))))))
        sessions = list(db.session.scalars(select(StudySession).where(
            StudySession.id.in_(int_list(request.form.getlist("sessions"))))))
        exam = db.session.get(Exam, request.form.get("exam_id", 0, type=int) or 0)
        closes_at = None
        if request.form.get("closes_on"):
            try:
                closes_at = datetime.fromisoformat(request.form["closes_on"] + "T23:59:59+08:00")
            except ValueError:
                flash("截止日期格式不正确。", "danger")
                return redirect(url_for("study.manage_programmes"))
        ok, _ = act(lambda: programmes.create_programme(
            current_user, title=request.form.get("title", ""), year=request.form.get("year", 0, type=int),
            cohorts=cohorts, materials=chosen, required_hours=request.form.get("hours", 0.0, type=float),
            exam=exam, gate_exam=request.form.get("gate") == "1", closes_at=closes_at, sessions=sessions))
        if ok:
            flash("已创建培训项目。", "success")
        return redirect(url_for("study.manage_programmes"))
    return render_template(
        "study/manage_programmes.html", rows=list(db.session.scalars(select(Programme).order_by(Programme.id))),
        materials=list(db.session.scalars(select(StudyMaterial).order_by(StudyMaterial.id))),
        cohorts=list(db.session.scalars(select(Cohort).order_by(Cohort.sort_order))),
        exams=list(db.session.scalars(select(Exam).where(Exam.status != "closed").order_by(Exam.id.desc()))),
        sessions=list(db.session.scalars(select(StudySession).order_by(StudySession.starts_at.desc()).limit(60))))


@bp.route("/manage/programmes/<int:programme_id>")
def programme_progress(programme_id: int):
    """The same people and figures as /stats/programmes/<id>: the audience at the deadline, by the
    unit of that day, limited to a village admin's village; the excused (免学) apart."""
    from .exemption_routes import exemption_box

    programme = get_or_404(Programme, programme_id, message="培训项目不存在。")
    scope = scope_path(current_user)
    units = list(db.session.execute(completion.by_unit(programme, scope)))
    unfinished = [(r.User, r.unit, programmes.Progress.of(programme, r))
                  for r in db.session.execute(completion.people(programme, "unfinished", scope=scope))]
    return render_template("study/programme_progress.html", programme=programme, units=units,
                           unfinished=unfinished, day=programme_day(programme), **exemption_box(programme))
