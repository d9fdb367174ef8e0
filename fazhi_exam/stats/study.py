"""The study figures of DESIGN §5: sessions held and their attendance, and the online study rate of
each training programme — with the names behind them.

- 出勤率 of a session = present / expected; expected (应到) = the session's audience (members of its
  cohorts and units on its day, read from the roster history, plus anyone with an attendance mark,
  as a mark is not thrown away) less those on 请假. By unit: the unit each person was in that day. 请假 is the
  session exemption (study/exemptions.py): every "leave" mark has one with its reason, so the mark
  is what is counted; 请假 is shown apart. 补学 is in 应到 and shown apart, not 出勤.
- 在线学习率 of a programme = people of its cohorts at its deadline (or on Dec 31 of its year; study
  time does not make a member), less those excused (免学), who completed every
  required material and reached the required hours / those people. The excused are counted apart."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, not_, or_, select, true
from sqlalchemy.orm import aliased

from .. import clock
from ..accounts.roster import held_on
from ..audience_dates import programme_day, session_day
from ..extensions import db
from ..models import (
    Attendance,
    Cohort,
    CohortMembership,
    Exemption,
    OrgUnit,
    Programme,
    StudyMaterial,
    StudyPlan,
    StudySession,
    StudyTime,
    UnitMembership,
    User,
    programme_cohorts,
    programme_materials,
    session_cohorts,
    session_units,
)
from ..audience import UNIT_ORDER, cohort_then, excused_ids, members, unit_then


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
            .group_by(User.id, User.name, User.username, OrgUnit.path).order_by(OrgUnit.path, User.name, User.id))
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
            .order_by(OrgUnit.path, User.name, User.id))
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


def _programme_cohort_ids(programme: Programme) -> list[int]:
    return list(db.session.scalars(select(programme_cohorts.c.cohort_id)
                                   .where(programme_cohorts.c.programme_id == programme.id)))


def programme_members(programme: Programme, scope: str | None = None, *, with_excused: bool = False) -> Select:
    """SELECT user_id, org_unit_id, excused: 应学; with_excused also the excused (免学, excused = 1)."""
    cohort_ids = _programme_cohort_ids(programme)
    excused = User.id.in_(excused_ids("programme", programme.id))
    stmt = members(cohort_ids, [], programme_day(programme), scope=scope).add_columns(
        case((excused, 1), else_=0).label("excused"))
    return stmt if with_excused else stmt.where(not_(excused))


def programme_completion(programme: Programme) -> Select:
    """SELECT user_id, done (1 when every required material is completed and the hours reached)."""
    n_materials = (select(func.count()).select_from(programme_materials)
                   .where(programme_materials.c.programme_id == programme.id).scalar_subquery())
    completed = func.sum(case((StudyTime.completed_at.is_not(None), 1), else_=0))
    return (select(StudyTime.user_id,
                   case((and_(completed >= n_materials,
                              func.sum(StudyTime.seconds) >= programme.required_hours * 3600), 1), else_=0)
                   .label("done"))
            .join(programme_materials, programme_materials.c.material_id == StudyTime.material_id)
            .join(StudyMaterial, StudyMaterial.id == StudyTime.material_id)
            .where(programme_materials.c.programme_id == programme.id)
            .group_by(StudyTime.user_id))


def _study_counts(m, c) -> list:
    """An excused person is out of both 应学 and 完成 (免学 is not 完成)."""
    return [func.coalesce(func.sum(1 - m.c.excused), 0).label("members"),
            func.coalesce(func.sum(case((m.c.excused == 0, c.c.done), else_=0)), 0).label("completed"),
            func.coalesce(func.sum(m.c.excused), 0).label("excused")]


def programme_figures(programme: Programme, scope: str | None = None) -> StudyFigures:
    m = programme_members(programme, scope, with_excused=True).subquery("m")
    c = programme_completion(programme).subquery("c")
    r = db.session.execute(select(*_study_counts(m, c)).select_from(m)
                           .outerjoin(c, c.c.user_id == m.c.user_id)).one()
    return StudyFigures("合计", int(r.members), int(r.completed), excused=int(r.excused))


def programme_by_unit(programme: Programme, scope: str | None = None) -> list[StudyFigures]:
    m = programme_members(programme, scope, with_excused=True).subquery("m")
    c = programme_completion(programme).subquery("c")
    stmt = (select(OrgUnit.id, OrgUnit.name, *_study_counts(m, c)).select_from(m)
            .outerjoin(c, c.c.user_id == m.c.user_id).outerjoin(OrgUnit, OrgUnit.id == m.c.org_unit_id)
            .group_by(OrgUnit.id, OrgUnit.name).order_by(*UNIT_ORDER))
    return [StudyFigures(r.name or "（未分配单位）", int(r.members), int(r.completed), r.id, int(r.excused))
            for r in db.session.execute(stmt)]


def programme_by_cohort(programme: Programme, scope: str | None = None) -> list[StudyFigures]:
    m = programme_members(programme, scope, with_excused=True).subquery("m")
    c = programme_completion(programme).subquery("c")
    ids = _programme_cohort_ids(programme)
    stmt = (select(Cohort.id, Cohort.name, *_study_counts(m, c)).select_from(m)
            .join(CohortMembership, cohort_then(m.c.user_id, programme_day(programme)))
            .join(Cohort, Cohort.id == CohortMembership.cohort_id)
            .outerjoin(c, c.c.user_id == m.c.user_id)
            .where(Cohort.id.in_(ids) if ids else true())
            .group_by(Cohort.id, Cohort.name, Cohort.sort_order).order_by(Cohort.sort_order))
    return [StudyFigures(r.name, int(r.members), int(r.completed), r.id, int(r.excused))
            for r in db.session.execute(stmt)]


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
    m = programme_members(programme, scope, with_excused=True).subquery("m")
    c = programme_completion(programme).subquery("c")
    stmt = (select(User.id, User.name, User.username, OrgUnit.name, func.coalesce(c.c.done, 0), m.c.excused,
                   Exemption.reason)
            .select_from(m).join(User, User.id == m.c.user_id)
            .outerjoin(OrgUnit, OrgUnit.id == m.c.org_unit_id).outerjoin(c, c.c.user_id == m.c.user_id)
            .outerjoin(Exemption, and_(m.c.excused == 1, Exemption.user_id == m.c.user_id,
                                       Exemption.programme_id == programme.id, Exemption.revoked_at.is_(None)))
            .order_by(OrgUnit.path, User.name, User.id))
    if who != "all":
        stmt = stmt.where(m.c.excused == (1 if who == "excused" else 0))
    if unit_id is not None:
        stmt = stmt.where(m.c.org_unit_id == unit_id)
    if who == "completed":
        stmt = stmt.where(c.c.done == 1)
    elif who == "unfinished":
        stmt = stmt.where(func.coalesce(c.c.done, 0) == 0)
    return [StudyPerson(r[0], r[1], r[2], r[3] or "", bool(r[4]) and not r[5], bool(r[5]), r[6] or "")
            for r in db.session.execute(stmt)]
