"""One person's record (个人学法档案) for a year or for all years, and the 合格证书 of a passed attempt.

- 集中学法: the sessions the person was expected at (the session's audience, as in the attendance
  figures: an active member of its cohorts and units) that have started, plus every session where
  the person has a mark. 出席 and 补学 count as attended.
- 集中学法学时: the length of each session attended in person (出席). A 补学 is done online, so its
  time is already in the online minutes and is not counted twice.
- 在线学习: credited minutes per material, in the year the material was completed (or last
  studied, while not yet completed).
- Exams: formal exams, 补考 and mock exams with a finished attempt, in the year the exam opened. The
  counted score follows the exam's score policy (best / last) over the attempts whose score the
  viewer may see: for the person themself, the exam's show_score policy (exam.views.score_visible).
- 合格证书: a graded, passed attempt of a formal exam or a 补考 whose score the policy shows.

Each list is one query."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import Select, and_, exists, func, not_, or_, select
from sqlalchemy.orm import contains_eager

from .. import clock
from ..exam.views import score_visible
from ..extensions import db
from ..models import (
    ATTENDANCE_STATUSES,
    Attempt,
    Attendance,
    Exam,
    OrgUnit,
    Programme,
    StudyMaterial,
    StudySession,
    StudyTime,
    User,
    programme_cohorts,
    programme_materials,
    user_cohorts,
)
from ..study.completion import ATTENDED, with_progress
from .study import _session_audience as session_audience
from .study import session_days

FINISHED = ("submitted", "graded")
CERTIFIED_KINDS = ("formal", "makeup")


# --- 集中学法 ----------------------------------------------------------------------------------

@dataclass
class SessionLine:
    session: StudySession
    status: str | None  # present / leave / absent / makeup; None: no mark
    ended: bool

    @property
    def label(self) -> str:
        if self.status is not None:
            return ATTENDANCE_STATUSES[self.status]
        return "缺席" if self.ended else "进行中"

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED

    @property
    def hours(self) -> float:
        """Hours credited as 集中学法: only for attending in person."""
        if self.status != "present":
            return 0.0
        return (self.session.ends_at - self.session.starts_at).total_seconds() / 3600


def _in_year(column, year: int | None):
    if year is None:
        return column.is_not(None)
    start, end = clock.year_bounds(year)
    return and_(column >= start, column < end)


def _sessions_stmt(user_id: int, year: int | None) -> Select:
    expected = and_(User.active.is_(True), StudySession.starts_at <= clock.now(),
                    session_audience(StudySession.id, session_days(year)))
    return (select(StudySession, Attendance.status)
            .select_from(StudySession)
            .join(User, User.id == user_id)
            .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
            .outerjoin(Attendance, and_(Attendance.session_id == StudySession.id, Attendance.user_id == User.id))
            .where(_in_year(StudySession.starts_at, year), or_(Attendance.status.is_not(None), expected)))


def sessions(user_id: int, year: int | None) -> list[SessionLine]:
    now = clock.now()
    stmt = _sessions_stmt(user_id, year).order_by(StudySession.starts_at, StudySession.id)
    return [SessionLine(s, status, s.ends_at <= now) for s, status in db.session.execute(stmt)]


# --- 在线学习 ----------------------------------------------------------------------------------

@dataclass
class StudyLine:
    material_id: int
    title: str
    required_minutes: int
    seconds: int
    completed_at: datetime | None
    studied_at: datetime | None  # completion, or the last heartbeat

    @property
    def minutes(self) -> float:
        return self.seconds / 60


def _studied_at():
    return func.coalesce(StudyTime.completed_at, StudyTime.last_beat_at)


def online_study(user_id: int, year: int | None) -> list[StudyLine]:
    studied_at = _studied_at()
    stmt = (select(StudyMaterial.id, StudyMaterial.title, StudyMaterial.minutes, StudyTime.seconds,
                   StudyTime.completed_at, studied_at)
            .join(StudyTime, StudyTime.material_id == StudyMaterial.id)
            .where(StudyTime.user_id == user_id, or_(StudyTime.seconds > 0, StudyTime.completed_at.is_not(None)))
            .order_by(studied_at, StudyMaterial.id))
    if year is not None:
        stmt = stmt.where(_in_year(studied_at, year))
    return [StudyLine(*row) for row in db.session.execute(stmt)]


# --- 培训项目 ----------------------------------------------------------------------------------

@dataclass
class ProgrammeLine:
    """The same progress as study.programmes.progress (study/completion.py), read in one query for
    all programmes."""

    programme: Programme
    materials_done: int
    materials_total: int
    seconds: int
    sessions_attended: int
    sessions_total: int
    complete: bool

    @property
    def minutes(self) -> float:
        return round(self.seconds / 60, 1)


def programmes(user_id: int, year: int | None) -> list[ProgrammeLine]:
    pm = programme_materials
    no_cohorts = not_(exists().where(programme_cohorts.c.programme_id == Programme.id))
    in_cohorts = exists().where(programme_cohorts.c.programme_id == Programme.id,
                                user_cohorts.c.cohort_id == programme_cohorts.c.cohort_id,
                                user_cohorts.c.user_id == user_id)
    studied = (select(StudyTime.material_id).join(pm, pm.c.material_id == StudyTime.material_id)
               .where(pm.c.programme_id == Programme.id, StudyTime.user_id == user_id).exists())
    mine = (select(Programme.id.label("programme_id"), User.id.label("user_id"))
            .join(User, User.id == user_id).where(or_(no_cohorts, in_cohorts, studied)))
    if year is not None:
        mine = mine.where(Programme.year == year)
    mine = mine.subquery("mine")
    p = with_progress(mine, mine.c.programme_id).subquery("p")
    stmt = (select(Programme, p.c.materials_done, p.c.materials_total, p.c.seconds, p.c.sessions_attended,
                   p.c.sessions_total, p.c.done)
            .join(p, p.c.programme_id == Programme.id).order_by(Programme.year.desc(), Programme.id))
    return [ProgrammeLine(programme, int(done), int(total), int(secs), int(att), int(n), bool(complete))
            for programme, done, total, secs, att, n, complete in db.session.execute(stmt)]


# --- 考试 --------------------------------------------------------------------------------------

@dataclass
class ExamLine:
    exam: Exam
    attempts: list[Attempt]  # finished attempts, in order
    counted: Attempt | None  # the attempt whose score counts, among those the viewer may see
    hidden: bool  # graded, but the score is not yet shown to the person
    certificate: Attempt | None  # the attempt a 合格证书 can be printed for

    @property
    def result(self) -> str:
        if self.counted is not None:
            if not self.counted.passed:
                return "不合格"
            return "合格（补考）" if self.exam.kind == "makeup" else "合格"
        if any(a.status == "submitted" for a in self.attempts):
            return "待阅卷"
        return "成绩未公布"

    @property
    def finished_at(self) -> datetime | None:
        return max((a.finished_at for a in self.attempts if a.finished_at), default=None)


def counted_attempt(exam: Exam, visible: list[Attempt]) -> Attempt | None:
    """The exam's score policy over the attempts whose score may be shown (as on 我的考试)."""
    if not visible:
        return None
    return max(visible, key=lambda a: a.score) if exam.score_policy == "best" else visible[-1]


