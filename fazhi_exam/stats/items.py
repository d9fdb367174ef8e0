"""Item analysis (DESIGN §5) over an exam's examinees — each person's counted, fully graded attempt:

- 难度 (facility) P: the mean fraction of the question's points scored (unanswered = 0);
- 区分度 D = P(top 27 %) − P(bottom 27 %), the groups taken by total score (group size
  round(0.27 × N), at least 1; ties broken by attempt number of entry);
- 点双列相关 r: Pearson correlation of the item score with the total less that item (corrected);
- how often each option was chosen, in the question's own letters.

Two SQL aggregates: one for P, D and r (sums per question), one counting responses per shown
option order — the Python only turns at most a few rows per question into figures."""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Text, case, cast, func, literal, select

from ..bank.types import REGISTRY, TYPE_LABELS
from ..extensions import db
from ..models import Answer, Attempt, AttemptQuestion, Exam, QuestionVersion

GROUP = 0.27
MIN_FOR_FLAGS = 20  # fewer answers than this say nothing about a question


@dataclass
class Item:
    question_id: int
    version_id: int
    type: str
    stem: str
    key: object
    n: int
    facility: float | None
    discrimination: float | None
    point_biserial: float | None
    choices: Counter = field(default_factory=Counter)
    unanswered: int = 0

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    @property
    def key_text(self) -> str:
        if self.type == "judge":
            return "对" if self.key else "错"
        return self.key if isinstance(self.key, str) else "—"

    @property
    def flags(self) -> list[str]:
        out = []
        if self.n < MIN_FOR_FLAGS:
            return out
        if self.type in ("single", "judge") and self.choices:
            top, count = self.choices.most_common(1)[0]
            if top != self.key_text and count > self.choices[self.key_text] and count / self.n >= 0.5:
                out.append(f"多数人选了同一个错误选项（{top}，{count / self.n:.0%}），请核对答案")
        if self.discrimination is not None and self.discrimination < 0:
            out.append("区分度为负：高分组答对率低于低分组，请检查题目和答案")
        elif self.point_biserial is not None and self.point_biserial < -0.2:
            out.append("与总分负相关，请检查题目和答案")
        if self.facility is not None and self.facility < 0.3:
            out.append("难度过大：多数人没有答对")
        return out


def group_size(n: int) -> int:
    return max(1, math.floor(GROUP * n + 0.5)) if n else 0


def examinees(exam: Exam):
    """Subquery (attempt_id, total, pos, n): each person's counted graded attempt, ranked by total."""
    best_first = func.coalesce(Attempt.score, -1) if exam.score_policy == "best" else literal(0)
    ranked = (select(Attempt.id.label("attempt_id"), Attempt.score.label("total"),
                     func.row_number().over(partition_by=Attempt.user_id,
                                            order_by=(best_first.desc(), Attempt.number.desc())).label("rn"))
              .where(Attempt.exam_id == exam.id, Attempt.status.in_(("submitted", "graded")))
              .subquery("ranked"))
    counted = (select(ranked.c.attempt_id, ranked.c.total)
               .where(ranked.c.rn == 1)
               .join(Attempt, Attempt.id == ranked.c.attempt_id).where(Attempt.status == "graded")
               .subquery("counted"))
    return (select(counted.c.attempt_id, counted.c.total,
                   func.row_number().over(order_by=(counted.c.total.desc(), counted.c.attempt_id)).label("pos"),
                   func.count().over().label("n"))
            .subquery("examinees"))


def _figures_statement(exam: Exam):
    e = examinees(exam)
    x = func.coalesce(Answer.score, 0.0)
    frac = x / AttemptQuestion.points
    y = e.c.total - x
    k = func.floor(GROUP * e.c.n + 0.5)
    k = case((k < 1, 1), else_=k)
    top = e.c.pos <= k
    bottom = e.c.pos > e.c.n - k
    return (select(AttemptQuestion.question_id, func.max(AttemptQuestion.version_id).label("version_id"),
                   func.count().label("n"), func.sum(frac).label("sf"),
                   func.sum(case((top, frac), else_=0)).label("top_f"),
                   func.sum(case((top, 1), else_=0)).label("top_n"),
                   func.sum(case((bottom, frac), else_=0)).label("bot_f"),
                   func.sum(case((bottom, 1), else_=0)).label("bot_n"),
                   func.sum(x).label("sx"), func.sum(y).label("sy"), func.sum(x * y).label("sxy"),
                   func.sum(x * x).label("sxx"), func.sum(y * y).label("syy"))
            .select_from(e).join(AttemptQuestion, AttemptQuestion.attempt_id == e.c.attempt_id)
            .outerjoin(Answer, Answer.attempt_question_id == AttemptQuestion.id)
            .group_by(AttemptQuestion.question_id))


def _choices_statement(exam: Exam):
    e = examinees(exam)
    response, order = cast(Answer.response, Text), cast(AttemptQuestion.option_order, Text)
    return (select(AttemptQuestion.question_id, response.label("response"), order.label("order"),
                   func.count().label("n"))
            .select_from(e).join(AttemptQuestion, AttemptQuestion.attempt_id == e.c.attempt_id)
            .outerjoin(Answer, Answer.attempt_question_id == AttemptQuestion.id)
            .group_by(AttemptQuestion.question_id, response, order))


def _correlation(n, sx, sy, sxy, sxx, syy) -> float | None:
    vx, vy = n * sxx - sx * sx, n * syy - sy * sy
    if n < 2 or vx <= 1e-12 or vy <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(vx * vy)


def item_analysis(exam: Exam) -> list[Item]:
    rows = db.session.execute(_figures_statement(exam)).all()
    versions = {v.id: v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_([r.version_id for r in rows])))}
    responses: dict[int, list[tuple[object, list]]] = {}
    unanswered: Counter = Counter()
    for qid, response, order, n in db.session.execute(_choices_statement(exam)):
        if response is None or response == "null":
            unanswered[qid] += n
            continue
        responses.setdefault(qid, []).append((json.loads(response), json.loads(order or "[]"), n))
    items = []
    for r in rows:
        version = versions[r.version_id]
        qtype = REGISTRY[version.type]
        choices: Counter = Counter()
        for resp, order, n in responses.get(r.question_id, []):
            for choice, count in qtype.summarise(version.answer, [qtype.to_original(resp, order)]).items():
                choices[choice] += count * n
        sx, sy = float(r.sx or 0), float(r.sy or 0)
        items.append(Item(
            question_id=r.question_id, version_id=r.version_id, type=version.type, stem=version.stem,
            key=version.answer, n=r.n, facility=float(r.sf) / r.n if r.n else None,
            discrimination=(float(r.top_f) / r.top_n - float(r.bot_f) / r.bot_n) if r.top_n and r.bot_n else None,
            point_biserial=_correlation(r.n, sx, sy, float(r.sxy or 0), float(r.sxx or 0), float(r.syy or 0)),
            choices=choices, unanswered=unanswered[r.question_id]))
    items.sort(key=lambda i: (not i.flags, i.facility if i.facility is not None else 1, i.question_id))
    return items

