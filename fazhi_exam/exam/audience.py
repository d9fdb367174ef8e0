"""Who an exam is for: its cohorts and org units (empty = everyone); a 补考 adds "failed or
missed the formal exam"."""
from __future__ import annotations

from sqlalchemy import exists, select

from ..extensions import db
from ..models import Attempt, Exam, User


def in_audience(user: User, exam: Exam) -> bool:
    if exam.cohorts and not {c.id for c in exam.cohorts} & {c.id for c in user.cohorts}:
        return False
    if exam.org_units:
        path = user.org_unit.path if user.org_unit else None
        if path is None or not any(path.startswith(u.path) for u in exam.org_units):
            return False
    if exam.kind == "makeup" and exam.makeup_of is not None:
        return not passed(user, exam.makeup_of) and in_audience(user, exam.makeup_of)
    return True


def passed(user: User, exam: Exam) -> bool:
    return db.session.scalar(select(exists().where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id, Attempt.passed.is_(True)))) or False
