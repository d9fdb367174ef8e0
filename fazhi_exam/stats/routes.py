"""Statistics pages for trainers and admins: the year's dashboard, each exam's figures, the names
behind every number, item analysis, exports and the report. A village admin sees their village."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from .. import clock, glossary
from ..accounts import scope as org_scope
from ..closed_years import live_closure, year_of
from ..errors import NotFound
from ..extensions import db
from ..models import Exam, Programme, StudySession
from ..policy import get_or_404
from ..study.exemption_routes import exemption_box
from ..web import download
from ..xlsx import CSV_MIMETYPE, XLSX_MIMETYPE
from . import archive, charts, definitions, formats, item_store, study, year
from . import exams as exam_stats
from . import export as export_tables

bp = Blueprint("stats", __name__, url_prefix="/stats")



def scope_path() -> str | None:
    """The acting user's part of the organisation (None: all of it)."""
    return org_scope.scope_path(current_user)


def chosen_year() -> int:
    year = request.args.get("year", type=int)
    this_year = clock.now().astimezone(clock.BEIJING).year
    return year if year and 2000 <= year <= this_year + 1 else this_year


bp.add_app_template_global(definitions.FIGURES, "stats_definitions")
bp.add_app_template_global(glossary.TERMS, "terms")


@bp.app_template_global("closure_of")
def _closure_of(record):
    """The live closure of the year an exam, session or programme belongs to (None: open)."""
    return live_closure(year_of(record))


@bp.app_template_filter("pct")
def _pct(rate):
    return formats.percent(rate)


@bp.app_template_filter("score")
def _score(value):
    return formats.score(value)


@bp.route("/")
def dashboard():
    chosen = chosen_year()
    v = archive.view(chosen, scope_path())
    summary, months, units = v.summary, v.months, v.unit_attendance
    attendance_chart = charts.columns(f"{chosen}年各月集中学法出勤人次", [f"{m}月" for m, _, _ in months],
                                      [present for _, _, present in months],
                                      second=[formats.ratio(p, e) for _, e, p in months], unit="人次") \
        if months else None
    exam_chart = charts.rate_bars(f"{chosen}年各场考试合格率", [
        (line.exam.title, line.figures.pass_rate, url_for("stats.exam", exam_id=line.exam.id))
        for line in summary.exams]) if summary.exams else None
    unit_chart = charts.rate_bars(f"{chosen}年各单位集中学法出勤率", [
        (u.label, u.rate, url_for("stats.attendance", year=chosen, unit=u.key)) for u in units], target=0.9) \
        if units else None
    return render_template("stats/dashboard.html", summary=summary, year=chosen, years=year.years_with_records(),
                           unit_attendance=units, unit_attendance_chart=unit_chart,
                           groups=year.GROUPS, attendance_chart=attendance_chart, exam_chart=exam_chart,
                           planned=v.planned, tables=export_tables.tables_for(scope_path()), closure=v.closure,
                           closable=year_closable(chosen))


def year_closable(chosen: int) -> bool:
    return chosen <= clock.now().astimezone(clock.BEIJING).year


@bp.route("/exams/<int:exam_id>")
def exam(exam_id: int):
    exam = get_or_404(Exam, exam_id, message="考试不存在。")
    s = exam_stats.exam_stats(exam, scope_path())
    unit_chart = charts.rate_bars("各单位合格率（合格/参考）", [
        (f.label, f.pass_rate, url_for("stats.exam_people", exam_id=exam.id, who="expected", unit=f.key))
        for f in s.by_unit]) if s.by_unit else None
    band_chart = charts.columns("成绩分布（按总分的百分比分段）", charts.band_labels(), s.bands)
    makeups = list(db.session.scalars(db.select(Exam).where(Exam.makeup_of_id == exam.id).order_by(Exam.id)))
    return render_template("stats/exam.html", exam=exam, s=s, unit_chart=unit_chart, band_chart=band_chart,
                           makeups=makeups, **exemption_box(exam))


