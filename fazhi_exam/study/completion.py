"""When a person has completed a training programme — the one definition, as SQL (DESIGN §5
在线学习率): every required material completed, the required hours of credited study time on the
programme's materials reached, and every required session attended (出席 or 补学; 请假 is not).

The programme's roll is its audience at its deadline (audience_dates.programme_day, read from the
roster history), each person under the unit they were in that day, the excused (免学) flagged. The
statistics, the progress page, the reminder list, the personal record, the learner's own page and
the exam gate all read completion from here."""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, select

from ..audience import UNIT_ORDER, UNIT_ROW_ORDER, excused_ids, members
from ..audience_dates import programme_day
from ..models import (
    Attendance,
    Exemption,
    OrgUnit,
    Programme,
    StudyTime,
    User,
    programme_materials,
    programme_sessions,
)

ATTENDED = ("present", "makeup")
WHO = ("members", "completed", "unfinished", "excused", "all")  # members: 应学; all: 应学 and 免学


def _progress_columns(programme_id, user_id: ColumnElement) -> list:
    """The person's progress on the programme, as correlated scalar subqueries (programme_id: a
    value, or a column for many programmes at once)."""
    pm, ps = programme_materials, programme_sessions

    def studied(column):  # over the person's study time on the programme's materials
        return (select(column).select_from(StudyTime).join(pm, pm.c.material_id == StudyTime.material_id)
                .where(pm.c.programme_id == programme_id, StudyTime.user_id == user_id))

    attended = (select(func.count()).select_from(Attendance).join(ps, ps.c.session_id == Attendance.session_id)
                .where(ps.c.programme_id == programme_id, Attendance.user_id == user_id,
                       Attendance.status.in_(ATTENDED)))
    return [
        studied(func.count()).where(StudyTime.completed_at.is_not(None)).scalar_subquery().label("materials_done"),
        select(func.count()).select_from(pm).where(pm.c.programme_id == programme_id)
        .scalar_subquery().label("materials_total"),
        studied(func.coalesce(func.sum(StudyTime.seconds), 0)).scalar_subquery().label("seconds"),
        attended.scalar_subquery().label("sessions_attended"),
        select(func.count()).select_from(ps).where(ps.c.programme_id == programme_id)
        .scalar_subquery().label("sessions_total"),
        select(Programme.required_hours * 3600).where(Programme.id == programme_id)
        .scalar_subquery().label("required_seconds"),
    ]


def with_progress(rows: Subquery, programme_id) -> Select:
    """SELECT rows.*, materials_done, materials_total, seconds, sessions_attended, sessions_total,
    required_seconds and done (1: complete, else 0). `rows` has a user_id column; programme_id is
    a value or a column of `rows`."""
    p = select(rows, *_progress_columns(programme_id, rows.c.user_id)).subquery("progress")
    complete = and_(p.c.materials_done >= p.c.materials_total, p.c.sessions_attended >= p.c.sessions_total,
                    p.c.seconds >= p.c.required_seconds)
    return select(p, case((complete, 1), else_=0).label("done"))


def roll(programme: Programme, scope: str | None = None) -> Select:
    """SELECT user_id, org_unit_id (the unit that day), excused (1: 免学), the progress columns and
    done: everyone in the programme's audience at its deadline. scope: an OrgUnit.path prefix (a
    village admin's village), applied to the unit of that day."""
    excused = User.id.in_(excused_ids("programme", programme.id))
    people = members([c.id for c in programme.cohorts], [], programme_day(programme), scope=scope)
    people = people.add_columns(case((excused, 1), else_=0).label("excused"))
    return with_progress(people.subquery("people"), programme.id)


def counts(r: Subquery) -> list:
    """members (应学), completed and excused over roll rows: the excused are in neither 应学 nor
    完成 (免学 is not 完成)."""
    return [func.coalesce(func.sum(1 - r.c.excused), 0).label("members"),
            func.coalesce(func.sum(case((r.c.excused == 0, r.c.done), else_=0)), 0).label("completed"),
            func.coalesce(func.sum(r.c.excused), 0).label("excused")]


def by_unit(programme: Programme, scope: str | None = None) -> Select:
    """SELECT id, name (of the unit; NULL: none), members, completed, excused per unit of the
    deadline day, in the units' own order."""
    r = roll(programme, scope).subquery("r")
    return (select(OrgUnit.id, OrgUnit.name, *counts(r)).select_from(r)
            .outerjoin(OrgUnit, OrgUnit.id == r.c.org_unit_id)
            .group_by(OrgUnit.id, OrgUnit.name).order_by(*UNIT_ORDER))


def people(programme: Programme, who: str = "members", *, scope: str | None = None,
           unit_id: int | None = None) -> Select:
    """SELECT User, unit (its name that day), reason (of a 免学) and the roll's columns, by unit and
    name. who: one of WHO."""
    r = roll(programme, scope).subquery("r")
    stmt = (select(User, OrgUnit.name.label("unit"), Exemption.reason, r).select_from(r)
            .join(User, User.id == r.c.user_id).outerjoin(OrgUnit, OrgUnit.id == r.c.org_unit_id)
            .outerjoin(Exemption, and_(r.c.excused == 1, Exemption.user_id == r.c.user_id,
                                       Exemption.programme_id == programme.id, Exemption.revoked_at.is_(None)))
            .order_by(*UNIT_ROW_ORDER, User.name, User.id))
    if who != "all":
        stmt = stmt.where(r.c.excused == (1 if who == "excused" else 0))
    if who == "completed":
        stmt = stmt.where(r.c.done == 1)
    elif who == "unfinished":
        stmt = stmt.where(r.c.done == 0)
    if unit_id is not None:
        stmt = stmt.where(r.c.org_unit_id == unit_id)
    return stmt
