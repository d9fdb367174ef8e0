"""Item analyses kept: an ended exam's analysis is worked out once and read back afterwards.

Working out an item analysis groups every answer of the exam (a million for 100,000 answers of
ten questions): seconds. Once an exam has ended and nobody is still writing, the answers change
only by a regrade, a trainer's marking, a reopened attempt or a late close — rare acts. So:

- the first read after the end works it out and keeps it (`kept_item_analyses`), with a
  fingerprint of the attempts (counts by status, score sum, last id) it was worked out from;
- every flush that changes an ended exam's attempts, paper rows or answers raises the exam's
  `revision` and empties what was kept, in the same transaction as the change (the listener);
- a kept analysis is read only if its fingerprint still matches, and is written only if the
  revision and fingerprint are still those it was worked out from, checked under the write lock
  — a change committed while it was being worked out wins.

Before an exam ends (or while an attempt is still open) the analysis is worked out on every read."""
from __future__ import annotations

import json
import os
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from itertools import chain

from flask import current_app
from sqlalchemy import case, event, func, select, text
from sqlalchemy.orm import Session

from .. import clock
from ..extensions import db
from ..models import Answer, Attempt, AttemptQuestion, Exam, KeptItemAnalysis
from .items import Item, item_analysis

BUMP = text("INSERT INTO kept_item_analyses (exam_id, revision) VALUES (:exam_id, 1) "
            "ON CONFLICT (exam_id) DO UPDATE SET revision = kept_item_analyses.revision + 1, "
            "content = NULL, fingerprint = NULL")
FIRST = text("INSERT INTO kept_item_analyses (exam_id, revision, fingerprint, content, computed_at) "
             "VALUES (:exam_id, 0, :fingerprint, :content, :at) ON CONFLICT (exam_id) DO NOTHING")


@dataclass
class Worked:
    """An analysis and what it was worked out from (None: the exam has not settled)."""
    exam_id: int
    items: list[Item]
    revision: int | None = None
    fingerprint: str | None = None
    settled: bool = False


def fingerprint(exam: Exam) -> tuple[bool, str]:
    """(settled, fingerprint): settled when the exam has ended and no attempt is still open."""
    row = db.session.execute(
        select(func.count(), func.sum(case((Attempt.status == "graded", 1), else_=0)),
               func.sum(case((Attempt.status == "in_progress", 1), else_=0)),
               func.sum(func.coalesce(Attempt.score, 0.0)), func.max(Attempt.id))
        .where(Attempt.exam_id == exam.id)).one()
    count, graded, open_, total, last = row
    settled = clock.now() > exam.closes_at and not open_
    return settled, f"{count}:{graded or 0}:{round(float(total or 0), 2)}:{last or 0}"


def _encode(items: list[Item]) -> str:
    return json.dumps([{**asdict(i), "choices": dict(i.choices)} for i in items], ensure_ascii=False)


def _decode(content: str) -> list[Item]:
    return [Item(**{**d, "choices": Counter(d["choices"])}) for d in json.loads(content)]


def work_out(exam: Exam) -> Worked:
    """The kept analysis if it still holds, else worked out now (with what it was worked out from)."""
    settled, print_ = fingerprint(exam)
    if not settled:
        return Worked(exam.id, item_analysis(exam))
    kept = db.session.execute(select(KeptItemAnalysis.revision, KeptItemAnalysis.fingerprint,
                                     KeptItemAnalysis.content)
                              .where(KeptItemAnalysis.exam_id == exam.id)).first()
    if kept is not None and kept.content is not None and kept.fingerprint == print_:
        return Worked(exam.id, _decode(kept.content))
    return Worked(exam.id, item_analysis(exam), kept.revision if kept else None, print_, True)


