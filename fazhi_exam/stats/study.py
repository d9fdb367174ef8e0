"""The study figures of DESIGN §5: sessions held and their attendance, and the online study rate of
each training programme — with the names behind them.

- 出勤率 of a session = present / expected; expected (应到) = the session's audience (members of its
  cohorts and units on its day, read from the roster history, plus anyone with an attendance mark,
  as a mark is not thrown away) less those on 请假. By unit: the unit each person was in that day. 请假 is the
  session exemption (study/exemptions.py): every "leave" mark has one with its reason, so the mark
  is what is counted; 请假 is shown apart. 补学 is in 应到 and shown apart, not 出勤.
- 在线学习率 of a programme = people of its cohorts at its deadline (or on Dec 31 of its year; study
  time does not make a member), less those excused (免学), who completed it / those people; the
  excused are counted apart. Who is in it and what "completed" means are the study domain's
  (study/completion.py: materials, hours and required sessions); this module adds them up."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, exists, func, literal, not_, or_, select, true
from sqlalchemy.orm import aliased

from .. import clock
from ..accounts.roster import held_on
from ..audience import UNIT_ORDER, UNIT_ROW_ORDER, cohort_then, unit_then
from ..audience_dates import programme_day, session_day
from ..extensions import db
from ..models import (
    Attendance,
    Cohort,
    CohortMembership,
    Exemption,
    OrgUnit,
    Programme,
    StudyPlan,
    StudySession,
    UnitMembership,
    User,
    session_cohorts,
    session_units,
)
from ..study import completion


def _session_audience(session_id, day) -> ColumnElement[bool]:
    """SQL: was User in the audience of the session with this id on `day` (its day: a value, or
    a column for many sessions at once)? Read from the roster history; with no cohorts and no
    units, everyone on the roster that day."""
    cm, um = aliased(CohortMembership), aliased(UnitMembership)
    member_unit, unit = aliased(OrgUnit), OrgUnit.__table__.alias("session_unit")
    on_roster = or_(exists().where(cm.user_id == User.id, held_on(cm, day)),
                    exists().where(um.user_id == User.id, held_on(um, day)))
    no_cohorts = not_(exists().where(session_cohorts.c.session_id == session_id))
    in_cohorts = exists().where(session_cohorts.c.session_id == session_id,
                                cm.cohort_id == session_cohorts.c.cohort_id,
                                cm.user_id == User.id, held_on(cm, day))
    no_units = not_(exists().where(session_units.c.session_id == session_id))
    in_units = exists().where(session_units.c.session_id == session_id, unit.c.id == session_units.c.org_unit_id,
                              um.user_id == User.id, held_on(um, day), member_unit.id == um.org_unit_id,
                              member_unit.path.startswith(unit.c.path))
    return and_(on_roster, or_(no_cohorts, in_cohorts), or_(no_units, in_units))


def session_days(year: int | None = None) -> ColumnElement:
    """SQL: the day of the session StudySession.id (of this year; None: any), from a small map built
    here — a Beijing date cannot be computed from a UTC timestamp the same way on SQLite and
    PostgreSQL."""
    stmt = select(StudySession) if year is None else sessions_in(year)
    days = {s.id: session_day(s) for s in db.session.scalars(stmt)}
    return case(days, value=StudySession.id) if days else literal(None)


@dataclass
class SessionRow:
    session: StudySession
    expected: int  # 应到, less 请假
    present: int
    leave: int  # 请假: excused, not in 应到
    makeup: int

    @property
    def excused(self) -> int:
        return self.leave

    @property
    def absent(self) -> int:
        return self.expected - self.present - self.makeup

    @property
    def rate(self) -> float | None:  # 出勤率
        return self.present / self.expected if self.expected else None



def sessions_in(year: int) -> Select:
    start, end = clock.year_bounds(year)
    return (select(StudySession).join(StudyPlan)
            .where(StudySession.starts_at >= start, StudySession.starts_at < end))


def _pairs(year: int, scope: str | None, *, held_only: bool = True):
    """(session, user) pairs of the year's sessions and their expected people, with the mark."""
    start, end = clock.year_bounds(year)
    mark = aliased(Attendance)
    marked = exists().where(mark.session_id == StudySession.id, mark.user_id == User.id)
    day = session_days(year)
    unit_id = func.coalesce(UnitMembership.org_unit_id, User.org_unit_id)  # the unit that day
    stmt = (select(StudySession.id.label("session_id"), User.id.label("user_id"), OrgUnit.id.label("unit_id"),
                   Attendance.status)
            .select_from(StudySession).join(User, true())
            .outerjoin(UnitMembership, unit_then(day))
            .outerjoin(OrgUnit, OrgUnit.id == unit_id)
            .outerjoin(Attendance, and_(Attendance.session_id == StudySession.id, Attendance.user_id == User.id))
            .where(StudySession.starts_at >= start, StudySession.starts_at < end,
                   or_(_session_audience(StudySession.id, day), marked)))
    if held_only:
        stmt = stmt.where(StudySession.ends_at <= clock.now())
    if scope is not None:
        stmt = stmt.where(OrgUnit.path.startswith(scope))
    return stmt.subquery("pairs")


