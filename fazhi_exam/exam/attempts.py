"""Attempts as a state machine: in_progress → submitted (essays to grade) → graded, or straight
to graded. The server owns time: deadline = min(start + duration, close); saves are accepted
until the deadline plus a grace for requests already in flight; a later touch or
`attempts close-expired` finishes the attempt at its deadline with what was saved."""
from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit, clock
from ..accounts.sessions import live_session_clause
from ..bank.types import REGISTRY
from ..closed_years import check_open, exam_year
from ..database import pause_for_waiters
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Answer, Attempt, AttemptQuestion, Exam, LoginSession, QuestionVersion, User
from .assembly import draw_paper
from .audience import in_audience
from .grading import grade_attempt
from .practice import record_attempt


class AttemptClosed(Conflict):
    code = "attempt_closed"


class StaleSave(Conflict):
    code = "stale_seq"


def grace() -> timedelta:
    return timedelta(seconds=current_app.config.get("EXAM_SAVE_GRACE_SECONDS", 30))


def remaining_seconds(attempt: Attempt, now: datetime | None = None) -> int:
    now = now or clock.now()
    return max(0, int((attempt.deadline - now).total_seconds()))


def why_not_start(user: User, exam: Exam, now: datetime) -> str | None:
    """None when the user may start a new attempt now; otherwise the reason, in Chinese."""
    if exam.status != "published":
        return "考试尚未发布或已结束。"
    if now < exam.opens_at:
        return "考试还没有开始。"
    if now >= exam.closes_at:
        return "考试已经结束。"
    if not in_audience(user, exam):
        if exam.kind == "makeup":
            return "只有正式考试未通过或缺考的人员可以参加补考。"
        return "您不在这场考试的参考范围内。"
    used = db.session.scalar(select(func.count()).select_from(Attempt)
                             .where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)) or 0
    if used >= exam.max_attempts:
        return f"您已用完 {exam.max_attempts} 次作答机会。"
    from ..study.programmes import exam_gate  # study may gate an exam; study does not import exam

    return exam_gate(user, exam)


# The paper with its versions and answers in three queries, not two per question.
WITH_PAPER = selectinload(Attempt.questions).options(selectinload(AttemptQuestion.version),
                                                      selectinload(AttemptQuestion.answer))


def current_attempt(user: User, exam: Exam, *, with_paper: bool = False) -> Attempt | None:
    stmt = select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id,
                                 Attempt.status == "in_progress")
    return db.session.scalar(stmt.options(WITH_PAPER) if with_paper else stmt)


def start_or_resume(user: User, exam: Exam) -> tuple[Attempt, bool]:
    """(attempt, started_now). Two tabs or a double click get the same attempt."""
    now = clock.now()
    attempt = current_attempt(user, exam, with_paper=True)
    if attempt is not None:
        if now <= attempt.deadline + grace():
            return attempt, False
        finish(attempt, "expired", attempt.deadline)
    reason = why_not_start(user, exam, now)
    if reason:
        raise PermissionDenied(reason, code="cannot_start")
    number = (db.session.scalar(select(func.max(Attempt.number))
                                .where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)) or 0) + 1
    paper = draw_paper(exam, random.Random(secrets.randbits(64)))
    deadline = min(now + timedelta(minutes=exam.duration_minutes), exam.closes_at)
    attempt = Attempt(exam_id=exam.id, user_id=user.id, number=number, status="in_progress", started_at=now,
                      deadline=deadline, max_score=sum(q.points for q in paper))
    try:
        with db.session.begin_nested():  # a concurrent start of the same attempt number loses here
            db.session.add(attempt)
            db.session.flush()
    except IntegrityError:
        attempt = current_attempt(user, exam, with_paper=True)
        if attempt is None:
            raise Conflict("请刷新页面后重试。") from None
        return attempt, False
    _add_paper(attempt, paper)
    audit.record("attempt_started", actor=user, target=exam.title,
                 details={"attempt": attempt.id, "number": number})
    return attempt, True


def _add_paper(attempt: Attempt, paper: list) -> None:
    """The drawn questions in one multi-row INSERT (the ORM would send one INSERT per row to SQLite, to
    learn each id), then read back, with the versions drawn and no answers yet, so that reading the
    paper or setting an answer needs no query."""
    db.session.execute(insert(AttemptQuestion), [
        {"attempt_id": attempt.id, "position": i, "question_id": q.question_id, "version_id": q.version.id,
         "points": q.points, "option_order": q.option_order} for i, q in enumerate(paper, 1)])
    rows = list(db.session.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt.id)
                                   .order_by(AttemptQuestion.position)))
    for aq, drawn in zip(rows, paper, strict=True):
        set_committed_value(aq, "version", drawn.version)
        set_committed_value(aq, "answer", None)
    set_committed_value(attempt, "questions", rows)


def start_exam(user: User, exam_id: int) -> tuple[Attempt, bool]:
    """start_or_resume by exam id; drafts and unknown ids are both "no such exam"."""
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.status == "draft":
        raise NotFound("考试不存在。")
    return start_or_resume(user, exam)


