"""The annual report section: sentences in the style of the township's 法治政府建设报告, written from a
year's summary; the tables they come from; the definitions used (report_docx.py writes all three
into a .docx).

Everything is read off the summary's figures (each one SQL aggregate); the Python here only adds up
a handful of rows and words them. A rate is "100%" only when it is exactly 100 %; any other rate is
written as it is, with one decimal place (formats.percent)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..glossary import short
from ..models import OrgUnit
from .definitions import FIGURES
from .formats import percent, ratio, score
from .year import GROUPS, ExamLine, ProgrammeLine, YearSummary, groups_of

OTHER = "other"  # exams and sessions whose audience is none of the report's groups
KEYS = (*GROUPS, OTHER)
EXAM_NOUN = {"cadre": "镇村干部普法考试", "enforcement": "行政执法人员考试",
             "mingbai": "法律明白人、法律带头人培训考试", OTHER: "其他考试"}
SESSION_WHO = {"cadre": "镇村干部", "enforcement": "行政执法人员", "mingbai": "法律明白人、法律带头人",
               OTHER: "其他人员"}
# The people the report's groups are made of, in the order the report names them.
REPORT_COHORTS = ("镇干部", "村干部", "行政执法人员", "法律带头人", "法律明白人")


def _full(rate: float | None) -> bool:
    return rate is not None and abs(rate - 1) < 1e-12


# --- what belongs where -----------------------------------------------------------------------

def _exams(s: YearSummary, group: str) -> list[ExamLine]:
    """The group's exams; within a unit's scope only those with someone of the unit to take them."""
    lines = [e for e in s.exams if not e.groups] if group == OTHER else s.exams_of(group)
    return [e for e in lines if e.figures.expected or e.figures.took] if s.scope else lines


def _sessions(s: YearSummary, group: str):
    rows = ([r for r in s.sessions if not s.session_groups.get(r.session.id)] if group == OTHER
            else s.sessions_of(group))
    return [r for r in rows if r.expected] if s.scope else rows


def _programmes(s: YearSummary, group: str) -> list[ProgrammeLine]:
    lines = [p for p in s.programmes if group in groups_of({c.name for c in p.programme.cohorts})]
    return [p for p in lines if p.figures.members] if s.scope else lines


# --- sentences --------------------------------------------------------------------------------

def _session_clause(s: YearSummary, group: str) -> str | None:
    rows = _sessions(s, group)
    who = SESSION_WHO[group]
    if not rows:  # (in a unit's scope, sessions held for others are not "not organised")
        return f"未组织{who}集中学法" if group == "cadre" and not s.sessions_of(group) else None
    expected = sum(r.expected for r in rows)
    present = sum(r.present for r in rows)
    leave = sum(r.leave for r in rows)
    makeup = sum(r.makeup for r in rows)
    text = f"组织{who}集中学法{len(rows)}次"
    if expected:
        text += f"，应到{expected}人次、出席{present}人次，出勤率{percent(ratio(present, expected))}"
        extra = [f"请假{leave}人次"] * bool(leave) + [f"会后补学{makeup}人次"] * bool(makeup)
        if extra:
            text += f"（另有{'、'.join(extra)}）"
    return text


def _study_clause(lines: list[ProgrammeLine], who: str = "", *, with_rate: bool = True) -> str:
    """Online study in the group's programmes, e.g. 开展“…”在线学习，应学120人、完成119人，在线学习率99.2%."""
    if len(lines) == 1:
        f = lines[0].figures
        text = (f"{who}开展“{lines[0].programme.title}”在线学习，应学{f.members}人{_apart(f.excused, '免学')}、"
                f"完成{f.completed}人")
        if with_rate and f.members:
            text += f"，在线学习率{percent(f.rate)}"
        return text
    members = sum(p.figures.members for p in lines)
    completed = sum(p.figures.completed for p in lines)
    text = f"{who}开展在线学习培训{len(lines)}项，应学{members}人次、完成{completed}人次"
    if with_rate:
        if all(_full(p.figures.rate) for p in lines):
            text += "，在线学习率均为100%"
        else:
            text += "，在线学习率分别为" + "、".join(f"“{p.programme.title}”{percent(p.figures.rate)}" for p in lines)
    return text


