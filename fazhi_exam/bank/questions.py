"""Banks and questions: create, edit (each edit is a new version), retire and restore, search."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from .. import audit, clock
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import Bank, Law, Question, QuestionTag, QuestionVersion, User
from .importers.base import ParsedQuestion
from .laws import cited_laws
from .validation import dedupe_key, question_problems


def get_or_create_bank(actor: User | None, name: str, description: str = "") -> Bank:
    name = (name or "").strip()
    if not name:
        raise ValidationError("题库名称不能为空。")
    bank = db.session.scalar(select(Bank).where(Bank.name == name))
    if bank is None:
        bank = Bank(name=name[:100], description=description or "", created_at=clock.now())
        db.session.add(bank)
        db.session.flush()
        audit.record("bank_saved", actor=actor, target=bank.name, details={"id": bank.id})
    return bank


def set_practice_open(actor: User | None, bank: Bank, practice_open: bool) -> None:
    """Open or close a bank for practice (closed: its questions never show a key in practice)."""
    if bank.practice_open == practice_open:
        return
    bank.practice_open = practice_open
    db.session.flush()
    audit.record("bank_saved", actor=actor, target=bank.name, details={"id": bank.id, "practice_open": practice_open})


def bank_by_name(name: str) -> Bank:
    bank = db.session.scalar(select(Bank).where(Bank.name == name))
    if bank is None:
        raise NotFound(f"没有名为“{name}”的题库。")
    return bank


def _version(q: ParsedQuestion, actor: User | None, note: str, number: int) -> QuestionVersion:
    return QuestionVersion(
        number=number, type=q.type, stem=q.stem, options=list(q.options), answer=q.answer,
        explanation=q.explanation, basis=q.basis, difficulty=q.difficulty, tags=list(q.tags),
        grading_points=list(q.grading_points), title=q.title[:255], option_feedback=list(q.option_feedback),
        note=note[:255], created_at=clock.now(),
        created_by_id=actor.id if actor else None)


def _apply_current(question: Question, version: QuestionVersion, q: ParsedQuestion,
                   laws_by_name: dict[str, Law] | None) -> None:
    question.current_version = version
    question.type, question.difficulty = q.type, q.difficulty
    question.dedupe_key = dedupe_key(q.stem, q.options)
    question.updated_at = clock.now()
    question.laws = cited_laws(q.basis, laws_by_name)
    question.tags = [QuestionTag(name=t[:30]) for t in dict.fromkeys(q.tags)]


def create_question(actor: User | None, bank: Bank, q: ParsedQuestion, *, status: str = "published",
                    laws_by_name: dict[str, Law] | None = None, record: bool = True) -> Question:
    problems = question_problems(q)
    if problems:
        raise ValidationError("；".join(problems))
    if status not in ("draft", "published"):
        raise ValidationError("新题的状态只能是草稿或已发布。")
    now = clock.now()
    question = Question(bank_id=bank.id, status=status, type=q.type, difficulty=q.difficulty,
                        dedupe_key=dedupe_key(q.stem, q.options), created_at=now, updated_at=now)
    version = _version(q, actor, "新建", 1)
    version.question = question
    db.session.add_all([question, version])
    _apply_current(question, version, q, laws_by_name)
    if record:  # otherwise the caller flushes, in batches (imports)
        db.session.flush()
        audit.record("question_saved", actor=actor, target=f"{bank.name} #{question.id}",
                     details={"version": version.number})
    return question


def edit_question(actor: User | None, question: Question, q: ParsedQuestion, note: str = "") -> QuestionVersion:
    """Every edit is a new version; earlier versions (and attempts that showed them) stay as they were."""
    problems = question_problems(q)
    if problems:
        raise ValidationError("；".join(problems))
    clash = db.session.scalar(select(Question.id).where(
        Question.bank_id == question.bank_id, Question.dedupe_key == dedupe_key(q.stem, q.options),
        Question.id != question.id))
    if clash is not None:
        raise ValidationError(f"本题库中已有相同的题目（#{clash}）。")
    number = (db.session.scalar(select(func.max(QuestionVersion.number))
                                .where(QuestionVersion.question_id == question.id)) or 0) + 1
    version = _version(q, actor, note or "修改", number)
    version.question = question
    db.session.add(version)
    _apply_current(question, version, q, None)
    question.needs_review = False  # a trainer has looked at it against the current law
    db.session.flush()
    audit.record("question_saved", actor=actor, target=f"{question.bank.name} #{question.id}",
                 details={"version": version.number})
    return version


def set_status(actor: User | None, question: Question, status: str) -> None:
    if status not in ("draft", "published", "retired"):
        raise ValidationError("状态无效。")
    old, question.status = question.status, status
    question.updated_at = clock.now()
    db.session.flush()
    audit.record("question_status", actor=actor, target=f"{question.bank.name} #{question.id}",
                 details={"old": old, "new": status})


def mark_reviewed(actor: User | None, question: Question) -> None:
    question.needs_review = False
    db.session.flush()
    audit.record("question_status", actor=actor, target=f"{question.bank.name} #{question.id}",
                 details={"reviewed": True})


def as_parsed(version: QuestionVersion) -> ParsedQuestion:
    return ParsedQuestion(type=version.type, stem=version.stem, options=list(version.options or []),
                          answer=version.answer, explanation=version.explanation or "",
                          basis=version.basis or "", difficulty=version.difficulty,
                          tags=list(version.tags or []), grading_points=list(version.grading_points or []),
                          title=version.title or "", option_feedback=list(version.option_feedback or []))


@dataclass
class QuestionFilter:
    q: str = ""
    type: str | None = None
    tag: str | None = None
    law_id: int | None = None
    difficulty: int | None = None
    status: str | None = None
    flagged: bool = False


def search_questions(bank: Bank, flt: QuestionFilter) -> Select:
    stmt = (select(Question).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(Question.bank_id == bank.id))
    if flt.q:
        like = f"%{flt.q.strip()}%"
        stmt = stmt.where(or_(QuestionVersion.stem.like(like), QuestionVersion.basis.like(like)))
    if flt.type:
        stmt = stmt.where(Question.type == flt.type)
    if flt.tag:
        stmt = stmt.where(Question.tags.any(QuestionTag.name == flt.tag))
    if flt.law_id:
        stmt = stmt.where(Question.laws.any(Law.id == flt.law_id))
    if flt.difficulty:
        stmt = stmt.where(Question.difficulty == flt.difficulty)
    if flt.status:
        stmt = stmt.where(Question.status == flt.status)
    if flt.flagged:
        stmt = stmt.where(Question.needs_review.is_(True))
    return stmt.order_by(Question.id)


def bank_counts() -> dict[int, dict[str, int]]:
    """Per bank: questions by type and by status, in one grouped query."""
    rows = db.session.execute(select(Question.bank_id, Question.type, Question.status, func.count())
                              .group_by(Question.bank_id, Question.type, Question.status))
    counts: dict[int, dict[str, int]] = {}
    for bank_id, qtype, status, n in rows:
        c = counts.setdefault(bank_id, {})
        c[qtype] = c.get(qtype, 0) + n
        c[status] = c.get(status, 0) + n
        c["total"] = c.get("total", 0) + n
    flagged = db.session.execute(select(Question.bank_id, func.count()).where(Question.needs_review.is_(True))
                                 .group_by(Question.bank_id))
    for bank_id, n in flagged:
        counts.setdefault(bank_id, {})["flagged"] = n
    return counts
