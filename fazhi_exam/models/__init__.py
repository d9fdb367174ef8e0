"""Typed SQLAlchemy models, one module per aggregate."""
from .audit import AuditEvent, AuditHead
from .org import UNIT_KINDS, Cohort, OrgUnit
from .user import ROLES, LoginSession, PendingImport, User, UserRole, user_cohorts

__all__ = [
    "AuditEvent",
    "AuditHead",
    "Cohort",
    "LoginSession",
    "OrgUnit",
    "PendingImport",
    "ROLES",
    "UNIT_KINDS",
    "User",
    "UserRole",
    "user_cohorts",
]
