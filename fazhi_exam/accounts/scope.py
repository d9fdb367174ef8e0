"""What part of the organisation an acting admin or trainer may see and manage."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, exists, select

from ..errors import NotFound
from ..extensions import db
from ..models import OrgUnit, User
from .roster import members_on


def scope_unit(actor: User) -> OrgUnit | None:
    """None means the whole organisation (a town-level admin)."""
    return actor.scope_org_unit


def scope_path(actor: User) -> str | None:
    """The OrgUnit.path prefix of the actor's part of the organisation, for SQL (None: all of it)."""
    unit = scope_unit(actor)
    return unit.path if unit is not None else None


def unit_in_scope(actor: User, unit: OrgUnit | None) -> bool:
    scope = scope_unit(actor)
    if scope is None:
        return True
    return unit is not None and unit.path.startswith(scope.path)


def units_in_scope(actor: User) -> list[OrgUnit]:
    """The units the actor may see, as a tree: each unit followed by the units under it, brothers in
    the order the town gave them (sort_order), never by the text of their paths ("/1/10/" < "/1/2/")."""
    stmt = select(OrgUnit)
    scope = scope_unit(actor)
    if scope is not None:
        stmt = stmt.where(OrgUnit.path.startswith(scope.path))
    units = list(db.session.scalars(stmt))
    order = {u.id: (u.sort_order, u.id) for u in units}

    def key(unit: OrgUnit) -> list[tuple[int, int]]:
        return [order.get(int(i), (0, int(i))) for i in unit.path.strip("/").split("/") if i]

    return sorted(units, key=key)


def restrict_users(stmt: Select, actor: User) -> Select:
    """Limit a query over User to the actor's scope."""
    scope = scope_unit(actor)
    if scope is None:
        return stmt
    return stmt.join(OrgUnit, User.org_unit_id == OrgUnit.id).where(
        OrgUnit.path.startswith(scope.path))


def may_manage(actor: User | None, target: User) -> bool:
    """A scoped admin manages the people of their unit, but not an account whose own authority
    reaches further than theirs (a town trainer living in the village, say)."""
    if actor is None or scope_unit(actor) is None:
        return True
    if not unit_in_scope(actor, target.org_unit):
        return False
    if target.roles & {"admin", "trainer"}:
        return target.scope_org_unit is not None and unit_in_scope(actor, target.scope_org_unit)
    return True


def get_user_in_scope(actor: User, user_id: int) -> User:
    """A person the actor may manage (404 otherwise: outside looks like absent)."""
    user = db.session.get(User, user_id)
    if user is None or not may_manage(actor, user):
        raise NotFound("用户不存在，或不在您管理的范围内。")
    return user


def get_unit_in_scope(actor: User, unit_id: int | None) -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not unit_in_scope(actor, unit):
        raise NotFound("单位不存在，或不在您管理的范围内。")
    return unit


def in_groups_on(user: User, day: date, cohorts: list, units: list[OrgUnit]) -> bool:
    """Was the user among these cohorts and org units on `day` (an exam's, a session's or a
    programme's audience, dated by fazhi_exam.audience_dates)? Read from the roster history, so a
    person who joined later or left earlier is not; an empty list means no restriction (but the
    person must have been on the roster that day); a unit includes the units under it (today's
    tree). One query."""
    on_roster = members_on(day, [c.id for c in cohorts], [u.path for u in units]).subquery()
    return bool(db.session.scalar(select(exists().where(on_roster.c.user_id == user.id))))
