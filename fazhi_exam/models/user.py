"""Users, their roles and cohorts, and server-side login sessions."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Cohort, OrgUnit
from .types import UTCDateTime

ROLES = {"learner": "学员", "trainer": "培训管理员", "admin": "管理员"}

user_cohorts = Table(
    "user_cohorts",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        db.CheckConstraint("role IN ('learner', 'trainer', 'admin')", name="role"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    # An admin or trainer scoped to a unit manages only that unit's subtree; None = all.
    scope_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    org_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[org_unit_id])
    scope_org_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[scope_org_unit_id])
    cohorts: Mapped[list[Cohort]] = relationship(
        secondary=user_cohorts, order_by=Cohort.sort_order
    )
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")

    # Flask-Login: the id kept in the cookie is the login session's token, not user.id,
    # so that logging out or changing the password ends that session on the server.
    session_token: ClassVar[str | None] = None

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    @roles.setter
    def roles(self, value: set[str] | list[str]) -> None:
        wanted = set(value)
        self.role_rows = [r for r in self.role_rows if r.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - self.roles)
        ]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def role_labels(self) -> str:
        return "、".join(ROLES[r] for r in ROLES if r in self.roles)

    @property
    def cohort_labels(self) -> str:
        return "、".join(c.name for c in self.cohorts)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class LoginSession(db.Model):
    __tablename__ = "login_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The last request, refreshed at most every few minutes (accounts/sessions.py: the idle limit).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class PendingImport(db.Model):
    """An uploaded file between its preview and the trainer's confirmation."""

    __tablename__ = "pending_imports"
    __table_args__ = (UniqueConstraint("token", name="uq_pending_imports_token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    target: Mapped[str | None] = mapped_column(String(100))  # e.g. the bank to import into
    content: Mapped[bytes] = mapped_column(db.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
