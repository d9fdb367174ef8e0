"""The year's tables for Excel: the 成绩汇总表 by unit, the per-person score list, attendance, study
progress and item analysis — one sheet each in an .xlsx, or one table as a .csv (UTF-8 with BOM).
Rates are numbers shown as percentages; text is never a formula."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future

from .. import clock
from ..glossary import name
from ..xlsx import Percent, csv_bytes, workbook
from . import exams as exam_stats
from . import item_store, study, year
from .formats import percent, ratio

TABLES = {
    "summary": "成绩汇总表",
    "scores": "成绩明细",
    "attendance": "集中学法出勤",
    "attendance_people": "出勤明细",
    "study": "在线学习进度",
    "items": "试题分析",
}
HEADERS = {
    "summary": ["考试", "单位", *map(name, ("expected", "took", "took_rate", "passed", "via_makeup", "pass_rate",
                                        "mean", "high", "low", "excused"))],
    "scores": ["考试", "单位", "姓名", "账号", name("score"), "结果"],
    "attendance": ["日期", "学习主题", *map(name, ("attendance_expected", "present", "leave", "makeup", "absent",
                                              "attendance"))],
    "attendance_people": ["日期", "学习主题", "单位", "姓名", "账号", "出勤"],
    "study": ["培训项目", "单位", "姓名", "账号", "是否完成"],
    "items": ["考试", "试题编号", "题型", "题干", "答案", "作答人数", "难度P", "区分度D", "点双列相关r", "选项分布",
              "提示"],
}
ATTENDANCE_LABELS = {"present": "出席", "leave": "请假", "makeup": "补学", "absent": "缺席", None: "缺席"}


def _round(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)


def summary_rows(y: year.YearSummary) -> Iterator[list]:
    for line in y.exams:
        for f in [*exam_stats.by_unit(line.exam, y.scope), line.figures]:
            yield [line.exam.title, f.label, f.expected, f.took, Percent(f.took_rate), f.passed, f.via_makeup,
                   Percent(f.pass_rate), _round(f.mean, 2), _round(f.high, 2), _round(f.low, 2), f.excused]


def score_rows(y: year.YearSummary) -> Iterator[list]:
    for line in y.exams:
        for p in exam_stats.people(line.exam, "all", scope=y.scope):  # 免考 too, the result says so
            yield [line.exam.title, p.unit, p.name, p.username, p.score, p.result]


def attendance_rows(y: year.YearSummary) -> Iterator[list]:
    for r in y.sessions:
        yield [clock.day(r.session.starts_at), r.session.topic, r.expected, r.present, r.leave, r.makeup, r.absent,
               Percent(ratio(r.present, r.expected))]


def attendance_people_rows(y: year.YearSummary) -> Iterator[list]:
    for r in y.sessions:
        for p in study.session_people(r.session, "all", y.scope):  # 请假 too, with the reason
            label = ATTENDANCE_LABELS.get(p.status, p.status)
            yield [clock.day(r.session.starts_at), r.session.topic, p.unit or "", p.name, p.username,
                   f"{label}（{p.reason}）" if p.reason else label]


def study_rows(y: year.YearSummary) -> Iterator[list]:
    for line in y.programmes:
        for p in study.programme_people(line.programme, "all", scope=y.scope):
            state = f"免学（{p.reason}）" if p.excused else "已完成" if p.done else "未完成"
            yield [line.programme.title, p.unit, p.name, p.username, state]


def item_rows(y: year.YearSummary, ahead: Future | None = None) -> Iterator[list]:
    """`ahead`: the analyses already started (item_store.analyses_ahead)."""
    analyses = ([w.items for w in ahead.result()] if ahead is not None
                else item_store.item_analyses([line.exam for line in y.exams]))
    for line, analysis in zip(y.exams, analyses, strict=True):
        for i in analysis:
            choices = "；".join(f"{k}:{n}" for k, n in sorted(i.choices.items()))
            if i.unanswered:
                choices += f"；未作答:{i.unanswered}"
            yield [line.exam.title, i.question_id, i.type_label, i.stem, i.key_text, i.n, _round(i.facility),
                   _round(i.discrimination), _round(i.point_biserial), choices, "；".join(i.flags)]


ROWS = {"summary": summary_rows, "scores": score_rows, "attendance": attendance_rows,
        "attendance_people": attendance_people_rows, "study": study_rows, "items": item_rows}


def tables_for(scope: str | None) -> dict[str, str]:
    """The tables a scope exports: a village admin's export has no item analysis (it shows the
    keys, and item analysis is for town trainers and admins)."""
    return TABLES if scope is None else {k: v for k, v in TABLES.items() if k != "items"}


def table_rows(y: year.YearSummary, key: str, *, items: list[list] | None = None) -> Iterator[list]:
    """`items`: the item analysis rows when already worked out (they do not depend on the scope)."""
    return iter(items) if key == "items" and items is not None else ROWS[key](y)


def xlsx_bytes(y: year.YearSummary, *, tables: dict[str, list[list]] | None = None) -> bytes:
    """`tables`: rows already read, by table (else each is read as it is written; the item analysis,
    the last sheet, is started first and works in the database while the others are written)."""
    keys = tables_for(y.scope)
    if tables is None and "items" in keys:
        ahead = item_store.analyses_ahead([line.exam for line in y.exams])
        tables = {"items": item_rows(y, ahead)}
    return workbook((TABLES[key], HEADERS[key], tables[key] if tables and key in tables else ROWS[key](y))
                    for key in keys)


def csv_table(y: year.YearSummary, table: str, *, tables: dict[str, list[list]] | None = None) -> bytes:
    """Rates as the pages write them ("93.3%"): a .csv has no number formats."""
    rows = ([percent(v.value) if isinstance(v, Percent) else v for v in row]
            for row in (tables[table] if tables else ROWS[table](y)))
    return csv_bytes(HEADERS[table], rows)
