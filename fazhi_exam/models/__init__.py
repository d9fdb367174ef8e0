"""Typed SQLAlchemy models, one module per aggregate."""
from .audit import AuditEvent, AuditHead
from .bank import QUESTION_STATUSES, Bank, Law, Question, QuestionTag, QuestionVersion, question_laws
from .exam import (
    ATTEMPT_STATUSES,
    EXAM_KINDS,
    EXAM_STATUSES,
    Answer,
    Attempt,
    AttemptQuestion,
    Exam,
    ExamRule,
    exam_cohorts,
    exam_units,
)
from .org import UNIT_KINDS, Cohort, OrgUnit
from .practice import PracticeAnswer, WrongBookEntry
from .study import (
    ATTENDANCE_METHODS,
    ATTENDANCE_STATUSES,
    Attendance,
    StudyPlan,
    StudySession,
    session_cohorts,
    session_units,
)
from .user import ROLES, LoginSession, PendingImport, User, UserRole, user_cohorts

__all__ = [
    "ATTENDANCE_METHODS",
    "ATTENDANCE_STATUSES",
    "Attendance",
    "StudyPlan",
    "StudySession",
    "session_cohorts",
    "session_units",
    "PracticeAnswer",
    "WrongBookEntry",
    "ATTEMPT_STATUSES",
    "EXAM_KINDS",
    "EXAM_STATUSES",
    "Answer",
    "Attempt",
    "AttemptQuestion",
    "Exam",
    "ExamRule",
    "exam_cohorts",
    "exam_units",
    "Bank",
    "Law",
    "QUESTION_STATUSES",
    "Question",
    "QuestionTag",
    "QuestionVersion",
    "question_laws",
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
