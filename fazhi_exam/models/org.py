"""Organisation: the unit tree (镇 → 村, 镇机关科室) and cohorts (人员类别)."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

UNIT_KINDS = {"town": "镇", "village": "村", "department": "科室"}


class OrgUnit(db.Model):
    __tablename__ = "org_units"
    __table_args__ = (
        UniqueConstraint("parent_id", "name", name="uq_org_units_parent_name"),
        CheckConstraint("kind IN ('town', 'village', 'department')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    # Materialised path "/1/7/": the subtree of a unit is every path starting with its own.
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)

    def __repr__(self) -> str:
        return f"<OrgUnit {self.id} {self.name}>"


class Cohort(db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    builtin: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<Cohort {self.name}>"
