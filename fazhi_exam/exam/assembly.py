"""Paper assembly: each rule's pool of questions, the check that the banks can fill a paper,
and the draw for one examinee (no question twice; questions and options shuffled if asked)."""
from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from ..bank.types import TYPE_LABELS
from ..extensions import db
from ..models import Exam, ExamRule, Question, QuestionTag, QuestionVersion, question_laws


def rule_pool(rule: ExamRule) -> Select:
    """Ids of the published questions a rule may draw from. Listed tags must all be present."""
    stmt = select(Question.id).where(Question.status == "published")
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
    return [db.session.scalar(select(func.count()).select_from(rule_pool(r).subquery())) or 0
            for r in exam.rules]


def check_rules(exam: Exam) -> list[str]:
    """What the banks lack for this paper, in Chinese; empty when every examinee can get one."""
    problems = []
    if not exam.rules:
        return ["试卷没有任何组卷规则"]
    for rule, size in zip(exam.rules, pool_sizes(exam), strict=True):
        if size < rule.count:
            problems.append(f"第 {rule.position} 条（{describe(rule)}）需要 {rule.count} 道，题库中只有 {size} 道")
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
        pool = [qid for qid in db.session.scalars(rule_pool(rule).order_by(Question.id)) if qid not in taken]
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
