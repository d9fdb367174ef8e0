"""Exemptions (DESIGN §5): excusing a person from an exam (免考), a session (请假) or a programme
(免学), with a reason, audited; revoking keeps the row.

请假 and the attendance mark: a session exemption IS the 请假. The roll call's mark "leave" stays
the visible state of attendance, and every "leave" mark has a live session exemption carrying the
reason (attendance._set keeps the two in step: marking 请假 needs a reason, marking anything else
revokes the 请假). So the figures read the mark, and the reason and who gave it live here.

Who may excuse: trainers and admins of the town, any kind; a village admin only 请假, only for the
people of their unit (policy.sees_person), never themself."""
from __future__ import annotations

from sqlalchemy import exists, select

from .. import audit, clock
from ..closed_years import check_open, year_of
from ..errors import Conflict, PermissionDenied, ValidationError
from ..exam.audience import in_audience
from ..extensions import db
from ..models import EXEMPTION_KINDS, Attempt, Exam, Exemption, Programme, StudySession, User
from ..models.exemption import REASON_MAX
from ..policy import is_town_staff, sees_person
from .plans import for_user

Excusable = Exam | StudySession | Programme
FINISHED = ("submitted", "graded")


def kind_of(obj: Excusable) -> str:
    if isinstance(obj, Exam):
        return "exam"
    if isinstance(obj, StudySession):
        return "session"
    if isinstance(obj, Programme):
        return "programme"
    raise TypeError(obj)


def _column(kind: str):
    return {"exam": Exemption.exam_id, "session": Exemption.session_id, "programme": Exemption.programme_id}[kind]


def live_for(user: User, obj: Excusable) -> Exemption | None:
    kind = kind_of(obj)
    return db.session.scalar(select(Exemption).where(Exemption.user_id == user.id, _column(kind) == obj.id,
                                                     Exemption.revoked_at.is_(None)))


def live_of(obj: Excusable) -> list[Exemption]:
    """The live exemptions of an exam, session or programme, for the list with 撤销."""
    kind = kind_of(obj)
    return list(db.session.scalars(select(Exemption).where(_column(kind) == obj.id, Exemption.revoked_at.is_(None))
                                   .order_by(Exemption.created_at, Exemption.id)))


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写原因（免考、请假、免学都须写明原因）。")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"原因最多 {REASON_MAX} 个字。")
    return reason


def grant_row(actor: User | None, user: User, obj: Excusable, reason: str | None) -> Exemption:
    """Write the exemption and its audit event; the checks of excuse() are the caller's."""
    reason = _clean_reason(reason)
    kind = kind_of(obj)
    check_open(year_of(obj), "登记或撤销该年度的免考、请假、免学")
    if live_for(user, obj) is not None:
        raise Conflict(f"{user.name}已经{EXEMPTION_KINDS[kind]}，无需重复登记。")
    row = Exemption(user_id=user.id, kind=kind, reason=reason, created_at=clock.now(),
                    created_by_id=actor.id if actor else None, **{f"{kind}_id": obj.id})
    db.session.add(row)
    db.session.flush()
    audit.record("exemption_granted", actor=actor, target=_title(obj),
                 details={"id": row.id, "kind": kind, "object": obj.id, "user": user.username, "reason": reason})
    return row


def revoke_row(actor: User | None, row: Exemption) -> None:
    if row.revoked_at is not None:
        raise Conflict("这条记录已经撤销。")
    check_open(year_of(_object(row)), "登记或撤销该年度的免考、请假、免学")
    row.revoked_at, row.revoked_by_id = clock.now(), actor.id if actor else None
    db.session.flush()
    audit.record("exemption_revoked", actor=actor, target=_title(_object(row)),
                 details={"id": row.id, "kind": row.kind, "object": _object(row).id, "user": row.user.username,
                          "reason": row.reason})


def _title(obj: Excusable) -> str:
    return obj.title if isinstance(obj, Exam | Programme) else obj.topic


def _object(row: Exemption) -> Excusable:
    model = {"exam": Exam, "session": StudySession, "programme": Programme}[row.kind]
    return db.session.get(model, getattr(row, f"{row.kind}_id"))


def _check_actor(actor: User, user: User, kind: str) -> None:
    if user.id == actor.id:
        raise PermissionDenied("不能给自己办理免考、请假或免学。")
    if kind != "session" and not is_town_staff(actor):
        raise PermissionDenied("免考和免学须由镇培训管理员办理；村级管理员只能登记请假。")
    if not sees_person(actor, user):
        raise PermissionDenied("此人不在您的管理范围内。")


_OUTSIDE = {"exam": "这场考试参考人员", "session": "这次学习参学人员", "programme": "这个培训项目学员"}


def excuse(actor: User, user: User, obj: Excusable, reason: str | None) -> Exemption:
    """Excuse the person; refused outside the audience, with an empty reason, or (免考) after a
    finished attempt, whose result counts."""
    kind = kind_of(obj)
    _check_actor(actor, user, kind)
    reason = _clean_reason(reason)
    if not _in_audience(user, obj):
        raise ValidationError(f"{user.name}不在{_OUTSIDE[kind]}的范围内，无需{EXEMPTION_KINDS[kind]}。")
    if kind == "exam":
        if db.session.scalar(select(exists().where(Attempt.exam_id == obj.id, Attempt.user_id == user.id,
                                                   Attempt.status.in_(FINISHED)))):
            raise Conflict(f"{user.name}已经交卷，成绩计入统计，不能再免考。")
    if kind == "session":  # the 请假 mark, which writes the exemption (attendance._set)
        from .attendance import record

        if live_for(user, obj) is not None:
            raise Conflict(f"{user.name}已经请假，无需重复登记。")
        record(actor, obj, user, "leave", "rollcall", reason=reason)
        row = live_for(user, obj)
        assert row is not None
        return row
    return grant_row(actor, user, obj, reason)


def _in_programme(user: User, programme: Programme) -> bool:
    from .programmes import in_programme  # programmes → materials → attendance → here

    return in_programme(user, programme)


def revoke(actor: User, row: Exemption) -> None:
    """Revoke: the person is expected again (for 请假 the mark is removed)."""
    _check_actor(actor, row.user, row.kind)
    revoke_row(actor, row)
    if row.kind == "session":
        from .attendance import clear_leave

        clear_leave(actor, _object(row), row.user)



def candidates(actor: User, obj: Excusable) -> list[User]:
    """Who the actor may still excuse from this object: active people of its audience that the
    actor sees, not already excused, and (免考) without a finished attempt. For the pick list."""
    from sqlalchemy.orm import selectinload

    from ..policy import visible_people

    kind = kind_of(obj)
    taken: set[int] = set()
    if kind == "exam":
        taken = set(db.session.scalars(select(Attempt.user_id).where(Attempt.exam_id == obj.id,
                                                                     Attempt.status.in_(FINISHED))))
    excused = {e.user_id for e in live_of(obj)}
    people = db.session.scalars(select(User).where(User.active.is_(True))
                                .options(selectinload(User.cohorts), selectinload(User.org_unit))
                                .order_by(User.org_unit_id, User.name, User.id))
    return [u for u in visible_people(actor, people)
            if u.id != actor.id and u.id not in taken and u.id not in excused and _in_audience(u, obj)]


def _in_audience(user: User, obj: Excusable) -> bool:
    if isinstance(obj, Exam):
        return in_audience(user, obj)
    if isinstance(obj, StudySession):
        return for_user(obj, user)
    return _in_programme(user, obj)
