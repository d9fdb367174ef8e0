"""Practice with instant feedback, and the 错题本: every wrong answer (in practice or an exam)
goes in; a question leaves after being answered right twice in a row."""
from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from .. import clock
from ..bank.types import REGISTRY
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import (
    Attempt,
    Bank,
    Law,
    PracticeAnswer,
    Question,
    QuestionTag,
    QuestionVersion,
    User,
    WrongBookEntry,
)
from ..models.bank import question_laws

PRACTICE_TYPES = ("single", "multiple", "judge", "fill")
LEAVE_AFTER = 2  # right answers in a row


def practice_banks() -> list[tuple[Bank, int]]:
    rows = db.session.execute(select(Bank, func.count(Question.id)).join(Question, Question.bank_id == Bank.id)
                              .where(Question.status == "published", Question.type.in_(PRACTICE_TYPES))
                              .group_by(Bank.id).order_by(Bank.name)).all()
    return [(bank, n) for bank, n in rows]


AUDIENCE_TAGS = ("干部", "执法", "明白人")


def practice_topics(limit: int = 40) -> list[tuple[str, int]]:
    """The most used topic tags (not the audience ones) with their question counts."""
    rows = db.session.execute(
        select(QuestionTag.name, func.count()).join(Question, Question.id == QuestionTag.question_id)
        .where(Question.status == "published", Question.type.in_(PRACTICE_TYPES),
               QuestionTag.name.not_in(AUDIENCE_TAGS))
        .group_by(QuestionTag.name).having(func.count() >= 5).order_by(func.count().desc()).limit(limit)).all()
    return [(name, n) for name, n in rows]


def wrong_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(WrongBookEntry)
                             .where(WrongBookEntry.user_id == user.id, WrongBookEntry.active.is_(True))) or 0


def pick_question(user: User, *, bank_id: int | None = None, tag: str | None = None, wrong_only: bool = False,
                  exclude: int | None = None, rng: random.Random | None = None) -> Question | None:
    stmt = select(Question.id).where(Question.status == "published", Question.type.in_(PRACTICE_TYPES))
    if wrong_only:
        stmt = stmt.where(Question.id.in_(select(WrongBookEntry.question_id).where(
            WrongBookEntry.user_id == user.id, WrongBookEntry.active.is_(True))))
    else:
        if bank_id:
            stmt = stmt.where(Question.bank_id == bank_id)
        if tag:
            stmt = stmt.where(Question.tags.any(QuestionTag.name == tag))
    ids = [i for i in db.session.scalars(stmt) if i != exclude] or list(db.session.scalars(stmt))
    if not ids:
        return None
    return db.session.get(Question, (rng or random).choice(ids))


def record_result(user_id: int, question_id: int, correct: bool) -> None:
    entry = db.session.get(WrongBookEntry, (user_id, question_id))
    if not correct:
        if entry is None:
            entry = WrongBookEntry(user_id=user_id, question_id=question_id, wrong_count=0)
            db.session.add(entry)
        entry.wrong_count += 1
        entry.right_streak, entry.active, entry.last_wrong_at = 0, True, clock.now()
    elif entry is not None and entry.active:
        entry.right_streak += 1
        if entry.right_streak >= LEAVE_AFTER:
            entry.active = False


def record_attempt(attempt: Attempt) -> None:
    """After an exam: wrong objective answers go to the 错题本, right ones count toward leaving it."""
    for aq in attempt.questions:
        if REGISTRY[aq.version.type].auto_graded:  # a question left blank counts as wrong
            right = aq.answer is not None and (aq.answer.score or 0) >= aq.points
            record_result(attempt.user_id, aq.question_id, right)


@dataclass
class Feedback:
    question: Question
    version: QuestionVersion
    response: Any
    correct: bool


def answer(user: User, question_id: int, version_id: int, response: Any, *, source: str = "practice") -> Feedback:
    question = db.session.get(Question, question_id)
    version = db.session.get(QuestionVersion, version_id)
    if question is None or version is None or version.question_id != question.id \
            or version.type not in PRACTICE_TYPES:
        raise NotFound("试题不存在。")
    qtype = REGISTRY[version.type]
    problem = qtype.response_problem(version.stem, len(version.options or []), response)
    if problem:
        raise ValidationError("请先作答再提交。" if response in (None, "", []) else problem)
    correct = qtype.grade(version.answer, qtype.to_original(response, []), 1.0) >= 1.0
    db.session.add(PracticeAnswer(user_id=user.id, question_id=question.id, version_id=version.id, correct=correct,
                                  source=source, answered_at=clock.now()))
    record_result(user.id, question.id, correct)
    db.session.flush()
    return Feedback(question, version, response, correct)


def wrong_book(user: User) -> OrderedDict[str, list[WrongBookEntry]]:
    """Active entries grouped by the law the question cites (its first law, or 其他)."""
    entries = list(db.session.scalars(select(WrongBookEntry).where(
        WrongBookEntry.user_id == user.id, WrongBookEntry.active.is_(True))
        .order_by(WrongBookEntry.last_wrong_at.desc())))
    groups: OrderedDict[str, list[WrongBookEntry]] = OrderedDict()
    law_names = dict(db.session.execute(
        select(question_laws.c.question_id, func.min(question_laws.c.law_id))
        .where(question_laws.c.question_id.in_([e.question_id for e in entries]))
        .group_by(question_laws.c.question_id)).all())
    names = {law.id: law.name for law in db.session.scalars(select(Law).where(Law.id.in_(set(law_names.values()))))}
    for entry in entries:
        groups.setdefault(names.get(law_names.get(entry.question_id), "其他"), []).append(entry)
    return OrderedDict(sorted(groups.items()))
