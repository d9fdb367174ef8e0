"""The exam figures of DESIGN §5 for one exam, in all and by org unit or cohort, and the names
behind each of them.

- 应考: the audience at the exam's close (audience_dates.exam_day, read from the roster history — see
  audience.py), plus anyone with a finished attempt; for a 补考, the formal exam's audience at the
  formal exam's close less those who had passed it; by unit and by cohort: the unit and cohorts
  each person had on that day; less the excused (免考) without a finished attempt, who are counted
  apart (excused) — someone who finished an attempt counts whatever was recorded.
- 参考: of those, people with a finished attempt (of the exam, or of its 补考 when they count).
- 合格: people whose counted score (best or last attempt, per exam) reaches the pass mark; with
  补考 counted, passing either the exam or its 补考.
- 平均分 / 最高分 / 最低分: over each person's final score (the higher of the exam's and the 补考's
  counted scores when 补考 count); attempts still waiting for essay marking have no final score.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, Select, and_, case, cast, func, literal, not_, select

from ..audience import UNIT_ORDER, UNIT_ROW_ORDER, cohort_then, excused_ids, members, scope_candidates
from ..audience_dates import exam_day
from ..extensions import db
from ..models import (
    Attempt,
    Cohort,
    CohortMembership,
    Exam,
    Exemption,
    OrgUnit,
    User,
    exam_cohorts,
    exam_units,
)

FINISHED = ("submitted", "graded")
BANDS = 10  # score distribution in 10 % bands of the paper's total


@dataclass
class Figures:
    expected: int = 0  # 应考
    took: int = 0  # 参考
    passed: int = 0  # 合格
    pending: int = 0  # 待阅卷 (finished, essays not yet marked)
    via_makeup: int = 0  # 合格 only through the 补考
    excused: int = 0  # 免考, not in 应考
    mean: float | None = None
    high: float | None = None
    low: float | None = None
    label: str = "合计"
    key: int | None = None  # the org unit or cohort id of a breakdown row

    @property
    def took_rate(self) -> float | None:  # 参考率
        return self.took / self.expected if self.expected else None

    @property
    def pass_rate(self) -> float | None:  # 合格率 = 合格 / 参考
        return self.passed / self.took if self.took else None

    @property
    def pass_rate_expected(self) -> float | None:  # 合格 / 应考
        return self.passed / self.expected if self.expected else None

    @property
    def missed(self) -> int:
        return self.expected - self.took


@dataclass
class ExamStats:
    exam: Exam
    total: Figures
    by_unit: list[Figures] = field(default_factory=list)
    by_cohort: list[Figures] = field(default_factory=list)
    bands: list[int] = field(default_factory=list)  # people per 10 % band, 0–9 % … 90–100 %
    makeup_titles: list[str] = field(default_factory=list)


def counted_exam_ids(exam: Exam) -> list[int]:
    """The exam, and its 补考 when the exam counts them."""
    ids = [exam.id]
    if exam.kind != "makeup" and exam.count_makeup:
        ids += list(db.session.scalars(select(Exam.id).where(Exam.makeup_of_id == exam.id).order_by(Exam.id)))
    return ids


def _group_ids(table, column, exam_id: int) -> list[int]:
    return list(db.session.scalars(select(column).where(table.c.exam_id == exam_id)))


def _base(exam: Exam) -> Exam:
    """The exam whose audience a 补考 takes (its formal exam); an exam itself otherwise."""
    return exam.makeup_of if exam.kind == "makeup" and exam.makeup_of is not None else exam


def audience(exam: Exam, scope: str | None = None, *, with_excused: bool = False) -> Select:
    """SELECT user_id, org_unit_id, excused: who should have taken the exam; with_excused also the
    people excused from it (excused = 1), who are counted apart."""
    base = _base(exam)
    cohort_ids = _group_ids(exam_cohorts, exam_cohorts.c.cohort_id, base.id)
    paths = list(db.session.scalars(select(OrgUnit.path).join(exam_units, exam_units.c.org_unit_id == OrgUnit.id)
                                    .where(exam_units.c.exam_id == base.id)))
    recorded = select(Attempt.user_id).where(Attempt.exam_id.in_({exam.id, *counted_exam_ids(base)}),
                                             Attempt.status.in_(FINISHED))
    stmt = members(cohort_ids, paths, exam_day(base), recorded=recorded, scope=scope)
    excused = and_(User.id.in_(excused_ids("exam", exam.id)), User.id.not_in(recorded))
    stmt = stmt.add_columns(case((excused, 1), else_=0).label("excused"))
    if not with_excused:
        stmt = stmt.where(not_(excused))
    if base is not exam:  # a 补考: not those who passed the formal exam
        passed = select(Attempt.user_id).where(Attempt.exam_id == base.id, Attempt.passed.is_(True))
        stmt = stmt.where(User.id.not_in(passed))
    return stmt


def person_results(exam: Exam, scope: str | None = None) -> Select:
    """SELECT user_id, took, passed, pending, via_makeup, score: one row per person with a finished
    attempt, from each counted exam's counted attempt (best or last). With a scope, only people who
    could be in it (a superset of the scoped audience it is joined to: the same rows come out)."""
    ids = counted_exam_ids(exam)
    users = [] if scope is None else [Attempt.user_id.in_(scope_candidates(scope, exam_day(_base(exam))))]
    best_first = case((Exam.score_policy == "best", func.coalesce(Attempt.score, -1)), else_=literal(0))
    ranked = (select(Attempt.user_id, Attempt.status, Attempt.score, Exam.kind,
                     case((and_(Attempt.status == "graded", Attempt.score >= Exam.pass_score), 1), else_=0)
                     .label("ok"),
                     func.row_number().over(partition_by=(Attempt.exam_id, Attempt.user_id),
                                            order_by=(best_first.desc(), Attempt.number.desc())).label("rn"))
              .join(Exam, Exam.id == Attempt.exam_id)
              .where(Attempt.exam_id.in_(ids), Attempt.status.in_(FINISHED), *users)
              .subquery("ranked"))
    ok_formal = func.max(case((and_(ranked.c.ok == 1, ranked.c.kind != "makeup"), 1), else_=0))
    if exam.kind == "makeup":
        ok_formal = literal(0)
    passed = func.max(ranked.c.ok)
    return (select(ranked.c.user_id,
                   literal(1).label("took"),
                   passed.label("passed"),
                   case((passed == 1, 0), else_=func.max(case((ranked.c.status == "submitted", 1), else_=0)))
                   .label("pending"),
                   case((and_(passed == 1, ok_formal == 0, literal(exam.kind != "makeup")), 1), else_=0)
                   .label("via_makeup"),
                   func.max(case((ranked.c.status == "graded", ranked.c.score))).label("score"))
            .where(ranked.c.rn == 1)
            .group_by(ranked.c.user_id))


def _aggregates(a, p) -> list:
    return [func.coalesce(func.sum(1 - a.c.excused), 0).label("expected"),
            func.coalesce(func.sum(a.c.excused), 0).label("excused"), func.count(p.c.user_id).label("took"),
            func.coalesce(func.sum(p.c.passed), 0).label("passed"),
            func.coalesce(func.sum(p.c.pending), 0).label("pending"),
            func.coalesce(func.sum(p.c.via_makeup), 0).label("via_makeup"),
            func.avg(p.c.score).label("mean"), func.max(p.c.score).label("high"), func.min(p.c.score).label("low")]


def _figures(row, label: str = "合计", key: int | None = None) -> Figures:
    mean = row.mean
    return Figures(expected=int(row.expected), excused=int(row.excused), took=row.took, passed=int(row.passed),
                   pending=int(row.pending),
                   via_makeup=int(row.via_makeup), mean=round(float(mean), 2) if mean is not None else None,
                   high=row.high, low=row.low, label=label, key=key)


def figures(exam: Exam, scope: str | None = None) -> Figures:
    a = audience(exam, scope, with_excused=True).subquery("a")
    p = person_results(exam, scope).subquery("p")
    row = db.session.execute(select(*_aggregates(a, p)).select_from(a).outerjoin(p, p.c.user_id == a.c.user_id)).one()
    return _figures(row)


def by_unit(exam: Exam, scope: str | None = None) -> list[Figures]:
    a = audience(exam, scope, with_excused=True).subquery("a")
    p = person_results(exam, scope).subquery("p")
    stmt = (select(OrgUnit.id, OrgUnit.name, *_aggregates(a, p)).select_from(a)
            .outerjoin(p, p.c.user_id == a.c.user_id)
            .outerjoin(OrgUnit, OrgUnit.id == a.c.org_unit_id)
            .group_by(OrgUnit.id, OrgUnit.name).order_by(*UNIT_ORDER))
    return [_figures(r, r.name or "（未分配单位）", r.id) for r in db.session.execute(stmt)]


def by_cohort(exam: Exam, scope: str | None = None) -> list[Figures]:
    """A person in two cohorts counts in both rows (and once in the total)."""
    a = audience(exam, scope, with_excused=True).subquery("a")
    p = person_results(exam, scope).subquery("p")
    stmt = (select(Cohort.id, Cohort.name, *_aggregates(a, p)).select_from(a)
            .join(CohortMembership, cohort_then(a.c.user_id, exam_day(_base(exam))))
            .join(Cohort, Cohort.id == CohortMembership.cohort_id)
            .outerjoin(p, p.c.user_id == a.c.user_id)
            .group_by(Cohort.id, Cohort.name, Cohort.sort_order).order_by(Cohort.sort_order, Cohort.id))
    return [_figures(r, r.name, r.id) for r in db.session.execute(stmt)]


def bands(exam: Exam, scope: str | None = None) -> list[int]:
    """People per 10 % band of the paper's total (the top band includes full marks)."""
    a = audience(exam, scope).subquery("a")
    p = person_results(exam, scope).subquery("p")
    total = exam.total_points or 100
    band = cast(func.floor(p.c.score * BANDS / total), Integer).label("band")
    stmt = (select(band, func.count()).select_from(a).join(p, p.c.user_id == a.c.user_id)
            .where(p.c.score.is_not(None)).group_by(band))
    counts = [0] * BANDS
    for b, n in db.session.execute(stmt):
        counts[min(max(int(b), 0), BANDS - 1)] += n
    return counts


