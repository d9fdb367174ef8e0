"""Study pages: 我的学法计划 and 签到 for learners; plans, sessions, the sign-in code and roll call
for trainers."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import clock
from ..audience import UNIT_ROW_ORDER
from ..clock import BEIJING
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..models import ATTENDANCE_STATUSES, Attendance, Cohort, OrgUnit, StudyPlan, StudySession
from ..params import int_list
from ..policy import get_or_404, is_town_staff, visible_people
from ..web import act
from . import attendance, exemptions, plans

bp = Blueprint("study", __name__, url_prefix="/study")


@bp.route("/")
def my_plan():
    year = request.args.get("year", type=int) or clock.now().astimezone(BEIJING).year
    rows = plans.my_plan(current_user, year)
    years = sorted(set(db.session.scalars(select(StudyPlan.year))) | {clock.now().astimezone(BEIJING).year},
                   reverse=True)
    return render_template("study/my_plan.html", rows=rows, year=year, years=years, STATUSES=ATTENDANCE_STATUSES)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    code = request.values.get("code", "")
    if request.method == "POST":
        try:
            session = attendance.sign_in(current_user, code)
        except DomainError as exc:
            db.session.rollback()
            return render_template("study/sign_in.html", error=exc.message, code=code), exc.status
        db.session.commit()
        flash(f"签到成功：{session.topic}。", "success")
        return redirect(url_for("study.my_plan"))
    return render_template("study/sign_in.html", error=None, code=code)


@bp.route("/sessions/<int:session_id>/qr.svg")
def session_qr(session_id: int):
    """A QR code of the sign-in link, for the screen in the room (scanned with the phone's camera)."""
    import io

    import qrcode
    import qrcode.image.svg

    session = _session(session_id)
    link = url_for("study.sign_in", code=session.signin_code, _external=True)
    buf = io.BytesIO()
    qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=20).save(buf)
    return Response(buf.getvalue(), mimetype="image/svg+xml")


@bp.route("/manage/plan-template.xlsx")
def plan_template():
    from ..xlsx import XLSX_MIMETYPE, workbook
    from .importing import PLAN_COLUMNS, SHEET_COLUMNS

    content = workbook([
        ("学法计划", PLAN_COLUMNS, [["2023-03-08", "15:00", "17:00", "宪法学习", "宪法", "镇长", "镇政府会议室",
                                     "镇干部、村干部", "是"]]),
        ("签到表", SHEET_COLUMNS, [["2023-03-08", "宪法学习", "张三", "13900000001", "出席"]]),
    ])
    name = quote("学法计划模板.xlsx")
    return Response(content, mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


def _session(session_id: int) -> StudySession:
    return get_or_404(StudySession, session_id, message="学习场次不存在。")


@bp.route("/plans", methods=["GET", "POST"])
def plan_list():
    if request.method == "POST":
        ok, plan = act(lambda: plans.get_or_create_plan(
            current_user, request.form.get("year", type=int) or 0, request.form.get("title", "")))
        if ok:
            return redirect(url_for("study.plan", plan_id=plan.id))
    rows = db.session.execute(select(StudyPlan, func.count(StudySession.id)).outerjoin(StudySession)
                              .group_by(StudyPlan.id).order_by(StudyPlan.year.desc())).all()
    return render_template("study/plans.html", rows=rows, year=clock.now().astimezone(BEIJING).year)


def _fields_from_form() -> plans.SessionFields:
    """The session form (add and edit) → SessionFields; a bad date or time is a ValidationError."""
    day = request.form.get("date", "")
    try:
        starts = datetime.fromisoformat(f"{day}T{request.form.get('start', '')}").replace(tzinfo=BEIJING)
        ends = datetime.fromisoformat(f"{day}T{request.form.get('end', '')}").replace(tzinfo=BEIJING)
    except ValueError as exc:
        raise ValidationError("请填写正确的日期和时间。") from exc
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.name.in_(request.form.getlist("cohorts")))))
    unit_ids = int_list(request.form.getlist("org_units"))
    units = list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))) if unit_ids else []
    return plans.SessionFields(starts, ends, request.form.get("topic", ""), request.form.get("laws", ""),
                               request.form.get("speaker", ""), request.form.get("place", ""),
                               request.form.get("required") == "1", cohorts, units)


