"""Attendance, three ways into one record: the learner's sign-in with the session's code (only
while it runs, once), the trainer's roll call, and an imported paper sheet. Changes are audited."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import audit, clock
from ..closed_years import check_open, session_year
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import ATTENDANCE_STATUSES, Attendance, StudySession, User
from . import exemptions
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


# A 请假 read from a paper sign-in sheet: the sheet is the record of it.
SHEET_LEAVE_REASON = "纸质签到表登记为请假"


def _set(actor: User | None, session: StudySession, user: User, status: str, method: str,
         reason: str | None = None) -> None:
    """Write the mark. A 请假 is a session exemption (study/exemptions.py): marking "leave" writes
    one with the reason, marking anything else revokes a live one."""
    if status not in ATTENDANCE_STATUSES:
        raise ValidationError(f"未知的出勤状态“{status}”。")
    check_open(session_year(session), "改动该年度集中学法的出勤记录")
    live = exemptions.live_for(user, session)
    if status == "leave" and live is None:
        exemptions.grant_row(actor, user, session, reason)  # refuses an empty reason before the mark
    elif status != "leave" and live is not None:
        exemptions.revoke_row(actor, live)
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


def roll_call(actor: User, session: StudySession, marks: dict[int, str],
              reasons: dict[int, str] | None = None) -> int:
    """The trainer ticks the list: {user_id: status}; a new 请假 needs {user_id: reason}. Returns how
    many records changed."""
    reasons = reasons or {}
    changed = 0
    for user_id, status in marks.items():
        user = db.session.get(User, user_id)
        if user is None or not for_user(session, user):
            raise ValidationError("名单中有不属于本次学习的人员。")
        row = db.session.get(Attendance, (session.id, user_id))
        if row is None or row.status != status:
            if status == "leave" and not (reasons.get(user_id) or "").strip():
                raise ValidationError(f"请填写{user.name}请假的原因。")
            _set(actor, session, user, status, "rollcall", reasons.get(user_id))
            changed += 1
    return changed


def record(actor: User | None, session: StudySession, user: User, status: str, method: str,
           reason: str | None = None) -> None:
    """Used by the sheet import, 补学 and 请假 (exemptions.excuse)."""
    if status == "leave" and method == "sheet" and not reason:
        reason = SHEET_LEAVE_REASON
    _set(actor, session, user, status, method, reason)


def clear_leave(actor: User | None, session: StudySession, user: User) -> None:
    """A revoked 请假: the mark goes, so the person is expected (and absent until marked)."""
    row = db.session.get(Attendance, (session.id, user.id))
    if row is None or row.status != "leave":
        return
    check_open(session_year(session), "改动该年度集中学法的出勤记录")
    db.session.delete(row)
    db.session.flush()
    audit.record("attendance_changed", actor=actor, target=session.topic,
                 details={"session": session.id, "user": user.username, "old": "leave", "new": None,
                          "method": "rollcall"})