def exam_stats(exam: Exam, scope: str | None = None) -> ExamStats:
    makeups = list(db.session.scalars(select(Exam.title).where(Exam.makeup_of_id == exam.id).order_by(Exam.id)))
    return ExamStats(exam, figures(exam, scope), by_unit(exam, scope), by_cohort(exam, scope), bands(exam, scope),
                     makeups)


WHO = {"expected": "应考人员", "took": "参考人员", "passed": "合格人员", "failed": "不合格人员",
       "missed": "缺考人员", "pending": "待阅卷人员", "makeup": "经补考合格人员", "excused": "免考人员"}


@dataclass
class PersonRow:
    user_id: int
    name: str
    username: str
    unit: str
    took: bool
    passed: bool
    pending: bool
    via_makeup: bool
    score: float | None
    excused: bool = False
    reason: str = ""  # why excused

    @property
    def result(self) -> str:
        if self.excused:
            return f"免考（{self.reason}）" if self.reason else "免考"
        if not self.took:
            return "缺考"
        if self.pending:
            return "待阅卷"
        if self.passed:
            return "合格（补考）" if self.via_makeup else "合格"
        return "不合格"


def people(exam: Exam, who: str = "expected", *, scope: str | None = None, unit_id: int | None = None,
           cohort_id: int | None = None) -> list[PersonRow]:
    """The names behind a figure: who = expected / took / passed / failed / missed / pending / makeup
    / excused (免考, with the reason) / all (应考 and 免考: the export's one query)."""
    if who not in WHO and who != "all":
        raise ValueError(who)
    a = audience(exam, scope, with_excused=True).subquery("a")
    p = person_results(exam, scope).subquery("p")
    stmt = (select(User.id, User.name, User.username, OrgUnit.name.label("unit"), p.c.took, p.c.passed,
                   p.c.pending, p.c.via_makeup, p.c.score, a.c.excused, Exemption.reason)
            .select_from(a).join(User, User.id == a.c.user_id)
            .outerjoin(OrgUnit, OrgUnit.id == a.c.org_unit_id)
            .outerjoin(p, p.c.user_id == a.c.user_id)
            .outerjoin(Exemption, and_(a.c.excused == 1, Exemption.user_id == a.c.user_id,
                                       Exemption.exam_id == exam.id, Exemption.revoked_at.is_(None)))
            .order_by(*UNIT_ROW_ORDER, User.name, User.id))
    if unit_id is not None:
        stmt = stmt.where(a.c.org_unit_id == unit_id)
    if cohort_id is not None:
        stmt = stmt.where(select(CohortMembership.id).where(cohort_then(User.id, exam_day(_base(exam))),
                                                            CohortMembership.cohort_id == cohort_id).exists())
    condition = {"took": p.c.user_id.is_not(None), "passed": p.c.passed == 1,
                 "failed": and_(p.c.passed == 0, p.c.pending == 0), "missed": p.c.user_id.is_(None),
                 "pending": p.c.pending == 1, "makeup": p.c.via_makeup == 1}.get(who)
    if who != "all":
        stmt = stmt.where(a.c.excused == (1 if who == "excused" else 0))
    if condition is not None:
        stmt = stmt.where(condition)
    return [PersonRow(r.id, r.name, r.username, r.unit or "", bool(r.took), bool(r.passed), bool(r.pending),
                      bool(r.via_makeup), r.score, bool(r.excused), r.reason or "") for r in db.session.execute(stmt)]