def certificate_allowed(attempt: Attempt, now: datetime | None = None) -> bool:
    return (attempt.exam.kind in CERTIFIED_KINDS and attempt.status == "graded" and bool(attempt.passed)
            and score_visible(attempt, now))


def exams(user_id: int, year: int | None, *, as_owner: bool = True) -> list[ExamLine]:
    """as_owner: scores only as the exam's policy shows them to the person; staff see every graded score
    (a line whose score the person cannot see yet is marked `hidden`)."""
    now = clock.now()
    stmt = (select(Attempt).join(Attempt.exam).options(contains_eager(Attempt.exam))
            .where(Attempt.user_id == user_id, Attempt.status.in_(FINISHED), Exam.kind != "practice",
                   _in_year(Exam.opens_at, year))
            .order_by(Exam.opens_at, Exam.id, Attempt.number))
    by_exam: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in db.session.scalars(stmt):
        by_exam[attempt.exam_id].append(attempt)
    lines = []
    for attempts in by_exam.values():
        exam = attempts[0].exam
        published = [a for a in attempts if score_visible(a, now)]
        graded = [a for a in attempts if a.status == "graded"]
        counted = counted_attempt(exam, published if as_owner else graded)
        passed = [a for a in published if certificate_allowed(a, now)]
        certificate = counted if counted in passed else (passed[-1] if passed else None)
        lines.append(ExamLine(exam, attempts, counted, hidden=len(graded) > len(published),
                              certificate=certificate))
    return lines


