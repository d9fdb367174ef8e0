"""Reminder lists for trainers: who is behind on a plan or programme, by village, as a page, an
.xlsx sheet, and a printable notice for a village notice board."""
from __future__ import annotations

from itertools import groupby
from urllib.parse import quote

from flask import Response, render_template, request
from flask_login import current_user

from .. import clock
from ..accounts.scope import scope_path
from ..models import Programme, StudyPlan
from ..policy import get_or_404, sees_person
from ..xlsx import XLSX_MIMETYPE, workbook
from . import reminders
from .routes import bp


def _rows():
    plan_id, programme_id = request.args.get("plan", type=int), request.args.get("programme", type=int)
    if plan_id:
        plan = get_or_404(StudyPlan, plan_id, message="学法计划不存在。")
        rows = reminders.plan_behind(plan)
        return plan.title, [b for b in rows if sees_person(current_user, b.user)]  # a village admin: their people
    programme = get_or_404(Programme, programme_id, message="培训项目不存在。")
    # as the figure: a village admin gets the people who were in their village at the deadline
    return programme.title, reminders.programme_behind(programme, scope_path(current_user))


@bp.route("/manage/reminders")
def reminder_list():
    title, rows = _rows()
    units = [(unit, list(group)) for unit, group in groupby(rows, key=lambda b: b.unit)]
    return render_template("study/reminders.html", title=title, units=units, total=len(rows),
                           args=request.args.to_dict())


@bp.route("/manage/reminders.xlsx")
def reminder_sheet():
    title, rows = _rows()
    content = workbook([("需补学人员", reminders.SHEET_HEADER, reminders.sheet_rows(rows))])
    return Response(content, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(title + '需补学人员.xlsx')}"})


@bp.route("/manage/reminders/notice")
def reminder_notice():
    title, rows = _rows()
    unit = request.args.get("unit", "")
    return render_template("study/notice.html", title=title, unit=unit, rows=[b for b in rows if b.unit == unit],
                           today=clock.cn_day(clock.now()))
