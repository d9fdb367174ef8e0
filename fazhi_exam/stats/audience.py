"""Who a figure is about, as SQL: the members of cohorts and org units (an exam's, a session's or a
programme's audience) at a moment, limited to an acting admin's part of the organisation.

Membership history is not kept, so "members at the close" is read as: active accounts in the groups
now — plus everyone who has a record (a finished attempt, an attendance mark), who was necessarily a
member when it was made, even if they have since left the groups or been deactivated."""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true

from ..models import Exemption, OrgUnit, User, user_cohorts

# Breakdowns by unit list siblings in their own order (as on the unit admin page), the town first.
UNIT_ORDER = (func.coalesce(func.max(OrgUnit.parent_id), 0), func.max(OrgUnit.sort_order), OrgUnit.id)


def in_groups_sql(cohort_ids: list[int], unit_paths: list[str]) -> ColumnElement[bool]:
    """The SQL twin of accounts.scope.in_groups (empty lists: no restriction)."""
    conditions: list[ColumnElement[bool]] = []
    if cohort_ids:
        conditions.append(exists().where(user_cohorts.c.user_id == User.id,
                                         user_cohorts.c.cohort_id.in_(cohort_ids)))
    if unit_paths:
        conditions.append(or_(*[OrgUnit.path.startswith(p) for p in unit_paths]))
    return and_(true(), *conditions)


def excused_ids(kind: str, object_id) -> Select:
    """SELECT user_id of the people with a live exemption (免考 / 请假 / 免学) from the exam, session
    or programme with this id (a value or a correlated column); they are counted apart from 应考 /
    应到 / 应学."""
    column = {"exam": Exemption.exam_id, "session": Exemption.session_id, "programme": Exemption.programme_id}[kind]
    return select(Exemption.user_id).where(column == object_id, Exemption.revoked_at.is_(None))


def members(cohort_ids: list[int], unit_paths: list[str], *,
            recorded: Select | None = None, scope: str | None = None) -> Select:
    """SELECT user_id, org_unit_id of the audience. `recorded`: a select of user ids who have a
    record and therefore count even if they left the groups or were deactivated since."""
    member = and_(in_groups_sql(cohort_ids, unit_paths), User.active.is_(True))
    with_record = User.id.in_(recorded) if recorded is not None else false()
    stmt = (select(User.id.label("user_id"), User.org_unit_id.label("org_unit_id"))
            .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
            .where(or_(member, with_record)))
    if scope is not None:
        stmt = stmt.where(OrgUnit.path.startswith(scope))
    return stmt