def own_attempt(user: User, attempt_id: int, *, lock: bool = False, with_paper: bool = False) -> Attempt:
    stmt = select(Attempt).where(Attempt.id == attempt_id)
    if lock:
        stmt = stmt.with_for_update()
    if with_paper:
        stmt = stmt.options(WITH_PAPER)
    attempt = db.session.scalar(stmt)
    if attempt is None or attempt.user_id != user.id:  # someone else's attempt looks like no attempt
        raise NotFound("答卷不存在。")
    return attempt


def expire_if_due(attempt: Attempt, now: datetime) -> bool:
    if attempt.status == "in_progress" and now > attempt.deadline + grace():
        finish(attempt, "expired", attempt.deadline)
        return True
    return False


@dataclass
class SaveResult:
    seq: int
    remaining_seconds: int


_UPSERT: dict[tuple[str, bool], Any] = {}  # built once: constructing one costs more than running it


def upsert_statement(dialect: str, *, by_session: bool = False):
    """Write the answer only while its attempt is open (in progress, not past the deadline and the
    grace) and only over an older one: every condition inside the one statement, which returns the
    attempt's deadline when it wrote. by_session: also only for the holder of live login session
    :token (accounts.sessions.live_session_clause, whose time parameters the caller passes: limits())
    who owns the attempt and has no password change pending, and only into the paper row :aq_id of
    :attempt_id showing version :version_id (autosave's one-statement path)."""
    key = (dialect, by_session)
    if key in _UPSERT:
        return _UPSERT[key]
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = Answer.__table__
    allowed = select(Attempt.id).where(Attempt.id == bindparam("attempt_id"), Attempt.status == "in_progress",
                                       Attempt.deadline >= bindparam("cutoff", type_=Attempt.deadline.type))
    if by_session:
        allowed = (allowed
                   .where(AttemptQuestion.id == bindparam("aq_id"), AttemptQuestion.attempt_id == Attempt.id,
                          AttemptQuestion.version_id == bindparam("version_id"))
                   .where(live_session_clause(), LoginSession.user_id == Attempt.user_id,
                          User.must_change_password.is_(False)))
    if dialect == "postgresql":  # SQLite's write lock already serialises the save with a submit
        # The attempt row shared-locked: a submit or close-expired (FOR UPDATE) waits for a save in flight
        # and then grades it, or the save waits for them and finds the attempt closed.
        allowed = allowed.with_for_update(read=True, of=Attempt)
    values = select(bindparam("aq_id", type_=table.c.attempt_question_id.type),
                    bindparam("response", type_=table.c.response.type), bindparam("seq", type_=table.c.seq.type),
                    bindparam("now", type_=table.c.saved_at.type)).where(allowed.exists())
    stmt = insert(table).from_select(["attempt_question_id", "response", "seq", "saved_at"], values)
    deadline = select(Attempt.deadline).where(Attempt.id == bindparam("attempt_id")).scalar_subquery()
    _UPSERT[key] = stmt.on_conflict_do_update(
        index_elements=["attempt_question_id"],
        set_={"response": stmt.excluded.response, "seq": stmt.excluded.seq, "saved_at": stmt.excluded.saved_at,
              "score": None},
        where=table.c.seq < stmt.excluded.seq).returning(deadline)
    return _UPSERT[key]


def _upsert_answer(attempt_id: int, aq_id: int, response: Any, seq: int, now: datetime) -> bool:
    """True when written; False when a newer answer is there or the attempt has closed meanwhile."""
    stmt = upsert_statement(db.session.get_bind().dialect.name)
    result = db.session.execute(stmt, {"attempt_id": attempt_id, "aq_id": aq_id, "response": response, "seq": seq,
                                       "now": now, "cutoff": now - grace()})
    return result.first() is not None


_SAVE_COLUMNS = (Attempt.user_id, Attempt.status, Attempt.deadline, AttemptQuestion.id, QuestionVersion.type,
                 QuestionVersion.stem, QuestionVersion.options)
_SAVE_READ = (
    select(*_SAVE_COLUMNS)
    .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
    .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.version_id)
    .where(Attempt.id == bindparam("attempt_id"), AttemptQuestion.question_id == bindparam("question_id")))


def check_seq(seq: Any) -> None:
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1 or seq > 2**62:
        raise ValidationError("seq 应为正整数。", code="bad_request", status=400)


def _open(row, now: datetime) -> bool:
    return row.status == "in_progress" and now <= row.deadline + grace()


def response_problem(qtype: str, stem: str, n_options: int, response: Any) -> str | None:
    """What is wrong with a response to a question of this type (None = nothing; no answer is fine)."""
    return None if response is None else REGISTRY[qtype].response_problem(stem, n_options, response)


def _check_response(row, response: Any) -> None:
    problem = response_problem(row.type, row.stem, len(row.options or []), response)
    if problem:
        raise ValidationError(problem, code="bad_response")


