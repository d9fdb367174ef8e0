"""The study plan (学法计划): plans, their 集中学法 sessions, audience, and attendance."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Cohort, OrgUnit
from .types import UTCDateTime
from .user import User

ATTENDANCE_STATUSES = {"present": "出席", "leave": "请假", "absent": "缺席", "makeup": "补学"}
ATTENDANCE_METHODS = {"code": "扫码/签到码", "rollcall": "点名", "sheet": "纸质签到表", "makeup": "线上补学"}

session_cohorts = Table(
    "study_session_cohorts", db.metadata,
    Column("session_id", ForeignKey("study_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
)
session_units = Table(
    "study_session_units", db.metadata,
    Column("session_id", ForeignKey("study_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("org_unit_id", ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True),
)


class StudyPlan(db.Model):
    __tablename__ = "study_plans"
    __table_args__ = (UniqueConstraint("year", "title", name="uq_study_plans_year_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    sessions: Mapped[list[StudySession]] = relationship(back_populates="plan", order_by="StudySession.starts_at",
                                                        cascade="all, delete-orphan")


class StudySession(db.Model):
    """One 集中学法 session; learners sign in with its code while it runs."""

    __tablename__ = "study_sessions"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("study_plans.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    topic: Mapped[str] = mapped_column(String(200))
    laws: Mapped[str] = mapped_column(String(300), default="")
    speaker: Mapped[str] = mapped_column(String(100), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    required: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    signin_code: Mapped[str] = mapped_column(String(12), unique=True)

    plan: Mapped[StudyPlan] = relationship(back_populates="sessions")
    cohorts: Mapped[list[Cohort]] = relationship(secondary=session_cohorts)
    org_units: Mapped[list[OrgUnit]] = relationship(secondary=session_units)


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (
        CheckConstraint("status IN ('present', 'leave', 'absent', 'makeup')", name="status"),
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("study_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


MATERIAL_KINDS = {"text": "图文", "pdf": "PDF 文件", "link": "链接", "video": "视频链接"}

programme_cohorts = Table(
    "programme_cohorts", db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
)
programme_materials = Table(
    "programme_materials", db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("material_id", ForeignKey("study_materials.id", ondelete="CASCADE"), primary_key=True),
)


session_materials = Table(
    "study_session_materials", db.metadata,
    Column("session_id", ForeignKey("study_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("material_id", ForeignKey("study_materials.id", ondelete="CASCADE"), primary_key=True),
)


class StudyMaterial(db.Model):
    """Online study material worth `minutes` of study time."""

    __tablename__ = "study_materials"
    __table_args__ = (CheckConstraint("kind IN ('text', 'pdf', 'link', 'video')", name="kind"),
                      CheckConstraint("minutes > 0", name="minutes"))

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="text")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown for text
    url: Mapped[str] = mapped_column(String(500), default="")
    pdf: Mapped[bytes | None] = mapped_column(db.LargeBinary)
    laws: Mapped[str] = mapped_column(String(300), default="")
    minutes: Mapped[int] = mapped_column(default=10)
    # An optional check quiz: `quiz_count` questions drawn from a bank, `quiz_pass` of them right.
    quiz_bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id"))
    quiz_count: Mapped[int] = mapped_column(default=0)
    quiz_pass: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StudyTime(db.Model):
    """A learner's time on one material, credited from heartbeats of a visible, active page."""

    __tablename__ = "study_time"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("study_materials.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)
    seconds: Mapped[int] = mapped_column(default=0)
    last_beat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quiz_passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


programme_sessions = Table(
    "programme_sessions", db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("session_id", ForeignKey("study_sessions.id", ondelete="CASCADE"), primary_key=True),
)


class Programme(db.Model):
    """A training programme (培训项目), e.g. 2023年度法律明白人培训."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    year: Mapped[int] = mapped_column(index=True)
    required_hours: Mapped[float] = mapped_column(default=0)
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id"))
    gate_exam: Mapped[bool] = mapped_column(default=True)  # the exam opens only once study is complete
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    cohorts: Mapped[list[Cohort]] = relationship(secondary=programme_cohorts)
    materials: Mapped[list[StudyMaterial]] = relationship(secondary=programme_materials,
                                                          order_by="StudyMaterial.id")
    sessions: Mapped[list[StudySession]] = relationship(secondary=programme_sessions,
                                                        order_by="StudySession.starts_at")


StudySession.materials = relationship(StudyMaterial, secondary=session_materials, order_by=StudyMaterial.id)
