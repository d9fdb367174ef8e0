"""Who an exam is for: its cohorts and org units (empty = everyone on the roster) as of its close
(audience_dates.exam_day); a 补考 adds "failed or missed the formal exam, and was in its audience at
its close"."""
from __future__ import annotations

from sqlalchemy import exists, select

from ..accounts.scope import in_groups_on
from ..audience_dates import exam_day
from ..extensions import db
from ..models import Attempt, Exam, User


def in_audience(user: User, exam: Exam) -> bool:
    if not in_groups_on(user, exam_day(exam), exam.cohorts, exam.org_units):
        return False
    if exam.kind == "makeup" and exam.makeup_of is not None:
        return not passed(user, exam.makeup_of) and in_audience(user, exam.makeup_of)
    return True


def passed(user: User, exam: Exam) -> bool:
    return db.session.scalar(select(exists().where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id, Attempt.passed.is_(True)))) or False