def _counts(p) -> list:
    return [func.sum(case((p.c.status == "leave", 0), else_=1)).label("expected"),
            func.sum(case((p.c.status == "present", 1), else_=0)).label("present"),
            func.sum(case((p.c.status == "leave", 1), else_=0)).label("leave"),
            func.sum(case((p.c.status == "makeup", 1), else_=0)).label("makeup")]


def session_rows(year: int, scope: str | None = None) -> list[SessionRow]:
    """Every session of the year that has ended, with its attendance; one aggregate."""
    p = _pairs(year, scope)
    counts = {r.session_id: r for r in db.session.execute(select(p.c.session_id, *_counts(p))
                                                          .group_by(p.c.session_id))}
    sessions = db.session.scalars(sessions_in(year).where(StudySession.ends_at <= clock.now())
                                  .order_by(StudySession.starts_at))
    rows = []
    for s in sessions:
        r = counts.get(s.id)
        rows.append(SessionRow(s, int(r.expected), int(r.present), int(r.leave), int(r.makeup)) if r
                    else SessionRow(s, 0, 0, 0, 0))
    return rows


def attendance_by_month(year: int, scope: str | None = None) -> list[tuple[int, int, int]]:
    """(month, expected, present) for each month with a session held."""
    p = _pairs(year, scope)
    month_of = {s.id: clock_month(s.starts_at) for s in db.session.scalars(sessions_in(year))}
    totals: dict[int, list[int]] = {}
    for session_id, expected, present, _, _ in db.session.execute(select(p.c.session_id, *_counts(p))
                                                                  .group_by(p.c.session_id)):
        t = totals.setdefault(month_of[session_id], [0, 0])
        t[0] += int(expected)
        t[1] += int(present)
    return [(m, *totals[m]) for m in sorted(totals)]


@dataclass
class AttendanceTotals:
    """Person-sessions of the year for a unit or a person: expected (less 请假), present, leave,
    makeup."""

    label: str
    expected: int
    present: int
    leave: int
    makeup: int
    key: int | None = None
    username: str = ""

    @property
    def excused(self) -> int:
        return self.leave

    @property
    def absent(self) -> int:
        return self.expected - self.present - self.makeup

    @property
    def rate(self) -> float | None:
        return self.present / self.expected if self.expected else None


def attendance_by_unit(year: int, scope: str | None = None) -> list[AttendanceTotals]:
    """The year's sessions added up per org unit (人次)."""
    p = _pairs(year, scope)
    stmt = (select(OrgUnit.id, OrgUnit.name, *_counts(p)).select_from(p)
            .outerjoin(OrgUnit, OrgUnit.id == p.c.unit_id)
            .group_by(OrgUnit.id, OrgUnit.name).order_by(*UNIT_ORDER))
    return [AttendanceTotals(r.name or "（未分配单位）", int(r.expected), int(r.present), int(r.leave),
                             int(r.makeup), r.id)
            for r in db.session.execute(stmt)]


def attendance_by_person(year: int, scope: str | None = None, unit_id: int | None = None) -> list[AttendanceTotals]:
    """The names behind a unit's figure: each person's sessions of the year."""
    p = _pairs(year, scope)
    stmt = (select(User.id, User.name, User.username, *_counts(p)).select_from(p)
            .join(User, User.id == p.c.user_id).outerjoin(OrgUnit, OrgUnit.id == p.c.unit_id)
            .group_by(User.id, User.name, User.username, OrgUnit.path, OrgUnit.parent_id, OrgUnit.sort_order,
                      OrgUnit.id)
            .order_by(*UNIT_ROW_ORDER, User.name, User.id))
    if unit_id is not None:
        stmt = stmt.where(p.c.unit_id == unit_id)
    return [AttendanceTotals(r.name, int(r.expected), int(r.present), int(r.leave), int(r.makeup), r.id, r.username)
            for r in db.session.execute(stmt)]


def clock_month(at: datetime) -> int:
    return at.astimezone(clock.BEIJING).month


@dataclass
class AttendancePerson:
    user_id: int
    name: str
    username: str
    unit: str
    status: str | None
    reason: str = ""  # of a 请假