@bp.route("/exams/<int:exam_id>/people")
def exam_people(exam_id: int):
    exam = get_or_404(Exam, exam_id, message="考试不存在。")
    who = request.args.get("who", "expected")
    if who not in exam_stats.WHO:
        raise NotFound("没有这类名单。")
    unit_id = request.args.get("unit", type=int)
    cohort_id = request.args.get("cohort", type=int)
    people = exam_stats.people(exam, who, scope=scope_path(), unit_id=unit_id, cohort_id=cohort_id)
    return render_template("stats/exam_people.html", exam=exam, who=who, label=exam_stats.WHO[who], people=people,
                           unit_id=unit_id, cohort_id=cohort_id, kinds=exam_stats.WHO)


SESSION_WHO = {"expected": "应到人员", "present": "出席人员", "leave": "请假人员", "makeup": "补学人员",
               "absent": "缺席人员"}


@bp.route("/sessions/<int:session_id>/people")
def session_people(session_id: int):
    session = get_or_404(StudySession, session_id, message="学习场次不存在。")
    who = request.args.get("who", "expected")
    if who not in SESSION_WHO:
        raise NotFound("没有这类名单。")
    people = study.session_people(session, who, scope_path())
    return render_template("stats/session_people.html", session=session, who=who, label=SESSION_WHO[who],
                           people=people, kinds=SESSION_WHO)


@bp.route("/attendance")
def attendance():
    """The names behind a unit's attendance over the year."""
    chosen = chosen_year()
    unit_id = request.args.get("unit", type=int)
    return render_template("stats/attendance.html", year=chosen, unit_id=unit_id,
                           units=study.attendance_by_unit(chosen, scope_path()),
                           people=study.attendance_by_person(chosen, scope_path(), unit_id))


PROGRAMME_WHO = {"members": "应学人员", "completed": "已完成人员", "unfinished": "未完成人员", "excused": "免学人员"}


@bp.route("/programmes/<int:programme_id>")
def programme(programme_id: int):
    programme = get_or_404(Programme, programme_id, message="培训项目不存在。")
    who = request.args.get("who", "unfinished")
    if who not in PROGRAMME_WHO:
        raise NotFound("没有这类名单。")
    unit_id = request.args.get("unit", type=int)
    by_unit = study.programme_by_unit(programme, scope_path())
    chart = charts.rate_bars("各单位在线学习率", [
        (f.label, f.rate, url_for("stats.programme", programme_id=programme.id, who="unfinished", unit=f.key))
        for f in by_unit]) if by_unit else None
    return render_template("stats/programme.html", programme=programme, who=who, label=PROGRAMME_WHO[who],
                           total=study.programme_figures(programme, scope_path()), by_unit=by_unit,
                           by_cohort=study.programme_by_cohort(programme, scope_path()),
                           overlap=study.programme_overlap(programme, scope_path()), chart=chart,
                           people=study.programme_people(programme, who, scope=scope_path(), unit_id=unit_id),
                           kinds=PROGRAMME_WHO, unit_id=unit_id)


@bp.route("/exams/<int:exam_id>/items")
def items(exam_id: int):
    exam = get_or_404(Exam, exam_id, message="考试不存在。")
    analysis = item_store.analysis(exam)
    return render_template("stats/items.html", exam=exam, items=analysis,
                           flagged=sum(1 for i in analysis if i.flags))


@bp.route("/export")
def export():
    chosen = chosen_year()
    fmt = request.args.get("format", "xlsx")
    table = request.args.get("table", "summary")
    if fmt == "csv":
        if table not in export_tables.tables_for(scope_path()):
            raise NotFound("没有这张表。")
        body, mimetype, name = (archive.export_bytes(chosen, scope_path(), table), CSV_MIMETYPE,
                                f"{chosen}年{export_tables.TABLES[table]}.csv")
    else:
        body, mimetype, name = archive.export_bytes(chosen, scope_path()), XLSX_MIMETYPE, f"{chosen}年学法考法统计.xlsx"
    return download(body, mimetype, name)


from . import api, archive_routes, report_routes  # noqa: E402,F401  (routes on this blueprint and the API's)
