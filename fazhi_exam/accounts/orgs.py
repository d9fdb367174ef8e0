"""Org units as a tree (镇 → 村, 镇机关科室) and cohorts (人员类别)."""
from __future__ import annotations

from sqlalchemy import func, select

from .. import audit
from ..errors import PermissionDenied, ValidationError
from ..extensions import db
from ..models import UNIT_KINDS, Cohort, OrgUnit, User
from .scope import scope_unit, unit_in_scope

DEFAULT_COHORTS = ["镇干部", "村干部", "行政执法人员", "法律带头人", "法律明白人", "党员"]


def _clean_name(name: str, what: str, limit: int) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(f"{what}名称不能为空。")
    if len(name) > limit:
        raise ValidationError(f"{what}名称不能超过 {limit} 个字。")
    return name


def save_unit(actor: User | None, *, name: str, kind: str, parent: OrgUnit | None,
              unit: OrgUnit | None = None) -> OrgUnit:
    """Create a unit (unit=None) or rename / re-kind one; the tree shape stays put."""
    name = _clean_name(name, "单位", 100)
    if kind not in UNIT_KINDS:
        raise ValidationError("单位类型无效。")
    if actor is not None and scope_unit(actor) is not None:
        anchor = unit if unit is not None else parent
        if anchor is None or not unit_in_scope(actor, anchor):
            raise PermissionDenied("只能管理本单位及其下属单位。")
    parent_id = unit.parent_id if unit else (parent.id if parent else None)
    clash = db.session.scalar(select(OrgUnit).where(
        OrgUnit.parent_id.is_(None) if parent_id is None else OrgUnit.parent_id == parent_id,
        OrgUnit.name == name))
    if clash is not None and clash is not unit:
        raise ValidationError(f"同一上级下已有名为“{name}”的单位。")
    if unit is None:
        unit = OrgUnit(name=name, kind=kind, parent=parent, sort_order=_next_sort(parent_id))
        db.session.add(unit)
        db.session.flush()
        unit.path = (parent.path if parent else "/") + f"{unit.id}/"
    else:
        unit.name, unit.kind = name, kind
    db.session.flush()
    audit.record("org_unit_saved", actor=actor, target=unit.name,
                 details={"id": unit.id, "kind": kind})
    return unit


def _next_sort(parent_id: int | None) -> int:
    stmt = select(func.coalesce(func.max(OrgUnit.sort_order), 0))
    stmt = stmt.where(OrgUnit.parent_id.is_(None) if parent_id is None
                      else OrgUnit.parent_id == parent_id)
    return (db.session.scalar(stmt) or 0) + 1


def find_unit_by_name(name: str) -> list[OrgUnit]:
    """Units matching a name as written in files: '王庄村' or a path '大张楼镇/王庄村'."""
    parts = [p.strip() for p in (name or "").replace("／", "/").split("/") if p.strip()]
    if not parts:
        return []
    candidates = list(db.session.scalars(select(OrgUnit).where(OrgUnit.name == parts[-1])))
    if len(parts) == 1:
        return candidates
    return [u for u in candidates if _names_up(u)[-len(parts):] == parts]


def _names_up(unit: OrgUnit) -> list[str]:
    names = []
    node: OrgUnit | None = unit
    while node is not None:
        names.append(node.name)
        node = node.parent
    return list(reversed(names))


def unit_label(unit: OrgUnit | None) -> str:
    return "/".join(_names_up(unit)) if unit else ""


def save_cohort(actor: User | None, name: str, cohort: Cohort | None = None) -> Cohort:
    if actor is not None and scope_unit(actor) is not None:
        raise PermissionDenied("只有镇级管理员可以管理人员类别。")
    name = _clean_name(name, "人员类别", 50)
    clash = db.session.scalar(select(Cohort).where(Cohort.name == name))
    if clash is not None and clash is not cohort:
        raise ValidationError(f"已有名为“{name}”的人员类别。")
    if cohort is None:
        order = (db.session.scalar(select(func.max(Cohort.sort_order))) or 0) + 1
        cohort = Cohort(name=name, sort_order=order)
        db.session.add(cohort)
    else:
        cohort.name = name
    db.session.flush()
    audit.record("cohort_saved", actor=actor, target=name, details={"id": cohort.id})
    return cohort


def ensure_default_cohorts() -> list[Cohort]:
    existing = {c.name: c for c in db.session.scalars(select(Cohort))}
    for i, name in enumerate(DEFAULT_COHORTS, 1):
        if name not in existing:
            existing[name] = Cohort(name=name, sort_order=i, builtin=True)
            db.session.add(existing[name])
    db.session.flush()
    return [existing[n] for n in DEFAULT_COHORTS]
