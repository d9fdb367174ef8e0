"""Practice with instant feedback, and the 错题本: every wrong answer (in practice or an exam)
goes in; a question leaves after being answered right twice in a row. Keys show only for questions
practisable now and not held back for this learner (holdback)."""
from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select

from .. import clock
from ..bank.types import REGISTRY
from ..errors import Conflict, NotFound, ValidationError
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
from .holdback import PAUSED_MESSAGE, HeldBack, held_back

PRACTICE_TYPES = ("single", "multiple", "judge", "fill")
LEAVE_AFTER = 2  # right answers in a row
NOT_PRACTISABLE = "这道题现在不能练习。"


def practisable() -> ColumnElement[bool]:
    """SQL over Question (joined to its Bank): may be practised by anyone, before the per-learner
    hold-back: published, not flagged 待复核 (its law changed), an objective type, in a bank open
    for practice."""
    return and_(Question.status == "published", Question.needs_review.is_(False), Question.type.in_(PRACTICE_TYPES),
                Bank.practice_open.is_(True))


def practice_banks() -> list[tuple[Bank, int]]:
    rows = db.session.execute(select(Bank, func.count(Question.id)).join(Question, Question.bank_id == Bank.id)
                              .where(practisable()).group_by(Bank.id).order_by(Bank.name)).all()
    return [(bank, n) for bank, n in rows]


AUDIENCE_TAGS = ("干部", "执法", "明白人")


