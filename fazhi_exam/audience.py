"""Who a figure is about, as SQL: the members of cohorts and org units (an exam's, a session's or a
programme's audience) as of the audience's date (fazhi_exam.audience_dates), limited to an acting
admin's part of the organisation.

Membership is read from the roster history (accounts/roster.py): who belonged to the groups on that
day — someone who joined later or left earlier is not in it, someone deactivated or moved since
still is, under the unit they were in that day. Unit subtrees are today's tree. An exam adds
everyone with a finished attempt (the attempt proves they were meant to take it), a session keeps
anyone marked present or 补学 (a record is not thrown away), under their unit of that day if they
had one, else their present unit.

The figures (stats/) and the study pages that must show the same people (a programme's progress
page and reminder list, study/completion.py) read it here; nothing imports stats.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select

from .accounts.roster import held_on, members_on
from .models import CohortMembership, Exemption, OrgUnit, UnitMembership, User

# Breakdowns by unit list siblings in their own order (as on the unit admin page), the town first.
UNIT_ORDER = (func.coalesce(func.max(OrgUnit.parent_id), 0), func.max(OrgUnit.sort_order), OrgUnit.id)
# The same order for rows that are not grouped by unit (name lists, the units of a form): the town,
# then its units by their order (科室 and 村 as the town sorted them), never by the text of a path.
UNIT_ROW_ORDER = (func.coalesce(OrgUnit.parent_id, 0), OrgUnit.sort_order, OrgUnit.id)


def excused_ids(kind: str, object_id) -> Select:
    """SELECT user_id of the people with a live exemption (免考 / 请假 / 免学) from the exam, session
    or programme with this id (a value or a correlated column); they are counted apart from 应考 /
    应到 / 应学."""
    column = {"exam": Exemption.exam_id, "session": Exemption.session_id, "programme": Exemption.programme_id}[kind]
    return select(Exemption.user_id).where(column == object_id, Exemption.revoked_at.is_(None))


def unit_then(day: date | ColumnElement) -> ColumnElement[bool]:
    """Join condition for UnitMembership: the person's unit row holding on `day` (at most one)."""
    return and_(UnitMembership.user_id == User.id, held_on(UnitMembership, day))


def cohort_then(user_id: ColumnElement, day: date | ColumnElement) -> ColumnElement[bool]:
    """Join condition for CohortMembership: the person's cohort rows holding on `day` (by-cohort
    breakdowns use the cohorts of the audience's date)."""
    return and_(CohortMembership.user_id == user_id, held_on(CohortMembership, day))


def scope_candidates(scope: str, day: date | ColumnElement) -> Select:
    """SELECT user_id of everyone who could be in `scope` on `day`: a unit row of that day in the
    scope's subtree, or a present unit there. A superset of the exact set (members() decides by the
    unit of that day, else the present one); it lets a village's figures start from the village's
    people instead of filtering the whole town's (the indexes on unit_memberships.org_unit_id and
    users.org_unit_id)."""
    units = select(OrgUnit.id).where(OrgUnit.path.startswith(scope))
    held = select(UnitMembership.user_id).where(UnitMembership.org_unit_id.in_(units), held_on(UnitMembership, day))
    present = select(User.id).where(User.org_unit_id.in_(units))
    return held.union(present)


def members(cohort_ids: list[int], unit_paths: list[str], day: date, *,
            recorded: Select | None = None, scope: str | None = None) -> Select:
    """SELECT user_id, org_unit_id of the audience on `day`, org_unit_id being the unit they were
    in that day. `recorded`: a select of user ids who have a record and therefore count even if
    they were not on the roster that day (their unit then is their present one)."""
    on_roster = User.id.in_(members_on(day, cohort_ids, unit_paths))
    with_record = User.id.in_(recorded) if recorded is not None else false()
    unit_id = func.coalesce(UnitMembership.org_unit_id, User.org_unit_id)
    stmt = (select(User.id.label("user_id"), unit_id.label("org_unit_id"))
            .outerjoin(UnitMembership, unit_then(day))
            .outerjoin(OrgUnit, OrgUnit.id == unit_id)
            .where(or_(on_roster, with_record)))
    if scope is not None:
        stmt = stmt.where(User.id.in_(scope_candidates(scope, day)), OrgUnit.path.startswith(scope))
    return stmt
