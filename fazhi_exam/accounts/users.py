"""Creating, editing, (de)activating users and resetting passwords, within the actor's scope."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from .. import audit, clock
from ..errors import PermissionDenied, ValidationError
from ..extensions import db
from ..models import ROLES, Cohort, OrgUnit, User
from . import roster
from .auth import normalise_identifier, revoke_sessions
from .passwords import hash_password, validate_new_password
from .scope import may_manage, restrict_users, scope_unit, unit_in_scope

PHONE = re.compile(r"^1\d{10}$")
USERNAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{2,64}$")


@dataclass
class UserFields:
    """What the admin form, the import file and the CLI all give for one user."""

    username: str
    name: str
    phone: str | None = None
    org_unit: OrgUnit | None = None
    cohorts: list[Cohort] = field(default_factory=list)
    roles: set[str] = field(default_factory=lambda: {"learner"})
    scope_unit: OrgUnit | None = None


def clean_fields(f: UserFields) -> UserFields:
    username = normalise_identifier(f.username)
    phone = normalise_identifier(f.phone or "") or None
    if not username:
        raise ValidationError("用户名或手机号不能为空。")
    if not USERNAME.match(username):
        raise ValidationError("用户名只能包含字母、数字、汉字和 _ . - @，长度 2–64。")
    if phone is None and PHONE.match(username):
        phone = username
    if phone is not None and not PHONE.match(phone):
        raise ValidationError(f"手机号“{phone}”格式不正确（应为 11 位数字）。")
    name = (f.name or "").strip()
    if not name:
        raise ValidationError("姓名不能为空。")
    if len(name) > 50:
        raise ValidationError("姓名不能超过 50 个字。")
    roles = set(f.roles)
    if not roles or not roles <= set(ROLES):
        raise ValidationError("请至少选择一个有效角色。")
    return UserFields(username, name, phone, f.org_unit, list(f.cohorts), roles, f.scope_unit)


def identifier_taken(value: str, exclude: User | None = None) -> bool:
    stmt = select(User.id).where(or_(User.username == value, User.phone == value))
    if exclude is not None and exclude.id is not None:
        stmt = stmt.where(User.id != exclude.id)
    return db.session.scalar(stmt.limit(1)) is not None


def _check_authority(actor: User | None, f: UserFields, target: User | None) -> None:
    if actor is None or scope_unit(actor) is None:
        return
    if target is not None and not may_manage(actor, target):
        raise PermissionDenied("该用户不在您管理的范围内。")
    if not unit_in_scope(actor, f.org_unit):
        raise PermissionDenied("只能把用户放在您管理的单位及其下属单位中。")
    if f.roles & {"admin", "trainer"}:
        if f.scope_unit is None or not unit_in_scope(actor, f.scope_unit):
            raise PermissionDenied("您只能授予本单位范围内的管理权限。")


def _apply(user: User, f: UserFields) -> None:
    for value in filter(None, {f.username, f.phone}):
        if identifier_taken(value, exclude=user):
            raise ValidationError(f"用户名或手机号“{value}”已被其他账号使用。",
                                  code="duplicate_username")
    user.username, user.name, user.phone = f.username, f.name, f.phone
    user.scope_org_unit = f.scope_unit if f.roles & {"admin", "trainer"} else None
    user.roles = f.roles


def create_user(actor: User | None, fields: UserFields, password: str, *,
                must_change_password: bool = True, password_hash: str | None = None,
                effective: date | None = None) -> User:
    """`effective`: the day the person joined their unit and cohorts (入册日期; default today)."""
    f = clean_fields(fields)
    effective = effective or roster.today()
    roster.check_date(effective, history=bool(f.org_unit or f.cohorts))
    _check_authority(actor, f, None)
    if password_hash is None:
        validate_new_password(password, username=f.username, phone=f.phone, name=f.name)
        password_hash = hash_password(password)
    user = User(password_hash=password_hash, must_change_password=must_change_password,
                created_at=clock.now(), active=True)
    _apply(user, f)
    db.session.add(user)
    db.session.flush()
    roster.set_membership(user, f.org_unit, f.cohorts, effective, actor)
    audit.record("user_created", actor=actor, target=user.username,
                 details={"id": user.id, "roles": sorted(f.roles),
                          "effective": effective.isoformat()})
    return user


def update_user(actor: User | None, user: User, fields: UserFields,
                effective: date | None = None) -> User:
    """`effective`: the day a change of unit or cohorts took effect (调入日期; default today)."""
    f = clean_fields(fields)
    _check_authority(actor, f, user)
    if actor is not None and user.id == actor.id and "admin" in actor.roles \
            and "admin" not in f.roles:
        raise ValidationError("不能取消自己的管理员角色。")
    old_roles, old_scope = user.roles, user.scope_org_unit_id
    _apply(user, f)
    moved = roster.set_membership(user, f.org_unit, f.cohorts, effective or roster.today(), actor)
    db.session.flush()
    audit.record("user_updated", actor=actor, target=user.username,
                 details={"id": user.id, **moved})
    if old_roles != user.roles or old_scope != user.scope_org_unit_id:
        audit.record("roles_changed", actor=actor, target=user.username, details={
            "old": sorted(old_roles), "new": sorted(user.roles),
            "old_scope": old_scope, "new_scope": user.scope_org_unit_id})
    return user


def set_active(actor: User | None, user: User, active: bool,
               effective: date | None = None) -> None:
    """Deactivation ends every membership on `effective` (调离日期, the first day away; default
    today); reactivation opens the present unit and cohorts again from `effective`."""
    if actor is not None and user.id == actor.id and not active:
        raise ValidationError("不能停用自己的账号。")
    if not may_manage(actor, user):
        raise PermissionDenied("该用户不在您管理的范围内。")
    effective = effective or roster.today()
    if user.active == active:
        return
    if active:
        user.active = True
        roster.reopen_memberships(user, effective)
    else:
        roster.end_memberships(user, effective)
        user.active = False
        revoke_sessions(user)
    db.session.flush()
    audit.record("user_activated" if active else "user_deactivated", actor=actor,
                 target=user.username, details={"id": user.id, "effective": effective.isoformat()})


def reset_password(actor: User | None, user: User, new_password: str) -> None:
    """An admin sets a temporary password; the user must change it at next login."""
    if not may_manage(actor, user):
        raise PermissionDenied("该用户不在您管理的范围内。")
    validate_new_password(new_password, username=user.username, phone=user.phone,
                          name=user.name)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    revoke_sessions(user)
    db.session.flush()
    audit.record("password_reset", actor=actor, target=user.username, details={"id": user.id})


@dataclass
class UserFilter:
    q: str = ""
    org_unit_id: int | None = None
    cohort_id: int | None = None
    role: str | None = None
    active: bool | None = None


def search_users(actor: User, flt: UserFilter):
    """A select() over the users the actor may see, filtered; the caller paginates."""
    stmt = restrict_users(select(User), actor)
    if flt.q:
        like = f"%{flt.q.strip()}%"
        stmt = stmt.where(or_(User.name.like(like), User.username.like(like),
                              User.phone.like(like)))
    if flt.org_unit_id:
        unit = db.session.get(OrgUnit, flt.org_unit_id)
        if unit is not None:
            sub = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))
            stmt = stmt.where(User.org_unit_id.in_(sub))
    if flt.cohort_id:
        stmt = stmt.where(User.cohorts.any(Cohort.id == flt.cohort_id))
    if flt.role in ROLES:
        stmt = stmt.where(User.role_rows.any(role=flt.role))
    if flt.active is not None:
        stmt = stmt.where(User.active.is_(flt.active))
    return stmt.order_by(User.org_unit_id, User.id)


def count_users(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def cohorts_by_name(names: Iterable[str]) -> tuple[list[Cohort], list[str]]:
    wanted = [n.strip() for n in names if n and n.strip()]
    found = {c.name: c for c in db.session.scalars(select(Cohort).where(Cohort.name.in_(wanted)))}
    return [found[n] for n in wanted if n in found], [n for n in wanted if n not in found]
