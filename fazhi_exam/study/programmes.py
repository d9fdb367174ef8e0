"""Training programmes (培训项目): audience, required materials and hours, the exam gate, and
progress per learner and per village."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import audit, clock
from ..accounts.scope import in_groups_on
from ..audience_dates import programme_day
from ..closed_years import check_open
from ..errors import ValidationError
from ..extensions import db
from ..models import Cohort, Exam, Programme, StudyMaterial, StudySession, User
from .completion import with_progress


def create_programme(actor: User | None, *, title: str, year: int, cohorts: list[Cohort],
                     materials: list[StudyMaterial], required_hours: float = 0, exam: Exam | None = None,
                     gate_exam: bool = True, closes_at: datetime | None = None,
                     sessions: list[StudySession] | None = None) -> Programme:
    title = (title or "").strip()
    if not title:
        raise ValidationError("培训项目名称不能为空。")
    if db.session.scalar(select(Programme.id).where(Programme.title == title)) is not None:
        raise ValidationError(f"已有名为“{title}”的培训项目。")
    if not materials and not sessions:
        raise ValidationError("请至少选择一份必学资料或一场必参加的学习。")
    check_open(year, "新建该年度的培训项目")
    programme = Programme(title=title[:200], year=year, cohorts=cohorts, materials=materials,
                          sessions=list(sessions or []),
                          required_hours=required_hours, exam_id=exam.id if exam else None, gate_exam=gate_exam,
                          closes_at=closes_at, created_at=clock.now())
    db.session.add(programme)
    db.session.flush()
    audit.record("programme_saved", actor=actor, target=programme.title, details={"id": programme.id})
    return programme


def in_programme(user: User, programme: Programme) -> bool:
    """In its cohorts at its deadline (or on Dec 31 of its year: for a running programme, the
    present members who have not left)."""
    return in_groups_on(user, programme_day(programme), programme.cohorts, [])


@dataclass
class Progress:
    programme: Programme
    done: int  # materials completed
    total: int
    minutes: float  # credited study minutes on the programme's materials
    complete: bool
    sessions_attended: int = 0  # required sessions attended or made up
    sessions_total: int = 0

    @classmethod
    def of(cls, programme: Programme, row) -> Progress:
        """From a row of completion.with_progress (or roll / people)."""
        return cls(programme, int(row.materials_done), int(row.materials_total), round(int(row.seconds) / 60, 1),
                   bool(row.done), int(row.sessions_attended), int(row.sessions_total))

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


def progress(user: User, programme: Programme) -> Progress:
    """The person's progress, complete by the one definition (study/completion.py)."""
    one = select(User.id.label("user_id")).where(User.id == user.id).subquery("one")
    return Progress.of(programme, db.session.execute(with_progress(one, programme.id)).one())


def my_programmes(user: User) -> list[Progress]:
    return [progress(user, p) for p in db.session.scalars(select(Programme).order_by(Programme.year.desc()))
            if in_programme(user, p)]


def exam_gate(user: User, exam: Exam) -> str | None:
    """Why the user may not start the exam yet (study incomplete), or None."""
    for programme in db.session.scalars(select(Programme).where(Programme.exam_id == exam.id,
                                                                Programme.gate_exam.is_(True))):
        if in_programme(user, programme):
            p = progress(user, programme)
            if not p.complete:
                return (f"请先完成“{programme.title}”的学习（资料 {p.done}/{p.total} 份，"
                        f"集中学习 {p.sessions_attended}/{p.sessions_total} 场）再参加考试。")
    return None
