"""Closed years (归档, DESIGN §5): an admin closes a year; what its figures, name lists, exports and
report said at that moment is kept as a snapshot, and every later read of that year comes from it.

A closure is live while reopened_at is NULL (at most one live closure per year, a partial unique
index). Reopening keeps the row (who closed, who reopened and why stay on record); closing again
makes a new row with a new snapshot. Snapshot parts are keyed by scope (the org unit path a
village admin sees, "" for the whole town) and name ("year.json", "export.xlsx", "report.docx", …)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime
from .user import User

REASON_MAX = 200
_LIVE = text("reopened_at IS NULL")


class YearClosure(db.Model):
    __tablename__ = "year_closures"
    __table_args__ = (
        Index("uq_year_closures_live", "year", unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_name: Mapped[str] = mapped_column(String(100), default="")  # as it read then
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopen_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))

    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])

    @property
    def live(self) -> bool:
        return self.reopened_at is None


class YearSnapshot(db.Model):
    __tablename__ = "year_snapshots"
    __table_args__ = (UniqueConstraint("closure_id", "scope", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    closure_id: Mapped[int] = mapped_column(ForeignKey("year_closures.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(255))  # org unit path, "" = the whole town
    name: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(db.LargeBinary)