def _form_choices() -> dict:
    return {"cohorts": list(db.session.scalars(select(Cohort).order_by(Cohort.sort_order))),
            "units": list(db.session.scalars(select(OrgUnit).order_by(*UNIT_ROW_ORDER)))}


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    session = _session(session_id)
    if request.method == "POST":
        ok, _ = act(lambda: plans.update_session(current_user, session, _fields_from_form()))
        if ok:
            flash("已保存。", "success")
            return redirect(url_for("study.plan", plan_id=session.plan_id))
    return render_template("study/session_form.html", session=session, **_form_choices())


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
def plan(plan_id: int):
    plan = get_or_404(StudyPlan, plan_id, message="学法计划不存在。")
    if request.method == "POST":
        ok, _ = act(lambda: plans.add_session(current_user, plan, _fields_from_form()))
        if ok:
            flash("已添加学习场次。", "success")
        return redirect(url_for("study.plan", plan_id=plan.id))
    present = dict(db.session.execute(select(Attendance.session_id, func.count())
                                      .where(Attendance.status.in_(["present", "makeup"]))
                                      .group_by(Attendance.session_id)).all())
    return render_template("study/plan.html", plan=plan, present=present, session=None, **_form_choices())


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
def session(session_id: int):
    session = _session(session_id)
    expected = visible_people(current_user, plans.expected_users(session))  # a village admin: their people
    if not is_town_staff(current_user):  # ...and not themself: nobody marks their own attendance
        expected = [u for u in expected if u.id != current_user.id]
    expected.sort(key=lambda u: ((u.org_unit.parent_id or 0, u.org_unit.sort_order, u.org_unit.id) if u.org_unit
                                 else (10**9, 0, 0), u.name, u.id))
    units = list({u.org_unit.id: u.org_unit for u in expected if u.org_unit}.values())
    unit_id = request.args.get("unit", type=int)
    if unit_id is not None:  # the roll of one village or office
        expected = [u for u in expected if u.org_unit_id == unit_id]
    if request.method == "POST":
        marks = {u.id: request.form.get(f"u{u.id}") for u in expected if request.form.get(f"u{u.id}")}
        if request.form.get("all_present"):  # 全部出席: everyone shown and not yet marked is present
            recorded = set(db.session.scalars(select(Attendance.user_id).where(Attendance.session_id == session.id)))
            marks.update({u.id: "present" for u in expected if u.id not in marks and u.id not in recorded})
        reasons = {u.id: request.form.get(f"r{u.id}", "") for u in expected}  # 请假 needs a reason
        ok, changed = act(lambda: attendance.roll_call(current_user, session, marks, reasons))
        if ok:
            flash(f"已保存点名结果（{changed} 人有变化）。", "success")
        return redirect(url_for("study.session", session_id=session.id, unit=unit_id))
    shown = {u.id for u in expected}  # the counts too: a village admin's "已到" is their village's
    marks = {a.user_id: a for a in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))
             if a.user_id in shown}
    now = clock.now()
    from ..models import StudyMaterial

    leave = {e.user_id: e for e in exemptions.live_of(session) if e.user_id in shown}
    return render_template("study/session.html", session=session, expected=expected, marks=marks, leave=leave,
                           STATUSES=ATTENDANCE_STATUSES, units=units, unit_id=unit_id,
                           materials=list(db.session.scalars(select(StudyMaterial).order_by(StudyMaterial.id))),
                           signin_open=session.starts_at - attendance.EARLY <= now <= session.ends_at)


from . import exemption_routes, online_routes, reminder_routes  # noqa: E402,F401,I001  (register their pages on bp)