def practice_topics(limit: int = 40) -> list[tuple[str, int]]:
    """The most used topic tags (not the audience ones) with their question counts."""
    rows = db.session.execute(
        select(QuestionTag.name, func.count()).join(Question, Question.id == QuestionTag.question_id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(practisable(), QuestionTag.name.not_in(AUDIENCE_TAGS))
        .group_by(QuestionTag.name).having(func.count() >= 5).order_by(func.count().desc()).limit(limit)).all()
    return [(name, n) for name, n in rows]


def _shown_wrong_entries(user: User, held: HeldBack) -> Select:
    """The learner's active 错题本 entries that may show their key now: practisable and not held back
    (an entry recorded from an exam stays hidden until its review is allowed). The list, its count
    and 练错题 all read this one statement."""
    return (select(WrongBookEntry).join(Question, Question.id == WrongBookEntry.question_id)
            .join(Bank, Bank.id == Question.bank_id)
            .where(WrongBookEntry.user_id == user.id, WrongBookEntry.active.is_(True), practisable(),
                   ~held.condition(WrongBookEntry.question_id)))


def wrong_count(user: User, held: HeldBack | None = None) -> int:
    held = held_back(user) if held is None else held
    if held.paused:
        return 0
    return db.session.scalar(select(func.count()).select_from(_shown_wrong_entries(user, held).subquery())) or 0


def pick_question(user: User, *, bank_id: int | None = None, tag: str | None = None, wrong_only: bool = False,
                  exclude: int | None = None, rng: random.Random | None = None,
                  held: HeldBack | None = None) -> Question | None:
    held = held_back(user) if held is None else held
    if held.paused:
        return None
    if wrong_only:
        stmt = _shown_wrong_entries(user, held).with_only_columns(WrongBookEntry.question_id)
    else:
        stmt = (select(Question.id).join(Bank, Bank.id == Question.bank_id)
                .where(practisable(), ~held.condition(Question.id)))
        if bank_id:
            stmt = stmt.where(Question.bank_id == bank_id)
        if tag:
            stmt = stmt.where(Question.tags.any(QuestionTag.name == tag))
    found = list(db.session.scalars(stmt))
    ids = [i for i in found if i != exclude] or found
    if not ids:
        return None
    return db.session.get(Question, (rng or random).choice(ids))


def record_result(user_id: int, question_id: int, correct: bool, *, order: list[int] | None = None,
                  response: Any = None) -> None:
    """`order` and `response`: how a wrong answer was shown and given (kept for the 错题本)."""
    entry = db.session.get(WrongBookEntry, (user_id, question_id))
    if not correct:
        if entry is None:
            entry = WrongBookEntry(user_id=user_id, question_id=question_id, wrong_count=0)
            db.session.add(entry)
        entry.wrong_count += 1
        entry.right_streak, entry.active, entry.last_wrong_at = 0, True, clock.now()
        entry.option_order, entry.response = list(order or []), response
    elif entry is not None and entry.active:
        entry.right_streak += 1
        if entry.right_streak >= LEAVE_AFTER:
            entry.active = False


def record_attempt(attempt: Attempt) -> None:
    """After an exam: wrong objective answers go to the 错题本, right ones count toward leaving it."""
    for aq in attempt.questions:
        if REGISTRY[aq.version.type].auto_graded:  # a question left blank counts as wrong
            right = aq.answer is not None and (aq.answer.score or 0) >= aq.points
            record_result(attempt.user_id, aq.question_id, right, order=aq.option_order,
                          response=aq.answer.response if aq.answer is not None else None)


@dataclass
class Feedback:
    question: Question
    version: QuestionVersion
    response: Any
    correct: bool


def answer(user: User, question_id: int, version_id: int, response: Any, *, source: str = "practice",
           held: HeldBack | None = None) -> Feedback:
    """Grade a practice answer and give the key at once, only for a question practisable now, in its
    current version. Every refusal says the same and tells nothing of the key, not even right or wrong."""
    held = held_back(user) if held is None else held
    if held.paused:
        raise Conflict(PAUSED_MESSAGE, code="practice_paused")
    question = db.session.get(Question, question_id)
    version = db.session.get(QuestionVersion, version_id)
    if question is None or version is None or version.question_id != question.id \
            or question.current_version_id != version.id or not _is_practisable(question) \
            or held.holds(question.id):
        raise NotFound(NOT_PRACTISABLE)
    qtype = REGISTRY[version.type]
    problem = qtype.response_problem(version.stem, len(version.options or []), response)
    if problem:
        raise ValidationError("请先作答再提交。" if response in (None, "", []) else problem)
    correct = qtype.grade(version.answer, qtype.to_original(response, []), 1.0, stem=version.stem) >= 1.0
    db.session.add(PracticeAnswer(user_id=user.id, question_id=question.id, version_id=version.id, correct=correct,
                                  source=source, answered_at=clock.now()))
    record_result(user.id, question.id, correct, response=response)  # practice shows the bank's order
    db.session.flush()
    return Feedback(question, version, response, correct)


@dataclass
class SeenEntry:
    """A 错题本 entry as the learner last saw it: options in the order shown, letters as shown."""
    entry: WrongBookEntry
    version: QuestionVersion
    options: list[tuple[str, str, bool]]  # (letter shown, text, is it a right option)
    key: str  # the right answer as shown: "C 小卖部老板…", "对", "三十/30"
    response: str  # what the learner answered last time, as shown ("" when nothing)


def seen(entry: WrongBookEntry) -> SeenEntry:
    version = entry.question.current_version
    options = list(version.options or [])
    order = list(entry.option_order or [])
    if sorted(order) != list(range(len(options))):  # no order kept, or the options changed since
        order = list(range(len(options)))
    shown = []
    for position, original in enumerate(order):
        shown.append(("ABCDEFGH"[position], options[original], "ABCDEFGH"[original] in str(version.answer or "")))
    if shown:
        key = "；".join(f"{letter} {text}" for letter, text, right in shown if right)
        given = entry.response if isinstance(entry.response, list) else [entry.response] if entry.response else []
        response = "、".join(str(x) for x in given) if given else ""
    else:
        key = _plain_answer(version.answer)
        response = _plain_answer(entry.response) if entry.response not in (None, "", []) else ""
    return SeenEntry(entry, version, shown, key, response)


def _plain_answer(value: Any) -> str:
    if isinstance(value, bool):
        return "对" if value else "错"
    if isinstance(value, list):
        return "；".join("/".join(v) if isinstance(v, list) else str(v) for v in value)
    return str(value or "")


def _is_practisable(question: Question) -> bool:
    return db.session.scalar(select(Question.id).join(Bank, Bank.id == Question.bank_id)
                             .where(Question.id == question.id, practisable())) is not None


def wrong_book(user: User, held: HeldBack | None = None) -> OrderedDict[str, list[SeenEntry]]:
    """Shown entries grouped by the law the question cites (its first law, or 其他)."""
    held = held_back(user) if held is None else held
    if held.paused:
        return OrderedDict()
    entries = list(db.session.scalars(_shown_wrong_entries(user, held).order_by(WrongBookEntry.last_wrong_at.desc())))
    groups: OrderedDict[str, list[SeenEntry]] = OrderedDict()
    law_names = dict(db.session.execute(
        select(question_laws.c.question_id, func.min(question_laws.c.law_id))
        .where(question_laws.c.question_id.in_([e.question_id for e in entries]))
        .group_by(question_laws.c.question_id)).all())
    names = {law.id: law.name for law in db.session.scalars(select(Law).where(Law.id.in_(set(law_names.values()))))}
    for entry in entries:
        groups.setdefault(names.get(law_names.get(entry.question_id), "其他"), []).append(seen(entry))
    return OrderedDict(sorted(groups.items()))
