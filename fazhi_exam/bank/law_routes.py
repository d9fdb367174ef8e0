"""Trainer pages for laws: current versions, and recording a new version (flags 待复核)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import Law, Question, question_laws
from ..policy import get_or_404
from ..web import act, submit
from . import laws as service
from .forms import LawForm, LawVersionForm
from .routes import bp


@bp.route("/laws", methods=["GET", "POST"])
def laws():
    form = LawForm()
    if form.validate_on_submit():
        ok, law = submit(form, lambda: service.save_law(
            current_user, name=form.name.data, title=form.title.data or "", kind=form.kind.data,
            version_date=form.version_date.data))
        if ok:
            flash(f"已添加“{law.name}”。", "success")
            return redirect(url_for("bank.laws"))
    cited = dict(db.session.execute(select(question_laws.c.law_id, func.count())
                                    .group_by(question_laws.c.law_id)).all())
    flagged = dict(db.session.execute(
        select(question_laws.c.law_id, func.count()).join(Question, Question.id == question_laws.c.question_id)
        .where(Question.needs_review.is_(True)).group_by(question_laws.c.law_id)).all())
    rows = list(db.session.scalars(select(Law).order_by(Law.kind, Law.name)))
    return render_template("bank/laws.html", laws=rows, form=form, cited=cited, flagged=flagged,
                           version_form=LawVersionForm(), KIND_LABELS=service.KIND_LABELS)


@bp.route("/laws/<int:law_id>/version", methods=["POST"])
def law_version(law_id: int):
    law = get_or_404(Law, law_id, message="法律不存在。")
    form = LawVersionForm()
    if not form.validate_on_submit():
        flash("请填写新版本的日期。", "danger")
        return redirect(url_for("bank.laws"))
    ok, flagged = act(lambda: service.record_new_version(current_user, law, form.version_date.data))
    if ok:
        flash(f"已记录《{law.title}》的新版本（{form.version_date.data.isoformat()}），"
              f"引用它的 {flagged} 道试题已标记为“待复核”。", "warning")
    return redirect(url_for("bank.laws"))
