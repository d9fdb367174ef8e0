"""Closed years (归档) guard every act that would change what a closed year says (DESIGN §5): a
regrade, a reopened or marked attempt, an attendance mark, an exemption, a session, exam or
programme in that year, and a roster change dated in it or before it (a membership dated in a
closed year changes that year's audiences and every later one's). The services ask here before
writing; the refusal is a Conflict with a Chinese message, so the web pages, the API and the CLI
all say the same and change nothing. The snapshot itself is made by stats/archive.py."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .audience_dates import beijing_day
from .errors import Conflict
from .extensions import db
from .models import Exam, Programme, StudySession, YearClosure


def closed_years() -> set[int]:
    return set(db.session.scalars(select(YearClosure.year).where(YearClosure.reopened_at.is_(None))))


def live_closure(year: int) -> YearClosure | None:
    return db.session.scalar(select(YearClosure).where(YearClosure.year == year, YearClosure.reopened_at.is_(None)))


def refusal(year: int, what: str) -> Conflict:
    return Conflict(f"{year}年已归档，不能{what}。如确需更改，请管理员先在“年度归档”中重新打开{year}年（须填写原因）。",
                    code="year_closed")


def check_open(year: int, what: str) -> None:
    if year in closed_years():
        raise refusal(year, what)


def check_dated(day: date, what: str) -> None:
    """A change taking effect on `day` rewrites the audiences of day's year and of every later year."""
    hit = sorted(y for y in closed_years() if y >= day.year)
    if hit:
        raise refusal(hit[0], what)


def exam_year(exam: Exam) -> int:
    """A 补考 counts in the figures of the exam it makes up, so it belongs to that exam's year."""
    counted = exam.makeup_of if exam.makeup_of_id is not None and exam.makeup_of is not None else exam
    return beijing_day(counted.opens_at).year


def session_year(session: StudySession) -> int:
    return beijing_day(session.starts_at).year


def programme_year(programme: Programme) -> int:
    return programme.year


def year_of(obj: Exam | StudySession | Programme) -> int:
    if isinstance(obj, Exam):
        return exam_year(obj)
    if isinstance(obj, StudySession):
        return session_year(obj)
    return programme_year(obj)
