"""The date each audience is read on (DESIGN §5): an exam's at its close (an open or future exam:
today), a session's on its day, a programme's at its deadline (or the last day of its year). Every
"who was supposed to" — the figures, 我的考试 / 我的学法计划, the roll call, reminders and exemptions
— reads the roster history as of the date given here, so that later joins, moves and departures
do not change it. All dates are Beijing calendar days."""
from __future__ import annotations

from datetime import date, datetime

from . import clock
from .clock import BEIJING
from .models import Exam, Programme, StudySession


def beijing_day(at: datetime) -> date:
    return at.astimezone(BEIJING).date()


def exam_day(exam: Exam) -> date:
    """At its close; before then (open or not yet open) the audience is today's."""
    return beijing_day(min(exam.closes_at, clock.now()))


def session_day(session: StudySession) -> date:
    return beijing_day(session.starts_at)


def programme_day(programme: Programme) -> date:
    if programme.closes_at is not None:
        return beijing_day(programme.closes_at)
    return date(programme.year, 12, 31)