def save_answer(user: User, attempt_id: int, question_id: int, response: Any, seq: Any) -> SaveResult:
    """Save one answer with every refusal: one read (attempt, question, version) and one conditional
    upsert, in one write transaction."""
    check_seq(seq)
    row = db.session.execute(_SAVE_READ, {"attempt_id": attempt_id, "question_id": question_id}).first()
    if row is None or row.user_id != user.id:
        own_attempt(user, attempt_id)  # 404 for someone else's attempt or none at all
        raise NotFound("这道题不在您的试卷中。")
    now = clock.now()
    if not _open(row, now):
        attempt = own_attempt(user, attempt_id, lock=True)
        expire_if_due(attempt, now)
        audit.record("late_save_refused", actor=user, target=attempt.exam.title,
                     details={"attempt": attempt.id, "question": question_id, "seq": seq})
        raise AttemptClosed("考试时间已到或已交卷，不能再修改答案。")
    _check_response(row, response)
    if not _upsert_answer(attempt_id, row.id, response, seq, now):
        raise StaleSave("这次保存比已保存的答案更早，已忽略。")
    return SaveResult(seq, max(0, int((row.deadline - now).total_seconds())))


def submit(user: User, attempt_id: int) -> Attempt:
    """Idempotent: a second submit returns the same finished attempt."""
    attempt = own_attempt(user, attempt_id, lock=True)
    now = clock.now()
    if attempt.status == "in_progress" and not expire_if_due(attempt, now):
        finish(attempt, "submitted", min(now, attempt.deadline))
    return attempt


def record_leave(user: User, attempt_id: int) -> Attempt:
    attempt = own_attempt(user, attempt_id, lock=True)
    if attempt.status != "in_progress" or expire_if_due(attempt, clock.now()):
        return attempt
    attempt.leave_count += 1
    limit = attempt.exam.leave_limit
    if limit and attempt.leave_count >= limit:
        finish(attempt, "left_page", min(clock.now(), attempt.deadline))
    db.session.flush()
    return attempt


def finish(attempt: Attempt, reason: str, at: datetime) -> None:
    if attempt.status != "in_progress":
        raise AttemptClosed("答卷已经交卷。")
    attempt.finished_at, attempt.finish_reason = at, reason
    grade_attempt(attempt)
    record_attempt(attempt)  # wrong answers go to the learner's 错题本
    db.session.flush()
    action = {"submitted": "attempt_submitted", "expired": "attempt_auto_submitted",
              "left_page": "attempt_auto_submitted"}[reason]
    audit.record(action, actor=attempt.user if reason == "submitted" else None, target=attempt.exam.title,
                 details={"attempt": attempt.id, "user": attempt.user.username, "reason": reason,
                          "score": attempt.score})


def reopen(actor: User, attempt: Attempt, minutes: int) -> None:
    """A trainer gives a finished attempt back (a phone died, a power cut): answers are kept, the
    learner gets `minutes` more from now, and the score is worked out again at the next submit."""
    if attempt.user_id == actor.id:  # nobody raises their own score
        raise PermissionDenied("不能重新开放自己的答卷，请由其他培训管理员处理。")
    if attempt.status == "in_progress":
        raise ValidationError("答卷还在作答中，不需要重新开放。")
    if not 1 <= minutes <= 24 * 60:
        raise ValidationError("延长的时间应为 1–1440 分钟。")
    check_open(exam_year(attempt.exam), "重新开放该年度考试的答卷")
    now = clock.now()
    old = {"status": attempt.status, "score": attempt.score, "finished_at": str(attempt.finished_at)}
    attempt.status, attempt.finished_at, attempt.finish_reason = "in_progress", None, None
    attempt.score, attempt.passed = None, None
    attempt.deadline = now + timedelta(minutes=minutes)
    db.session.flush()
    audit.record("attempt_reopened", actor=actor, target=attempt.exam.title,
                 details={"attempt": attempt.id, "user": attempt.user.username, "minutes": minutes, **old})


CLOSE_BATCH = 20  # attempts finished per transaction by close_expired


def close_expired(now: datetime | None = None, *, commit: Callable[[], None] | None = None) -> int:
    """Finish every attempt past its deadline (and grace); for cron / a systemd timer. With `commit`,
    CLOSE_BATCH at a time, each batch committed: the write lock is never held for a whole hall."""
    now = now or clock.now()
    due_now = and_(Attempt.status == "in_progress", Attempt.deadline < now - grace())
    ids = list(db.session.scalars(select(Attempt.id).where(due_now).order_by(Attempt.id)))
    step = CLOSE_BATCH if commit else max(len(ids), 1)
    count = 0
    for i in range(0, len(ids), step):
        due = list(db.session.scalars(select(Attempt).where(Attempt.id.in_(ids[i:i + step]), due_now)
                                      .with_for_update()))  # a save in flight finishes first (upsert_statement)
        for attempt in due:
            finish(attempt, "expired", attempt.deadline)
        count += len(due)
        if commit:
            commit()
            pause_for_waiters(db.engine)
    return count
