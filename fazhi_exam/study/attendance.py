"""Attendance, three ways into one record: the learner's sign-in with the session's code (only
while it runs, once), the trainer's roll call, and an imported paper sheet. Changes are audited."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import audit, clock
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import ATTENDANCE_STATUSES, Attendance, StudySession, User
from .plans import for_user

EARLY = timedelta(minutes=30)  # the room opens a little before the session starts


def sign_in(user: User, code: str) -> StudySession:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    session = db.session.scalar(select(StudySession).where(StudySession.signin_code == code)) if code else None
    if session is None:
        raise NotFound("签到码不正确，请核对屏幕上的数字。", code="wrong_code")
    now = clock.now()
    if now < session.starts_at - EARLY:
        raise PermissionDenied("签到还没有开始（开学前 30 分钟开放）。", code="not_open")
    if now > session.ends_at:
        raise PermissionDenied("这次学习已经结束，不能再签到。如有缺席，请通过线上补学。", code="closed")
    if not for_user(session, user):
        raise PermissionDenied("这次学习不在您的参学范围内，请核对签到码。", code="not_expected")
    existing = db.session.get(Attendance, (session.id, user.id))
    if existing is not None and existing.status == "present":
        raise Conflict("您已经签到过了。", code="already_signed")
    _set(user, session, user, "present", "code")
    return session


def _set(actor: User | None, session: StudySession, user: User, status: str, method: str) -> None:
    if status not in ATTENDANCE_STATUSES:
        raise ValidationError(f"未知的出勤状态“{status}”。")
    row = db.session.get(Attendance, (session.id, user.id))
    old = row.status if row else None
    if row is None:
        row = Attendance(session_id=session.id, user_id=user.id, status=status, method=method,
                         recorded_at=clock.now(), recorded_by_id=actor.id if actor else None)
        db.session.add(row)
    else:
        row.status, row.method, row.recorded_at = status, method, clock.now()
        row.recorded_by_id = actor.id if actor else None
    db.session.flush()
    if old != status:
        audit.record("attendance_changed", actor=actor, target=session.topic,
                     details={"session": session.id, "user": user.username, "old": old, "new": status,
                              "method": method})


def roll_call(actor: User, session: StudySession, marks: dict[int, str]) -> int:
    """The trainer ticks the list: {user_id: status}. Returns how many records changed."""
    changed = 0
    for user_id, status in marks.items():
        user = db.session.get(User, user_id)
        if user is None or not for_user(session, user):
            raise ValidationError("名单中有不属于本次学习的人员。")
        row = db.session.get(Attendance, (session.id, user_id))
        if row is None or row.status != status:
            _set(actor, session, user, status, "rollcall")
            changed += 1
    return changed


def record(actor: User | None, session: StudySession, user: User, status: str, method: str) -> None:
    """Used by the sheet import and 补学."""
    _set(actor, session, user, status, method)
