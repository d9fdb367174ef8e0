"""Effective-dated rosters: which org unit and which cohorts a person belonged to on each day.

users.org_unit_id and user_cohorts stay the *current* state; these tables are its history, written
together with it by accounts/roster.py (the only writer of either).

A membership holds on day D when begins_on <= D and (ends_on IS NULL or D < ends_on): ends_on is
*exclusive* — the first day the person no longer belongs. A move on 2023-07-01 ends the old unit's
row with ends_on = 2023-07-01 and begins the new one on 2023-07-01, so the two rows tile the days
without overlap and "member on D" is two plain comparisons in SQL. A row never has ends_on ==
begins_on (it would hold on no day; the service deletes such a row instead), hence the CHECK is
strict. An open row (ends_on NULL) is the person's present membership; a person has at most one
open unit row (partial unique index, on SQLite and PostgreSQL alike) and one open row per cohort.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

OPEN = text("ends_on IS NULL")


class UnitMembership(db.Model):
    __tablename__ = "unit_memberships"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on > begins_on", name="dates"),
        Index("uq_unit_memberships_open", "user_id", unique=True,
              sqlite_where=OPEN, postgresql_where=OPEN),
        Index("ix_unit_memberships_unit_dates", "org_unit_id", "begins_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    begins_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    def holds_on(self, day: date) -> bool:
        return self.begins_on <= day and (self.ends_on is None or day < self.ends_on)

    def __repr__(self) -> str:
        return f"<UnitMembership user={self.user_id} unit={self.org_unit_id} " \
               f"[{self.begins_on}, {self.ends_on})>"


class CohortMembership(db.Model):
    __tablename__ = "cohort_memberships"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on > begins_on", name="dates"),
        Index("uq_cohort_memberships_open", "user_id", "cohort_id", unique=True,
              sqlite_where=OPEN, postgresql_where=OPEN),
        Index("ix_cohort_memberships_cohort_dates", "cohort_id", "begins_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    begins_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    def holds_on(self, day: date) -> bool:
        return self.begins_on <= day and (self.ends_on is None or day < self.ends_on)

    def __repr__(self) -> str:
        return f"<CohortMembership user={self.user_id} cohort={self.cohort_id} " \
               f"[{self.begins_on}, {self.ends_on})>"