def _apart(n: int, what: str) -> str:
    """The excused, said next to the figure they are not in: （另有免考2人）."""
    return f"（另有{what}{n}人）" if n else ""


def _exam_body(line: ExamLine) -> str:
    """One exam in full: “title”应考…、参考…，参考率…，合格…，合格率….."""
    f = line.figures
    name = f"“{line.exam.title}”"
    if not f.expected and not f.took:
        return f"{name}无应考人员"
    if not f.took:
        return f"{name}应考{f.expected}人，无人参考"
    text = f"{name}应考{f.expected}人{_apart(f.excused, '免考')}、参考{f.took}人"
    if not _full(f.took_rate):
        text += f"，参考率{percent(f.took_rate)}"
    text += f"，合格{f.passed}人" + (f"（含补考合格{f.via_makeup}人）" if f.via_makeup else "")
    text += f"，合格率{percent(f.pass_rate)}"
    if f.pending:
        text += f"，另有{f.pending}人的答卷待阅卷，暂未计为合格"
    return text


def _exam_sentence(noun: str, lines: list[ExamLine]) -> str:
    """组织{noun}{n}次，… — "合格率均为100%" only when every exam is at 100 %; otherwise each exam named."""
    n = len(lines)
    start = f"组织{noun}{n}次，"
    all_pass = all(_full(e.figures.pass_rate) for e in lines)
    all_took = all(_full(e.figures.took_rate) for e in lines)
    if not all_pass:
        if n == 1:
            return start + _exam_body(lines[0]) + "。"
        expected, took, passed = (sum(getattr(e.figures, k) for e in lines) for k in ("expected", "took", "passed"))
        return (start + f"共应考{expected}人次、参考{took}人次、合格{passed}人次。其中"
                + "；".join(_exam_body(e) for e in lines) + "。")
    if n == 1:
        f = lines[0].figures
        text = start + f"应考{f.expected}人{_apart(f.excused, '免考')}、参考{f.took}人，"
        text += "参考率、合格率均为100%" if all_took else f"参考率{percent(f.took_rate)}，合格率100%"
        if f.via_makeup:
            text += f"，其中{f.via_makeup}人经补考合格"
        return text + "。"
    expected, took = sum(e.figures.expected for e in lines), sum(e.figures.took for e in lines)
    text = start + f"共应考{expected}人次、参考{took}人次，"
    text += "参考率、合格率均为100%" if all_took else "合格率均为100%"
    notes = []
    for e in lines:
        f = e.figures
        parts = [f"应考{f.expected}人、参考{f.took}人，参考率{percent(f.took_rate)}"] * (not _full(f.took_rate))
        parts += [f"{f.via_makeup}人经补考合格"] * bool(f.via_makeup)
        if parts:
            notes.append(f"“{e.exam.title}”" + "，".join(parts))
    if notes:
        text += "；其中" + "；".join(notes)
    return text + "。"


def _study_paragraph(s: YearSummary) -> str:
    clauses = [c for c in (_session_clause(s, g) for g in KEYS) if c]
    for group in ("cadre", "enforcement"):
        programmes = _programmes(s, group)
        if programmes:
            clauses.append(_study_clause(programmes, f"组织{SESSION_WHO[group]}"))
    if not clauses:  # only within a unit's scope: the year's sessions were all for other units
        return f"{s.year}年，没有需要本单位人员参加的集中学法。"
    return f"{s.year}年，" + "；".join(clauses) + "。"


