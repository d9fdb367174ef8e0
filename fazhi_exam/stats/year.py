"""A year at a glance: the figures the annual 法治政府建设报告 cites, gathered from exams, sessions and
programmes. Exams and sessions are sorted into the report's groups by their audience's cohorts:
镇村干部 (镇干部 or 村干部, or everyone), 行政执法人员, 法律明白人 (明白人 or 带头人)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from .. import clock
from ..accounts.roster import today
from ..audience import cohort_then, members
from ..extensions import db
from ..models import Cohort, CohortMembership, Exam, Programme, StudySession, exam_cohorts
from . import exams as exam_stats
from . import study

GROUPS = {
    "cadre": ("镇村干部", {"镇干部", "村干部"}),
    "enforcement": ("行政执法人员", {"行政执法人员"}),
    "mingbai": ("法律明白人、法律带头人", {"法律明白人", "法律带头人"}),
}


def groups_of(cohort_names: set[str]) -> set[str]:
    """The report groups an audience belongs to; an audience of everyone is 镇村干部."""
    if not cohort_names:
        return {"cadre"}
    return {key for key, (_, names) in GROUPS.items() if cohort_names & names}


@dataclass
class ExamLine:
    exam: Exam
    figures: exam_stats.Figures
    groups: set[str]


@dataclass
class ProgrammeLine:
    programme: Programme
    figures: study.StudyFigures


@dataclass
class YearSummary:
    year: int
    scope: str | None
    exams: list[ExamLine] = field(default_factory=list)
    sessions: list[study.SessionRow] = field(default_factory=list)
    session_groups: dict[int, set[str]] = field(default_factory=dict)
    programmes: list[ProgrammeLine] = field(default_factory=list)
    cohort_sizes: dict[str, int] = field(default_factory=dict)

    def exams_of(self, group: str) -> list[ExamLine]:
        return [e for e in self.exams if group in e.groups]

    def sessions_of(self, group: str) -> list[study.SessionRow]:
        return [s for s in self.sessions if group in self.session_groups.get(s.session.id, set())]

    def pooled(self, group: str) -> exam_stats.Figures:
        """The group's exams added up (each exam's people counted once per exam)."""
        total = exam_stats.Figures(label=GROUPS[group][0])
        for line in self.exams_of(group):
            f = line.figures
            total.expected += f.expected
            total.took += f.took
            total.passed += f.passed
            total.pending += f.pending
            total.excused += f.excused
        return total

    @property
    def attendance(self) -> tuple[int, int]:
        return sum(s.present for s in self.sessions), sum(s.expected for s in self.sessions)

    def study_rate(self, group: str) -> tuple[int, int]:
        """(completed, members) over the year's programmes for the group's cohorts."""
        lines = [p for p in self.programmes if group in groups_of({c.name for c in p.programme.cohorts})]
        return sum(p.figures.completed for p in lines), sum(p.figures.members for p in lines)


def formal_exams(year: int) -> list[Exam]:
    start, end = clock.year_bounds(year)
    return list(db.session.scalars(select(Exam).where(Exam.kind == "formal", Exam.status != "draft",
                                                      Exam.opens_at >= start, Exam.opens_at < end)
                                   .order_by(Exam.opens_at, Exam.id)))


def _exam_groups(exam_ids: list[int]) -> dict[int, set[str]]:
    names: dict[int, set[str]] = {i: set() for i in exam_ids}
    for exam_id, name in db.session.execute(select(exam_cohorts.c.exam_id, Cohort.name)
                                            .join(Cohort, Cohort.id == exam_cohorts.c.cohort_id)
                                            .where(exam_cohorts.c.exam_id.in_(exam_ids))):
        names[exam_id].add(name)
    return {i: groups_of(n) for i, n in names.items()}


def roster_day(year: int) -> date:
    """The day the year's head counts are read on: its last day, or today during the year."""
    return min(date(year, 12, 31), today())


def cohort_sizes(year: int, scope: str | None = None) -> dict[str, int]:
    """People per cohort on the roster of roster_day(year) (the roster history, so a past year's
    report keeps its figures), in the scope by the unit they were in that day."""
    day = roster_day(year)
    m = members([], [], day, scope=scope).subquery("m")
    stmt = (select(Cohort.name, func.count()).select_from(m).join(CohortMembership, cohort_then(m.c.user_id, day))
            .join(Cohort, Cohort.id == CohortMembership.cohort_id).group_by(Cohort.name))
    return dict(db.session.execute(stmt).all())


def summary(year: int, scope: str | None = None) -> YearSummary:
    s = YearSummary(year, scope)
    exams = formal_exams(year)
    groups = _exam_groups([e.id for e in exams])
    s.exams = [ExamLine(e, exam_stats.figures(e, scope), groups[e.id]) for e in exams]
    s.sessions = study.session_rows(year, scope)
    s.session_groups = {r.session.id: groups_of({c.name for c in r.session.cohorts}) for r in s.sessions}
    programmes = db.session.scalars(select(Programme).where(Programme.year == year).order_by(Programme.id))
    s.programmes = [ProgrammeLine(p, study.programme_figures(p, scope)) for p in programmes]
    s.cohort_sizes = cohort_sizes(year, scope)
    return s


def planned_sessions(year: int) -> int:
    return db.session.scalar(select(func.count()).select_from(study.sessions_in(year).subquery())) or 0


def years_with_records() -> list[int]:
    """Years that have a formal exam, a session or a programme, newest first (for the year picker)."""
    years = {p for p in db.session.scalars(select(Programme.year))}
    for at in db.session.scalars(select(Exam.opens_at).where(Exam.kind == "formal")):
        years.add(at.astimezone(clock.BEIJING).year)
    for at in db.session.scalars(select(StudySession.starts_at)):
        years.add(at.astimezone(clock.BEIJING).year)
    years.add(clock.now().astimezone(clock.BEIJING).year)
    return sorted(years, reverse=True)
