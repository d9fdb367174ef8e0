"""Effective-dated rosters: the one writer of a person's unit and cohorts (users.org_unit_id,
user_cohorts) and of their history (unit_memberships, cohort_memberships), plus the reads "which
unit was this person in on D" and "who belonged to these groups on D".

Dates are Beijing calendar days. A membership holds on D when begins_on <= D < ends_on (ends_on
exclusive, NULL = still holds); see models/roster.py. An active person has exactly the open rows
that match their present unit and cohorts; a deactivated person has none (their present unit and
cohorts stay in users / user_cohorts, as the pages show them, but they belong nowhere from the day
they were deactivated)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, union

from .. import clock
from ..clock import BEIJING
from ..closed_years import check_dated
from ..errors import ValidationError
from ..extensions import db
from ..models import Cohort, CohortMembership, OrgUnit, UnitMembership, User


def today() -> date:
    return clock.now().astimezone(BEIJING).date()


def check_date(effective: date, *, history: bool = True) -> None:
    """A change takes effect today or earlier; if it writes history, not in or before a closed year."""
    if effective > today():
        raise ValidationError(f"生效日期 {effective:%Y-%m-%d} 晚于今天，不能预先登记。")
    if history:
        check_dated(effective, f"登记生效日期为 {effective:%Y-%m-%d} 的人员变动（会改变该年度的应考、应到、应学人数）")


def _open_units(user_id: int) -> list[UnitMembership]:
    return list(db.session.scalars(select(UnitMembership).where(
        UnitMembership.user_id == user_id, UnitMembership.ends_on.is_(None))))


def _open_cohorts(user_id: int) -> dict[int, CohortMembership]:
    return {m.cohort_id: m for m in db.session.scalars(select(CohortMembership).where(
        CohortMembership.user_id == user_id, CohortMembership.ends_on.is_(None)))}


def _last_end(model, user_id: int, **match) -> date | None:
    """The latest end of a closed row: a new row may not begin before it (no overlapping days)."""
    stmt = select(func.max(model.ends_on)).where(model.user_id == user_id)
    for column, value in match.items():
        stmt = stmt.where(getattr(model, column) == value)
    return db.session.scalar(stmt)


def _close(row: UnitMembership | CohortMembership, effective: date, what: str) -> None:
    if effective < row.begins_on:
        raise ValidationError(f"生效日期 {effective:%Y-%m-%d} 早于该人员现有{what}的开始日期 "
                              f"{row.begins_on:%Y-%m-%d}，请改用不早于该日期的日期。")
    if effective == row.begins_on:
        db.session.delete(row)  # it held on no day: a same-day correction replaces it
    else:
        row.ends_on = effective


def _check_begin(last_end: date | None, effective: date, what: str) -> None:
    if last_end is not None and effective < last_end:
        raise ValidationError(f"生效日期 {effective:%Y-%m-%d} 早于该人员上一段{what}的结束日期 "
                              f"{last_end:%Y-%m-%d}，同一段时间不能重复登记。")


def set_membership(user: User, unit: OrgUnit | None, cohorts: Iterable[Cohort],
                   effective: date, actor: User | None = None) -> dict:
    """Make `unit` and `cohorts` the person's present memberships as of `effective` and write the
    history. The person must already be flushed (have an id). Returns what changed, for the
    caller's audit event: {"effective": "YYYY-MM-DD", "unit": [old, new], "cohorts_added": [...],
    "cohorts_removed": [...]} with only the keys that changed (empty dict: nothing changed).
    `actor` is the acting person, kept for symmetry with the other services (authority is checked
    by the caller)."""
    cohorts = list(dict.fromkeys(cohorts))
    old_unit_id = user.org_unit_id
    new_unit_id = unit.id if unit is not None else None
    old_cohorts = {c.id for c in user.cohorts}
    new_cohorts = {c.id for c in cohorts}
    changes: dict = {}
    if old_unit_id != new_unit_id:
        changes["unit"] = [old_unit_id, new_unit_id]
    if old_cohorts - new_cohorts:
        changes["cohorts_removed"] = sorted(old_cohorts - new_cohorts)
    if new_cohorts - old_cohorts:
        changes["cohorts_added"] = sorted(new_cohorts - old_cohorts)
    if not changes and (not user.active or _history_matches(user)):
        return {}
    check_date(effective, history=user.active)
    if user.active:
        _write_unit(user.id, new_unit_id, effective)
        _write_cohorts(user.id, new_cohorts, effective)
    user.org_unit = unit
    user.cohorts = cohorts
    db.session.flush()
    return {"effective": effective.isoformat(), **changes}


def _history_matches(user: User) -> bool:
    units = [m.org_unit_id for m in _open_units(user.id)]
    return units == ([user.org_unit_id] if user.org_unit_id else []) \
        and set(_open_cohorts(user.id)) == {c.id for c in user.cohorts}


def _write_unit(user_id: int, unit_id: int | None, effective: date) -> None:
    open_rows = _open_units(user_id)
    if [m.org_unit_id for m in open_rows] == ([unit_id] if unit_id else []):
        return
    for row in open_rows:
        _close(row, effective, "单位")
    db.session.flush()  # the old row is closed before the new one meets the one-open-row index
    if unit_id is not None:
        _check_begin(_last_end(UnitMembership, user_id), effective, "单位")
        db.session.add(UnitMembership(user_id=user_id, org_unit_id=unit_id, begins_on=effective))


def _write_cohorts(user_id: int, cohort_ids: set[int], effective: date) -> None:
    open_rows = _open_cohorts(user_id)
    for cohort_id, row in open_rows.items():
        if cohort_id not in cohort_ids:
            _close(row, effective, "人员类别")
    db.session.flush()
    for cohort_id in sorted(cohort_ids - set(open_rows)):
        _check_begin(_last_end(CohortMembership, user_id, cohort_id=cohort_id), effective,
                     "人员类别")
        db.session.add(CohortMembership(user_id=user_id, cohort_id=cohort_id, begins_on=effective))


def end_memberships(user: User, effective: date) -> None:
    """Deactivation: every open membership ends on `effective` (the first day not a member)."""
    check_date(effective)
    for row in _open_units(user.id):
        _close(row, effective, "单位")
    for row in _open_cohorts(user.id).values():
        _close(row, effective, "人员类别")
    db.session.flush()


def reopen_memberships(user: User, effective: date) -> None:
    """Reactivation: the present unit and cohorts hold again from `effective`."""
    check_date(effective)
    _write_unit(user.id, user.org_unit_id, effective)
    _write_cohorts(user.id, {c.id for c in user.cohorts}, effective)
    db.session.flush()


# ---- reads, for figures "as of a date" ----

def held_on(model, day: date) -> ColumnElement[bool]:
    """SQL: this membership row holds on `day`."""
    return and_(model.begins_on <= day, or_(model.ends_on.is_(None), model.ends_on > day))


def unit_on(user_id: int, day: date) -> int | None:
    """The org unit the person belonged to on `day` (None: no unit, or not on the roster)."""
    return db.session.scalar(select(UnitMembership.org_unit_id).where(
        UnitMembership.user_id == user_id, held_on(UnitMembership, day)))


def cohorts_on(user_id: int, day: date) -> set[int]:
    return set(db.session.scalars(select(CohortMembership.cohort_id).where(
        CohortMembership.user_id == user_id, held_on(CohortMembership, day))))


def members_on(day: date, cohort_ids: Iterable[int] = (), unit_paths: Iterable[str] = ()) -> Select:
    """SELECT user_id of everyone who on `day` belonged to one of `cohort_ids` and to a unit in
    one of the subtrees `unit_paths` (OrgUnit.path prefixes). An empty list does not restrict;
    with both empty, everyone on the roster that day (a unit or a cohort membership holding). One
    statement, for use as a subquery. Unit subtrees are read from today's tree (unit moves in the
    tree are not dated)."""
    cohort_ids, unit_paths = list(cohort_ids), list(unit_paths)
    in_cohorts = select(CohortMembership.user_id).where(held_on(CohortMembership, day))
    if cohort_ids:
        in_cohorts = in_cohorts.where(CohortMembership.cohort_id.in_(cohort_ids))
    in_units = (select(UnitMembership.user_id)
                .join(OrgUnit, OrgUnit.id == UnitMembership.org_unit_id)
                .where(held_on(UnitMembership, day)))
    if unit_paths:
        in_units = in_units.where(or_(*[OrgUnit.path.startswith(p) for p in unit_paths]))
    if not cohort_ids and not unit_paths:
        roster = union(in_cohorts, in_units).subquery()
        return select(roster.c.user_id.label("user_id"))
    if not unit_paths:
        return select(in_cohorts.distinct().subquery().c.user_id.label("user_id"))
    if not cohort_ids:
        return select(in_units.distinct().subquery().c.user_id.label("user_id"))
    return select(User.id.label("user_id")).where(User.id.in_(in_cohorts), User.id.in_(in_units))


def history(user_id: int) -> list[UnitMembership | CohortMembership]:
    """Every membership row of one person, oldest first (for the admin page and tests)."""
    rows: list = list(db.session.scalars(select(UnitMembership).where(
        UnitMembership.user_id == user_id)))
    rows += list(db.session.scalars(select(CohortMembership).where(
        CohortMembership.user_id == user_id)))
    return sorted(rows, key=lambda m: (m.begins_on, isinstance(m, CohortMembership), m.id))