def _exam_paragraph(s: YearSummary) -> str:
    groups = [g for g in ("cadre", "enforcement", OTHER) if _exams(s, g)]
    lines = [e for g in groups for e in _exams(s, g)]
    missing = "".join(f"本年度未组织{EXAM_NOUN[g]}。" for g in ("cadre", "enforcement") if not s.exams_of(g))
    if lines and all(_full(e.figures.pass_rate) and _full(e.figures.took_rate) for e in lines):
        # Everything at 100 %: one sentence, as the township's report writes it.
        text = "组织" + "，".join(f"{EXAM_NOUN[g]}{len(_exams(s, g))}次" for g in groups)
        text += f"，共参考{sum(e.figures.took for e in lines)}人{'次' * (len(lines) > 1)}，参考率、合格率均为100%"
        makeup = sum(e.figures.via_makeup for e in lines)
        return text + (f"（其中{makeup}人经补考合格）" if makeup else "") + "。" + missing
    return "".join(_exam_sentence(EXAM_NOUN[g], _exams(s, g)) for g in groups) + missing


def _mingbai_paragraph(s: YearSummary) -> str | None:
    leaders = s.cohort_sizes.get("法律带头人", 0)
    mingbai = s.cohort_sizes.get("法律明白人", 0)
    programmes, exams = _programmes(s, "mingbai"), _exams(s, "mingbai")
    if not (leaders or mingbai or programmes or exams):
        return None
    text = f"现有法律带头人{leaders}名、法律明白人{mingbai}名"
    study_full = all(_full(p.figures.rate) for p in programmes)
    exams_full = all(_full(e.figures.pass_rate) and _full(e.figures.took_rate) for e in exams)
    if (programmes or exams) and study_full and exams_full:
        if programmes:
            text += "，" + _study_clause(programmes, with_rate=False)
        if exams:
            text += f"；组织{EXAM_NOUN['mingbai']}{len(exams)}次，参考{sum(e.figures.took for e in exams)}人"
            text += "次" * (len(exams) > 1)
        rates = ["在线学习率"] * bool(programmes) + ["考试参考率、合格率"] * bool(exams)
        return text + "，" + "和".join(rates) + "均达到100%。"
    if programmes:
        text += "，" + _study_clause(programmes)
    text += "。"
    if exams:
        text += _exam_sentence(EXAM_NOUN["mingbai"], exams)
    elif programmes:
        text += f"本年度未组织{EXAM_NOUN['mingbai']}。"
    return text


def paragraphs(summary: YearSummary) -> list[str]:
    """The report's sentences, one paragraph each: 集中学法, exams, 法律明白人 and 法律带头人."""
    return [p for p in (_study_paragraph(summary), _exam_paragraph(summary), _mingbai_paragraph(summary)) if p]


# --- tables -----------------------------------------------------------------------------------

@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    # Per row: what the row stands for, ("exam" | "session" | "programme", id), for a link on the page
    # from the cell in column link_column; columns from numbers_from on hold figures.
    links: list[tuple[str, int] | None] = field(default_factory=list)
    link_column: int = 1
    numbers_from: int = 4

    def add(self, row: Sequence[object], link: tuple[str, int] | None = None) -> None:
        self.rows.append([str(c) for c in row])
        self.links.append(link)


def _audience(cohorts, units=()) -> str:
    who = "、".join(c.name for c in sorted(cohorts, key=lambda c: (c.sort_order, c.id))) or "全体人员"
    units = sorted(units, key=lambda u: u.path)
    return who + (f"（{'、'.join(u.name for u in units)}）" if units else "")


def _session_table(s: YearSummary) -> Table:
    t = Table("集中学法情况", ["序号", "日期", "学习主题", "参学对象", *map(short, (
        "attendance_expected", "present", "leave", "makeup", "absent", "attendance"))], link_column=2)
    number = 0
    for group in KEYS:
        rows = _sessions(s, group)
        for r in rows:
            number += 1
            session = r.session
            t.add([number, clock.cn_month_day(session.starts_at), session.topic,
                   _audience(session.cohorts, session.org_units), r.expected, r.present, r.leave, r.makeup,
                   r.absent, percent(r.rate)], ("session", session.id))
        if rows:
            sums = [sum(getattr(r, k) for r in rows) for k in ("expected", "present", "leave", "makeup", "absent")]
            t.add(["", "", f"{SESSION_WHO[group]}集中学法合计{len(rows)}次（人次）", "", *sums,
                   percent(ratio(sums[1], sums[0]))])
    return t


