"""Admin pages for org units (the tree) and cohorts."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import Cohort, User, user_cohorts
from ..policy import get_or_404
from ..web import act, submit
from . import orgs
from .admin_routes import bp
from .forms import CohortForm, OrgUnitForm
from .scope import get_unit_in_scope, scope_unit, units_in_scope


def _member_counts() -> dict[int, int]:
    rows = db.session.execute(select(User.org_unit_id, func.count()).group_by(User.org_unit_id))
    return {unit_id: n for unit_id, n in rows if unit_id}


@bp.route("/units", methods=["GET", "POST"])
def units():
    form = OrgUnitForm()
    visible = units_in_scope(current_user)
    form.parent_id.choices = ([] if scope_unit(current_user) else [(0, "（顶级）")]) + [
        (u.id, "　" * u.depth + u.name) for u in visible]
    if form.validate_on_submit():
        ok, unit = submit(form, lambda: orgs.save_unit(
            current_user, name=form.name.data, kind=form.kind.data,
            parent=get_unit_in_scope(current_user, form.parent_id.data or None)))
        if ok:
            flash(f"已添加单位“{unit.name}”。", "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/units.html", units=visible, form=form,
                           counts=_member_counts())


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def edit_unit(unit_id: int):
    unit = get_unit_in_scope(current_user, unit_id)
    form = OrgUnitForm(obj=unit)
    del form.parent_id
    if form.validate_on_submit():
        ok, _ = submit(form, lambda: orgs.save_unit(current_user, name=form.name.data, kind=form.kind.data,
                                                    parent=unit.parent, unit=unit))
        if ok:
            flash("已保存。", "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit)


@bp.route("/cohorts", methods=["GET", "POST"])
def cohorts():
    form = CohortForm()
    if form.validate_on_submit():
        ok, cohort = submit(form, lambda: orgs.save_cohort(current_user, form.name.data))
        if ok:
            flash(f"已添加人员类别“{cohort.name}”。", "success")
            return redirect(url_for("admin.cohorts"))
    counts = dict(db.session.execute(
        select(user_cohorts.c.cohort_id, func.count()).group_by(user_cohorts.c.cohort_id)).all())
    rows = list(db.session.scalars(select(Cohort).order_by(Cohort.sort_order)))
    return render_template("admin/cohorts.html", cohorts=rows, form=form, counts=counts,
                           can_edit=scope_unit(current_user) is None)


@bp.route("/cohorts/<int:cohort_id>", methods=["POST"])
def rename_cohort(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id, message="人员类别不存在。")
    form = CohortForm()
    if form.validate_on_submit():
        ok, _ = act(lambda: orgs.save_cohort(current_user, form.name.data, cohort))
        if ok:
            flash("已改名。", "success")
    return redirect(url_for("admin.cohorts"))
