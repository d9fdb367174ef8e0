"""Importing a study plan and paper sign-in sheets (.xlsx/.csv): every row checked, all or nothing."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from .. import audit
from ..accounts.auth import normalise_identifier
from ..accounts.user_import import RowError, split_list
from ..clock import BEIJING
from ..database import pause_for_waiters
from ..errors import ValidationError
from ..extensions import db
from ..files import read_table
from ..models import Cohort, StudySession, User
from . import attendance
from .plans import SessionFields, add_session, get_or_create_plan

PLAN_COLUMNS = ["日期", "开始时间", "结束时间", "学习主题", "学习法律", "主讲人", "地点", "参学对象", "是否必学"]
SHEET_COLUMNS = ["日期", "学习主题", "姓名", "用户名或手机号", "出勤"]
STATUS_WORDS = {"出席": "present", "到": "present", "√": "present", "✓": "present", "是": "present",
                "请假": "leave", "假": "leave", "缺席": "absent", "缺": "absent", "×": "absent", "否": "absent",
                "补学": "makeup"}


@dataclass
class StudyImportReport:
    filename: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_date(text: str) -> date | None:
    text = (text or "").strip()
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]00:00(?::00)?)?$", text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_time(text: str) -> time | None:
    m = re.match(r"^(\d{1,2})[:：点](\d{2})?", (text or "").strip())
    if not m:
        return None
    try:
        return time(int(m.group(1)), int(m.group(2) or 0))
    except ValueError:
        return None


def _rows(report: StudyImportReport, content: bytes, wanted: list[str], required: list[str]):
    """The file's rows as (row number, cell getter by column name); problems go into the report."""
    try:
        table = read_table(report.filename, content)
    except ValidationError as exc:
        report.errors.append(RowError(0, "", exc.message))
        return []
    found = {name: table.header.index(name) for name in wanted if name in table.header}
    for name in required:
        if name not in found:
            report.errors.append(RowError(0, name, f"缺少“{name}”列（模板的列为：{'、'.join(wanted)}）。"))
    if report.errors:
        return []

    def getter(cells: list[str]):
        def cell(name: str) -> str:
            idx = found.get(name)
            return cells[idx].strip() if idx is not None and idx < len(cells) else ""
        return cell

    return [(number, getter(cells)) for number, cells in table.rows]


def import_plan(actor: User | None, filename: str, content: bytes, *, title: str | None = None,
                dry_run: bool = False) -> StudyImportReport:
    report = StudyImportReport(filename)
    rows = _rows(report, content, PLAN_COLUMNS, ["日期", "开始时间", "学习主题"])
    if report.errors:
        return report
    cohorts = {c.name: c for c in db.session.scalars(select(Cohort))}
    sessions: list[SessionFields] = []
    for number, cell in rows:
        errors = []
        day, start, end = parse_date(cell("日期")), parse_time(cell("开始时间")), parse_time(cell("结束时间"))
        if day is None:
            errors.append(RowError(number, "日期", f"无法识别日期“{cell('日期')}”（如 2023-03-15）。"))
        if start is None:
            errors.append(RowError(number, "开始时间", f"无法识别时间“{cell('开始时间')}”（如 09:00）。"))
        if cell("结束时间") and end is None:
            errors.append(RowError(number, "结束时间", f"无法识别时间“{cell('结束时间')}”。"))
        if not cell("学习主题"):
            errors.append(RowError(number, "学习主题", "学习主题不能为空。"))
        chosen = []
        for name in split_list(cell("参学对象")):
            if name in cohorts:
                chosen.append(cohorts[name])
            else:
                errors.append(RowError(number, "参学对象", f"未知的人员类别“{name}”。"))
        required = cell("是否必学") not in ("否", "选学", "N", "n", "0")
        if errors:
            report.errors.extend(errors)
            continue
        starts = datetime.combine(day, start, BEIJING)
        ends = datetime.combine(day, end, BEIJING) if end else starts + timedelta(hours=2)
        if ends <= starts:
            report.errors.append(RowError(number, "结束时间", "结束时间应晚于开始时间。"))
            continue
        sessions.append(SessionFields(starts, ends, cell("学习主题"), cell("学习法律"), cell("主讲人"), cell("地点"),
                                      required, chosen))
    if not sessions and not report.errors:
        report.errors.append(RowError(0, "", "文件中没有任何学习场次。"))
    report.rows = len(sessions)
    if report.errors or dry_run:
        return report
    year = sessions[0].starts_at.year
    plan = get_or_create_plan(actor, year, title or f"{year}年度集中学法计划")
    for f in sessions:
        add_session(actor, plan, f)
    audit.record("study_imported", actor=actor, target=filename, details={"plan": plan.id, "sessions": len(sessions)})
    return report