def session_people(session: StudySession, who: str = "expected", scope: str | None = None) -> list[AttendancePerson]:
    """who: expected (应到, less 请假) / present / leave (with the reason) / makeup / absent (no mark or
    marked absent) / all (应到 and 请假)."""
    mark = aliased(Attendance)
    marked = exists().where(mark.session_id == session.id, mark.user_id == User.id)
    day = session_day(session)
    stmt = (select(User.id, User.name, User.username, OrgUnit.name, Attendance.status, Exemption.reason)
            .outerjoin(UnitMembership, unit_then(day))
            .outerjoin(OrgUnit, OrgUnit.id == func.coalesce(UnitMembership.org_unit_id, User.org_unit_id))
            .outerjoin(Attendance, and_(Attendance.session_id == session.id, Attendance.user_id == User.id))
            .outerjoin(Exemption, and_(Attendance.status == "leave", Exemption.user_id == User.id,
                                       Exemption.session_id == session.id, Exemption.revoked_at.is_(None)))
            .where(or_(_session_audience(session.id, day), marked))
            .order_by(*UNIT_ROW_ORDER, User.name, User.id))
    if scope is not None:
        stmt = stmt.where(OrgUnit.path.startswith(scope))
    if who in ("present", "leave", "makeup"):
        stmt = stmt.where(Attendance.status == who)
    elif who == "absent":
        stmt = stmt.where(or_(Attendance.status.is_(None), Attendance.status == "absent"))
    elif who != "all":
        stmt = stmt.where(or_(Attendance.status.is_(None), Attendance.status != "leave"))
    return [AttendancePerson(r[0], r[1], r[2], r[3], r[4], r[5] or "") for r in db.session.execute(stmt)]


# --- online study (programmes) ---------------------------------------------------------------

@dataclass
class StudyFigures:
    label: str
    members: int  # 应学, less the excused
    completed: int
    key: int | None = None
    excused: int = 0  # 免学, not in 应学

    @property
    def rate(self) -> float | None:  # 在线学习率
        return self.completed / self.members if self.members else None

    @property
    def unfinished(self) -> int:
        return self.members - self.completed


def programme_figures(programme: Programme, scope: str | None = None) -> StudyFigures:
    r = completion.roll(programme, scope).subquery("r")
    row = db.session.execute(select(*completion.counts(r))).one()
    return StudyFigures("合计", int(row.members), int(row.completed), excused=int(row.excused))


def programme_by_unit(programme: Programme, scope: str | None = None) -> list[StudyFigures]:
    return [StudyFigures(r.name or "（未分配单位）", int(r.members), int(r.completed), r.id, int(r.excused))
            for r in db.session.execute(completion.by_unit(programme, scope))]


def _in_cohorts(programme: Programme, scope: str | None) -> Subquery:
    """The roll once per programme cohort each person was in at the deadline (every cohort, for a
    programme of everyone): the rows of the by-cohort table."""
    r = completion.roll(programme, scope).subquery("r")
    ids = [c.id for c in programme.cohorts]
    return (select(r, CohortMembership.cohort_id).select_from(r)
            .join(CohortMembership, cohort_then(r.c.user_id, programme_day(programme)))
            .where(CohortMembership.cohort_id.in_(ids) if ids else true())).subquery("rc")


def programme_by_cohort(programme: Programme, scope: str | None = None) -> list[StudyFigures]:
    """A person in two of the programme's cohorts counts in both rows (programme_overlap says how
    many); otherwise the rows add up to the total."""
    rc = _in_cohorts(programme, scope)
    stmt = (select(Cohort.id, Cohort.name, *completion.counts(rc)).select_from(rc)
            .join(Cohort, Cohort.id == rc.c.cohort_id)
            .group_by(Cohort.id, Cohort.name, Cohort.sort_order).order_by(Cohort.sort_order))
    return [StudyFigures(r.name, int(r.members), int(r.completed), r.id, int(r.excused))
            for r in db.session.execute(stmt)]


def programme_overlap(programme: Programme, scope: str | None = None) -> int:
    """应学 people counted in two or more rows of the by-cohort table."""
    rc = _in_cohorts(programme, scope)
    twice = (select(rc.c.user_id).where(rc.c.excused == 0).group_by(rc.c.user_id)
             .having(func.count() > 1)).subquery("twice")
    return db.session.scalar(select(func.count()).select_from(twice)) or 0


@dataclass
class StudyPerson:
    user_id: int
    name: str
    username: str
    unit: str
    done: bool
    excused: bool = False
    reason: str = ""  # of a 免学


def programme_people(programme: Programme, who: str = "members", *, scope: str | None = None,
                     unit_id: int | None = None) -> list[StudyPerson]:
    """who: members / completed / unfinished / excused (免学, with the reason) / all (应学 and 免学)."""
    rows = db.session.execute(completion.people(programme, who, scope=scope, unit_id=unit_id))
    return [StudyPerson(r.User.id, r.User.name, r.User.username, r.unit or "", bool(r.done) and not r.excused,
                        bool(r.excused), r.reason or "") for r in rows]