def _exam_table(s: YearSummary) -> Table:
    t = Table("考试情况", ["序号", "考试名称", "考试日期", "考试对象", *map(short, (
        "expected", "excused", "took", "took_rate", "passed", "via_makeup", "pass_rate", "pass_rate_expected",
        "mean"))])
    number = 0
    for group in KEYS:
        lines = _exams(s, group)
        for e in lines:
            number += 1
            f, exam = e.figures, e.exam
            t.add([number, exam.title, clock.cn_month_day(exam.opens_at), _audience(exam.cohorts, exam.org_units),
                   f.expected, f.excused, f.took, percent(f.took_rate), f.passed, f.via_makeup, percent(f.pass_rate),
                   percent(f.pass_rate_expected), score(f.mean)], ("exam", exam.id))
        if len(lines) > 1:
            expected, excused, took, passed, makeup = (sum(getattr(e.figures, k) for e in lines)
                                                       for k in ("expected", "excused", "took", "passed", "via_makeup"))
            t.add(["", f"{EXAM_NOUN[group]}合计{len(lines)}次（人次）", "", "", expected, excused, took,
                   percent(ratio(took, expected)), passed, makeup, percent(ratio(passed, took)),
                   percent(ratio(passed, expected)), ""])
    return t


def _programme_table(s: YearSummary) -> Table:
    t = Table("在线学习情况", ["序号", "培训项目", "学习对象", *map(short, (
        "study_expected", "study_excused", "completed", "unfinished", "study_rate"))], numbers_from=3)
    for number, p in enumerate((p for p in s.programmes if p.figures.members or not s.scope), 1):
        f = p.figures
        t.add([number, p.programme.title, _audience(p.programme.cohorts), f.members, f.excused, f.completed,
               f.unfinished, percent(f.rate)], ("programme", p.programme.id))
    return t


def _people_table(s: YearSummary) -> Table:
    t = Table("各类人员在册人数", ["人员类别", "人数"], numbers_from=1)
    for name in REPORT_COHORTS:
        t.add([name, s.cohort_sizes.get(name, 0)])
    return t


def tables(summary: YearSummary) -> list[Table]:
    """The tables the sentences come from, in the order the sentences cite them."""
    return [_session_table(summary), _exam_table(summary), _programme_table(summary), _people_table(summary)]


# --- definitions ------------------------------------------------------------------------------

def definitions() -> list[str]:
    """The definitions used (DESIGN §5), in the words of the statistics pages' tooltips."""
    return [
        "学习次数：本年度已经举办（结束时间已过）的集中学法场次；按参学对象归类：镇干部、村干部或全体人员为镇村干部，"
        "另有行政执法人员、法律明白人和法律带头人。",
        FIGURES["attendance"],
        "考试次数：本年度开考的正式考试场数；模拟、练习不计，补考并入所补的正式考试，不单独计次。",
        *(FIGURES[key] for key in ("expected", "excused", "took", "took_rate", "passed", "pass_rate",
                                   "pass_rate_expected", "mean", "study_rate")),
        "人次：几场考试或几次学法的人数相加，同一人每场各计一次。",
        "法律明白人、法律带头人及各类人员人数：按人员名册的历史记录，本年度最后一天（当年的报告为生成之日）在册的人数。",
        "比率恰为100%时写作“100%”，其余如实保留一位小数（如93.3%）。",
    ]


# --- the .docx --------------------------------------------------------------------------------

def title(year: int, unit_name: str) -> str:
    return f"{unit_name}{year}年度学法考法工作情况（法治政府建设报告材料）"


def unit_name(scope: str | None) -> str:
    """The name the report goes under: the scoped unit, or the one top-level unit (the town)."""
    if scope is not None:
        return db.session.scalar(select(OrgUnit.name).where(OrgUnit.path == scope)) or ""
    names = list(db.session.scalars(select(OrgUnit.name).where(OrgUnit.parent_id.is_(None)).limit(2)))
    return names[0] if len(names) == 1 else ""


def generated_line(at: datetime | None = None) -> str:
    at = at or clock.now()
    return f"生成时间：{clock.cn_day(at)} {clock.time_of_day(at)}（北京时间），数据来自法治学考平台的记录。"
