"""Exemptions (DESIGN §5): a person excused, with a reason, from an exam (免考), a session (请假) or
a programme (免学). Revoking keeps the row, so the record of who excused whom and why stays."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime
from .user import User

EXEMPTION_KINDS = {"exam": "免考", "session": "请假", "programme": "免学"}
REASON_MAX = 200
_LIVE = text("revoked_at IS NULL")


class Exemption(db.Model):
    __tablename__ = "exemptions"
    __table_args__ = (
        CheckConstraint("kind IN ('exam', 'session', 'programme')", name="kind"),
        # exactly the object of its kind is named
        CheckConstraint("(kind = 'exam' AND exam_id IS NOT NULL AND session_id IS NULL AND programme_id IS NULL)"
                        " OR (kind = 'session' AND session_id IS NOT NULL AND exam_id IS NULL"
                        " AND programme_id IS NULL)"
                        " OR (kind = 'programme' AND programme_id IS NOT NULL AND exam_id IS NULL"
                        " AND session_id IS NULL)", name="one_object"),
        CheckConstraint("length(trim(reason)) > 0", name="reason"),
        # one live exemption per person and object; revoked rows stay as history
        Index("uq_exemptions_live_exam", "user_id", "exam_id", unique=True,
              sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("uq_exemptions_live_session", "user_id", "session_id", unique=True,
              sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("uq_exemptions_live_programme", "user_id", "programme_id", unique=True,
              sqlite_where=_LIVE, postgresql_where=_LIVE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("study_sessions.id", ondelete="CASCADE"),
                                                   index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                                     index=True)
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def live(self) -> bool:
        return self.revoked_at is None

    @property
    def label(self) -> str:
        return EXEMPTION_KINDS[self.kind]