def keep(worked: Worked) -> bool:
    """Keep a freshly worked-out analysis, if nothing changed meanwhile (checked under the write
    lock: SELECT … FOR UPDATE takes it on SQLite too). The caller commits."""
    if not worked.settled or worked.fingerprint is None:
        return False
    current = db.session.execute(select(KeptItemAnalysis.revision).where(KeptItemAnalysis.exam_id == worked.exam_id)
                                 .with_for_update()).first()
    if (current.revision if current else None) != worked.revision:
        return False
    exam = db.session.get(Exam, worked.exam_id)
    if exam is None or fingerprint(exam) != (True, worked.fingerprint):
        return False
    content, now = _encode(worked.items), clock.now()
    if current is None:
        db.session.execute(FIRST, {"exam_id": worked.exam_id, "fingerprint": worked.fingerprint,
                                   "content": content, "at": now})
    else:
        db.session.execute(KeptItemAnalysis.__table__.update()
                           .where(KeptItemAnalysis.exam_id == worked.exam_id,
                                  KeptItemAnalysis.revision == worked.revision)
                           .values(fingerprint=worked.fingerprint, content=content, computed_at=now))
    return True


def analysis(exam: Exam, *, store: bool = True) -> list[Item]:
    """The exam's item analysis. `store`: keep what was worked out and commit (a read-only request
    or a session of its own; not inside a transaction that has other writes to make)."""
    worked = work_out(exam)
    if store and worked.fingerprint is not None:
        db.session.commit()  # end the read: keep() takes the write lock afresh
        if keep(worked):
            db.session.commit()
        else:
            db.session.rollback()
    return worked.items


def _by_id(app, exam_ids: list[int], workers: int, store: bool) -> list[Worked]:
    def one(exam_id: int) -> Worked:
        with app.app_context():  # a session and connection of its own
            try:
                exam = db.session.get(Exam, exam_id)
                worked = work_out(exam)
                if store and worked.fingerprint is not None:
                    db.session.commit()
                    if keep(worked):
                        db.session.commit()
                return worked
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        return list(pool.map(one, exam_ids))


def _workers(n: int) -> int:
    return min(n, os.cpu_count() or 1, 4)  # more threads than cores only thrash SQLite's sorter


def item_analyses(exams: list[Exam]) -> list[list[Item]]:
    """analysis() of several exams, those not kept worked out at once, each in its own thread,
    session and connection (SQLite releases the GIL while it groups a million answers)."""
    if _workers(len(exams)) < 2:
        return [analysis(e) for e in exams]
    return [w.items for w in _by_id(current_app._get_current_object(), [e.id for e in exams],
                                    _workers(len(exams)), True)]


def analyses_ahead(exams: list[Exam], *, store: bool = True) -> Future:
    """Start the analyses in the background and return at once; .result() is a list of Worked.
    `store=False` when the caller holds the write lock (closing a year): it keeps them itself."""
    app = current_app._get_current_object()
    ids = [e.id for e in exams]
    background = ThreadPoolExecutor(max_workers=1)
    future = background.submit(_by_id, app, ids, _workers(len(ids)), store)
    background.shutdown(wait=False)
    return future


def _changed_exams(session: Session) -> set[int]:
    exam_ids: set[int] = set()
    attempt_ids: set[int] = set()
    paper_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Attempt | AttemptQuestion | Answer) and obj in session.dirty \
                and not session.is_modified(obj):
            continue
        if isinstance(obj, Attempt):
            exam_ids.add(obj.exam_id if obj.exam_id is not None else obj.exam.id)
        elif isinstance(obj, AttemptQuestion) and obj.attempt_id is not None:
            attempt_ids.add(obj.attempt_id)
        elif isinstance(obj, Answer) and obj.attempt_question_id is not None:
            paper_ids.add(obj.attempt_question_id)
    if paper_ids:
        attempt_ids |= set(session.scalars(select(AttemptQuestion.attempt_id)
                                           .where(AttemptQuestion.id.in_(paper_ids))))
    if attempt_ids:
        exam_ids |= set(session.scalars(select(Attempt.exam_id).where(Attempt.id.in_(attempt_ids))))
    return exam_ids


def _bump_ended(session: Session, _context, _instances) -> None:
    if not any(isinstance(o, Attempt | AttemptQuestion | Answer)
               for o in chain(session.new, session.dirty, session.deleted)):
        return
    with session.no_autoflush:
        exam_ids = _changed_exams(session)
        if not exam_ids:
            return
        ended = list(session.scalars(select(Exam.id).where(Exam.id.in_(exam_ids), Exam.closes_at < clock.now())))
    if ended:
        session.execute(BUMP, [{"exam_id": i} for i in sorted(ended)])


def install() -> None:
    if not event.contains(Session, "before_flush", _bump_ended):
        event.listen(Session, "before_flush", _bump_ended)
