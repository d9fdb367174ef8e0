"""Admin pages for users: list with search and filters, create, edit, deactivate, reset."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Cohort, OrgUnit
from ..params import to_int
from ..web import act, submit
from . import roster
from . import users as user_service
from .forms import ResetPasswordForm, ToggleActiveForm, UserForm
from .orgs import unit_label
from .scope import get_unit_in_scope, get_user_in_scope, scope_unit, units_in_scope

bp = Blueprint("admin", __name__, url_prefix="/admin")



def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return to_int(value)


@bp.route("/users")
def users():
    active_arg = request.args.get("active", "")
    flt = user_service.UserFilter(
        q=request.args.get("q", "").strip(),
        org_unit_id=_int_arg("org_unit"),
        cohort_id=_int_arg("cohort"),
        role=request.args.get("role") or None,
        active={"1": True, "0": False}.get(active_arg),
    )
    stmt = user_service.search_users(current_user, flt)
    page = db.paginate(stmt, page=_int_arg("page") or 1,
                       per_page=current_app.config["USERS_PER_PAGE"], error_out=False)
    return render_template(
        "admin/users.html", page=page, flt=flt, active_arg=active_arg,
        units=units_in_scope(current_user), cohorts=_cohorts(), unit_label=unit_label,
        args={k: v for k, v in request.args.items() if k != "page"})


def _cohorts() -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).order_by(Cohort.sort_order)))


def _fill_choices(form: UserForm) -> None:
    units = units_in_scope(current_user)
    labels = [(u.id, "　" * u.depth + u.name) for u in units]
    form.org_unit_id.choices = ([] if scope_unit(current_user) else [(0, "（无）")]) + labels
    form.scope_unit_id.choices = ([] if scope_unit(current_user) else [(0, "全镇（不限）")]) \
        + labels
    form.cohort_ids.choices = [(c.id, c.name) for c in _cohorts()]


def _fields_from(form: UserForm) -> user_service.UserFields:
    cohorts = [c for c in _cohorts() if c.id in (form.cohort_ids.data or [])]
    return user_service.UserFields(
        username=form.username.data, name=form.name.data, phone=form.phone.data or None,
        org_unit=get_unit_in_scope(current_user, form.org_unit_id.data or None),
        cohorts=cohorts, roles=set(form.roles.data or []),
        scope_unit=get_unit_in_scope(current_user, form.scope_unit_id.data or None))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    _fill_choices(form)
    form.effective_on.label.text = "入册日期（不填为今天）"
    if request.method == "GET":
        form.roles.data = ["learner"]
        form.effective_on.data = roster.today()
    if form.validate_on_submit():
        ok, user = submit(form, lambda: user_service.create_user(
            current_user, _fields_from(form), form.password.data or "",
            effective=form.effective_on.data))
        if ok:
            flash(f"已创建用户“{user.name}”。首次登录时须修改初始密码。", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = get_user_in_scope(current_user, user_id)
    form = UserForm(obj=None if request.method == "POST" else user)
    _fill_choices(form)
    del form.password
    form.effective_on.label.text = "调入 / 生效日期（单位或人员类别变动时填写，不填为今天）"
    if request.method == "GET":
        form.org_unit_id.data = user.org_unit_id or 0
        form.scope_unit_id.data = user.scope_org_unit_id or 0
        form.cohort_ids.data = [c.id for c in user.cohorts]
        form.roles.data = sorted(user.roles)
    if form.validate_on_submit():
        ok, _ = submit(form, lambda: user_service.update_user(
            current_user, user, _fields_from(form), form.effective_on.data))
        if ok:
            flash(f"已保存“{user.name}”的资料。", "success")
            return redirect(url_for("admin.users"))
    toggle_form = ToggleActiveForm()
    toggle_form.effective_on.label.text = ("调离日期（停用生效之日，不填为今天）" if user.active
                                           else "重新入册日期（不填为今天）")
    toggle_form.effective_on.data = roster.today()
    return render_template("admin/user_form.html", form=form, user=user,
                           reset_form=ResetPasswordForm(), toggle_form=toggle_form,
                           history=roster.history(user.id), unit_names=_unit_names(),
                           cohort_names={c.id: c.name for c in _cohorts()})


def _unit_names() -> dict[int, str]:
    return {u.id: u.name for u in db.session.scalars(select(OrgUnit))}


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def toggle_active(user_id: int):
    user = get_user_in_scope(current_user, user_id)
    form = ToggleActiveForm()
    if form.validate_on_submit():
        ok, _ = act(lambda: user_service.set_active(current_user, user, not user.active,
                                                    form.effective_on.data))
        if ok:
            flash(f"已{'启用' if user.active else '停用'}“{user.name}”。", "success")
    else:
        for message in form.effective_on.errors:
            flash(message, "danger")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = get_user_in_scope(current_user, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        ok, _ = act(lambda: user_service.reset_password(current_user, user, form.new_password.data))
        if ok:
            flash(f"已重置“{user.name}”的密码，其登录已全部失效，下次登录须修改密码。", "success")
    else:
        flash("请输入临时密码。", "danger")
    return redirect(url_for("admin.edit_user", user_id=user.id))


from . import import_routes, org_routes  # noqa: E402,F401  (register their routes on bp)