# --- the whole record --------------------------------------------------------------------------

@dataclass
class Record:
    user: User
    year: int | None
    sessions: list[SessionLine] = field(default_factory=list)
    study: list[StudyLine] = field(default_factory=list)
    programmes: list[ProgrammeLine] = field(default_factory=list)
    exams: list[ExamLine] = field(default_factory=list)

    @property
    def sessions_attended(self) -> int:
        return sum(1 for s in self.sessions if s.attended)

    @property
    def sessions_leave(self) -> int:
        return sum(1 for s in self.sessions if s.status == "leave")

    @property
    def session_hours(self) -> float:  # 集中学法学时
        return round(sum(s.hours for s in self.sessions), 1)

    @property
    def online_minutes(self) -> int:
        return round(sum(s.seconds for s in self.study) / 60)

    @property
    def online_hours(self) -> float:
        return round(sum(s.seconds for s in self.study) / 3600, 1)

    @property
    def total_hours(self) -> float:
        return round(sum(s.hours for s in self.sessions) + sum(s.seconds for s in self.study) / 3600, 1)

    @property
    def official_exams(self) -> list[ExamLine]:
        """Formal exams and 补考 (mock exams are listed but not counted)."""
        return [e for e in self.exams if e.exam.kind in CERTIFIED_KINDS]

    @property
    def exams_passed(self) -> int:
        return sum(1 for e in self.official_exams if e.counted is not None and e.counted.passed)


def record(user: User, year: int | None, *, as_owner: bool = True) -> Record:
    return Record(user, year, sessions(user.id, year), online_study(user.id, year), programmes(user.id, year),
                  exams(user.id, year, as_owner=as_owner))


def record_years(user: User) -> list[int]:
    """Years in which the person has something on record, newest first, always with this year."""
    years = {clock.now().astimezone(clock.BEIJING).year}
    s = _sessions_stmt(user.id, None).subquery()
    moments = [select(s.c.starts_at),
               select(Exam.opens_at).join(Attempt, Attempt.exam_id == Exam.id)
               .where(Attempt.user_id == user.id, Attempt.status.in_(FINISHED), Exam.kind != "practice"),
               select(_studied_at()).where(StudyTime.user_id == user.id,
                                           or_(StudyTime.seconds > 0, StudyTime.completed_at.is_not(None)))]
    for stmt in moments:
        years.update(at.astimezone(clock.BEIJING).year for at in db.session.scalars(stmt.distinct()) if at)
    years.update(line.programme.year for line in programmes(user.id, None))
    return sorted(years, reverse=True)


# --- 合格证书 ----------------------------------------------------------------------------------

@dataclass
class Certificate:
    attempt: Attempt
    number: str  # 证书编号, e.g. FZ2023-000123
    issuer: str  # e.g. 大张楼镇人民政府
    issued_on: datetime

    @property
    def via_makeup(self) -> bool:
        return self.attempt.exam.kind == "makeup"


def certificate_number(attempt: Attempt) -> str:
    """Derived from the attempt alone, so printing again gives the same number."""
    year = attempt.finished_at.astimezone(clock.BEIJING).year
    return f"FZ{year}-{attempt.id:06d}"


def issuer(user: User) -> str:
    """FAZHI_CERTIFICATE_ISSUER, else the government of the town the person belongs to."""
    configured = current_app.config.get("CERTIFICATE_ISSUER")
    if configured:
        return configured
    top = None
    if user.org_unit is not None:
        root_id = int(user.org_unit.path.strip("/").split("/")[0])
        top = db.session.get(OrgUnit, root_id)
    if top is None:
        top = db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.kind == "town")
                                .order_by(OrgUnit.sort_order, OrgUnit.id))
    if top is None:
        return "法治学考"
    return f"{top.name}人民政府" if top.kind == "town" else top.name


def certificate(attempt: Attempt) -> Certificate | None:
    """The certificate of a passed formal exam or 补考, once the policy shows the score; else None."""
    if not certificate_allowed(attempt):
        return None
    return Certificate(attempt, certificate_number(attempt), issuer(attempt.user), attempt.finished_at)
