"""Paper assembly: each rule's pool of questions, the check that the banks can fill a paper,
and the draw for one examinee (no question twice; questions and options shuffled if asked)."""
from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from ..bank.types import TYPE_LABELS
from ..extensions import db
from ..models import Exam, ExamRule, Question, QuestionTag, QuestionVersion, question_laws


def rule_pool(rule: ExamRule, *, include_flagged: bool = False) -> Select:
    """Ids of the published questions a rule may draw from. Listed tags must all be present.
    Questions flagged 待复核 (a law they cite was amended since) only if the exam says so."""
    stmt = select(Question.id).where(Question.status == "published")
    if not include_flagged:
        stmt = stmt.where(Question.needs_review.is_(False))
    if rule.question_ids:
        return stmt.where(Question.id.in_(rule.question_ids))
    if rule.bank_id:
        stmt = stmt.where(Question.bank_id == rule.bank_id)
    if rule.type:
        stmt = stmt.where(Question.type == rule.type)
    stmt = stmt.where(Question.difficulty.between(rule.difficulty_min, rule.difficulty_max))
    for tag in rule.tags or []:
        stmt = stmt.where(Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.name == tag)))
    if rule.law_id:
        stmt = stmt.where(Question.id.in_(select(question_laws.c.question_id)
                                          .where(question_laws.c.law_id == rule.law_id)))
    return stmt


def describe(rule: ExamRule) -> str:
    if rule.question_ids:
        return f"指定试题 {len(rule.question_ids)} 道"
    parts = [rule.bank.name if rule.bank else "全部题库", TYPE_LABELS.get(rule.type or "", "各题型")]
    if rule.tags:
        parts.append("标签 " + "、".join(rule.tags))
    if rule.law:
        parts.append(rule.law.name)
    if (rule.difficulty_min, rule.difficulty_max) != (1, 5):
        parts.append(f"难度 {rule.difficulty_min}–{rule.difficulty_max}")
    return " · ".join(parts)


def pool_sizes(exam: Exam) -> list[int]:
    return [_count(rule_pool(r, include_flagged=exam.include_flagged)) for r in exam.rules]


def held_back(exam: Exam) -> list[int]:
    """For each rule: the published questions it matches that are held back as 待复核."""
    if exam.include_flagged:
        return [0 for _ in exam.rules]
    return [_count(rule_pool(r, include_flagged=True).where(Question.needs_review.is_(True))) for r in exam.rules]


def held_back_note(exam: Exam) -> str | None:
    """In Chinese, for the form and `exam create`: how many questions were held back, and why."""
    n = sum(held_back(exam))
    if not n:
        return None
    return (f"有 {n} 道符合组卷规则的试题标记为“待复核”（所引法律已修订，培训管理员尚未复核），"
            "未抽入本试卷；复核后即可抽到。")


def _count(pool: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(pool.subquery())) or 0


def check_rules(exam: Exam) -> list[str]:
    """What the banks lack for this paper, in Chinese; empty when every examinee can get one."""
    problems = []
    if not exam.rules:
        return ["试卷没有任何组卷规则"]
    for rule, size, held in zip(exam.rules, pool_sizes(exam), held_back(exam), strict=True):
        if size < rule.count:
            why = f"（另有 {held} 道待复核，未计入）" if held else ""
            problems.append(f"第 {rule.position} 条（{describe(rule)}）需要 {rule.count} 道，题库中只有 {size} 道{why}")
    if not problems:
        try:
            draw_paper(exam, random.Random(0))
        except PaperError as exc:  # rules overlap and together need more than there is
            problems.append(str(exc))
    return problems


class PaperError(Exception):
    pass


@dataclass
class DrawnQuestion:
    question_id: int
    version: QuestionVersion
    points: float
    option_order: list[int]


def draw_paper(exam: Exam, rng: random.Random) -> list[DrawnQuestion]:
    taken: set[int] = set()
    paper: list[DrawnQuestion] = []
    for rule in exam.rules:
        pool = [qid for qid in db.session.scalars(rule_pool(rule, include_flagged=exam.include_flagged)
                                                  .order_by(Question.id)) if qid not in taken]
        if len(pool) < rule.count:
            raise PaperError(f"第 {rule.position} 条（{describe(rule)}）与前面的规则重叠，剩余的题不够 {rule.count} 道")
        if rule.question_ids:
            chosen = [qid for qid in rule.question_ids if qid in set(pool)]
            if exam.shuffle_questions:
                rng.shuffle(chosen)
        else:
            chosen = rng.sample(pool, rule.count)
            if not exam.shuffle_questions:
                chosen.sort()
        taken.update(chosen)
        versions = {v.question_id: v for v in db.session.scalars(
            select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.id.in_(chosen)))}
        for qid in chosen:
            version = versions[qid]
            order = list(range(len(version.options or [])))
            if exam.shuffle_options and version.type in ("single", "multiple"):
                rng.shuffle(order)
            paper.append(DrawnQuestion(qid, version, rule.points, order))
    return paper