MARK_BATCH = 50  # sign-in marks written per committed batch (about 0.1 s of SQLite's write lock)


def import_attendance(actor: User | None, filename: str, content: bytes, *, dry_run: bool = False,
                      commit: Callable[[], None] | None = None) -> StudyImportReport:
    """Check every row (reading only), then record the marks — with `commit`, in committed batches of
    MARK_BATCH so that exam saves go on meanwhile. A mark sets a status, so importing the same sheet
    again after an interruption gives the same result."""
    report = StudyImportReport(filename)
    rows = _rows(report, content, SHEET_COLUMNS, ["日期", "用户名或手机号", "出勤"])
    if report.errors:
        return report
    marks = []
    seen: dict[tuple[int, int], int] = {}
    for number, cell in rows:
        day = parse_date(cell("日期"))
        if day is None:
            report.errors.append(RowError(number, "日期", f"无法识别日期“{cell('日期')}”。"))
            continue
        start = datetime.combine(day, time(0), BEIJING)
        candidates = list(db.session.scalars(select(StudySession).where(
            StudySession.starts_at >= start, StudySession.starts_at < start + timedelta(days=1))))
        if cell("学习主题"):
            candidates = [s for s in candidates if s.topic == cell("学习主题")]
        if len(candidates) != 1:
            why = "这一天没有学习场次" if not candidates else "这一天有多个场次，请填写“学习主题”"
            report.errors.append(RowError(number, "日期", f"{day.isoformat()} {why}。"))
            continue
        ident = normalise_identifier(cell("用户名或手机号"))
        user = db.session.scalar(select(User).where((User.username == ident) | (User.phone == ident))) \
            if ident else None
        if user is None:
            report.errors.append(RowError(number, "用户名或手机号", f"找不到人员“{cell('用户名或手机号')}”。"))
            continue
        if cell("姓名") and cell("姓名") != user.name:
            report.errors.append(RowError(number, "姓名", f"姓名“{cell('姓名')}”与系统中的“{user.name}”不符。"))
            continue
        status = STATUS_WORDS.get(cell("出勤"))
        if status is None:
            report.errors.append(RowError(number, "出勤", f"无法识别“{cell('出勤')}”（可填 出席、请假、缺席、补学）。"))
            continue
        key = (candidates[0].id, user.id)
        if key in seen:
            report.errors.append(RowError(number, "用户名或手机号", f"与第 {seen[key]} 行重复。"))
            continue
        seen[key] = number
        marks.append((candidates[0], user, status))
    if not marks and not report.errors:
        report.errors.append(RowError(0, "", "文件中没有任何签到记录。"))
    report.rows = len(marks)
    if report.errors or dry_run:
        return report
    for i, (session, user, status) in enumerate(marks, 1):
        attendance.record(actor, session, user, status, "sheet")
        if commit and i % MARK_BATCH == 0 and i < len(marks):
            commit()
            pause_for_waiters(db.engine)
    audit.record("study_imported", actor=actor, target=filename, details={"attendance": len(marks)})
    return report
