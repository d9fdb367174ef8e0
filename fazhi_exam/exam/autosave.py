"""Autosave, the hot path of exam day: one guarded statement per save.

What a save needs to know about its question — the attempt_questions row, and the type, stem and
number of options of the version shown, to check the response — is fixed when the paper is drawn.
Each process keeps it after the first save of an attempt (one read brings the whole paper, outside
any write lock). Everything that can change is checked by the one upsert that writes: the login
session (live as accounts.sessions defines it, the attempt owner's, no password change pending), the attempt (in
progress, deadline + grace not passed), the paper row (still this attempt's, this version) and the
stored answer (older seq). So a save holds SQLite's write lock for exactly one statement, and on
PostgreSQL is one autocommitted (prepared) statement that share-locks the attempt row while it runs,
so it cannot slip past a submit (attempts.upsert_statement). Anything unusual returns None, and the caller takes
attempts.save_answer's full path, which says why (401/403/404/409/422)."""
from __future__ import annotations

import threading
from array import array
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select

from .. import clock
from ..accounts import sessions
from ..database import write_now
from ..extensions import db
from ..models import AttemptQuestion, QuestionVersion
from .attempts import SaveResult, check_seq, grace, response_problem, upsert_statement

PAPERS_KEPT = 10_000  # attempts per process, ~1.5 kB each; past it the memory starts again (rare, harmless)
VERSIONS_KEPT = 20_000


@dataclass(frozen=True)
class ShownVersion:
    """What checking a response needs of the question version an attempt shows."""

    type: str
    stem: str
    n_options: int

    def accepts(self, response: Any) -> bool:
        return response_problem(self.type, self.stem, self.n_options, response) is None


@dataclass(frozen=True)
class _Paper:
    """One attempt's paper, compactly: question ids and, in the same order, paper rows and versions."""

    question_ids: array
    aq_ids: array
    version_ids: array

    def find(self, question_id: int) -> tuple[int, int] | None:
        try:
            i = self.question_ids.index(question_id)
        except ValueError:
            return None
        return self.aq_ids[i], self.version_ids[i]


class _Papers:
    """attempt id → its paper and version id → ShownVersion, per application (a test's fresh database
    gets a fresh memory). Only attempts that exist are kept."""

    def __init__(self) -> None:
        self._papers: dict[int, _Paper] = {}
        self._versions: dict[int, ShownVersion] = {}
        self._lock = threading.Lock()

    def question(self, attempt_id: int, question_id: int) -> tuple[int, int, ShownVersion] | None:
        """(paper row id, version id, version) of a question of an attempt, or None."""
        paper = self._papers.get(attempt_id)
        if paper is None:
            rows = _read_paper(attempt_id)
            if not rows:
                return None
            paper = _Paper(array("q", (r.question_id for r in rows)), array("q", (r.id for r in rows)),
                           array("q", (r.version_id for r in rows)))
            with self._lock:
                for table, kept in ((self._papers, PAPERS_KEPT), (self._versions, VERSIONS_KEPT)):
                    if len(table) >= kept:
                        table.clear()
                self._papers[attempt_id] = paper
                for r in rows:
                    self._versions.setdefault(r.version_id, ShownVersion(r.type, r.stem, len(r.options or [])))
        found = paper.find(question_id)
        if found is None:
            return None
        version = self._versions.get(found[1])
        if version is None:  # forgotten since (the memory started again): the paper is read afresh
            with self._lock:
                self._papers.pop(attempt_id, None)
            return self.question(attempt_id, question_id)
        return found[0], found[1], version


_PAPER_READ = (select(AttemptQuestion.question_id, AttemptQuestion.id, AttemptQuestion.version_id,
                      QuestionVersion.type, QuestionVersion.stem, QuestionVersion.options)
               .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.version_id)
               .where(AttemptQuestion.attempt_id == bindparam("attempt_id")))


def _read_paper(attempt_id: int) -> list:
    rows = db.session.execute(_PAPER_READ, {"attempt_id": attempt_id}).all()
    db.session.commit()  # a plain read, ended before the write, which takes SQLite's lock on its own
    return rows


def _papers() -> _Papers:
    return current_app.extensions.setdefault("fazhi_exam_papers", _Papers())


@contextmanager
def _committing_connection(engine):
    """A connection whose one statement is committed by the time it returns, and nothing else is
    written with it. PostgreSQL: autocommit — one round trip instead of BEGIN, statement, COMMIT.
    SQLite: its own BEGIN IMMEDIATE … COMMIT, so that the statement's read and write happen under the
    write lock (a bare statement could find the database changed under it and fail)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")
    else:
        with write_now(), engine.begin() as conn:
            yield conn


def save_in_session(token: str | None, attempt_id: int, question_id: int, response: Any,
                    seq: Any) -> SaveResult | None:
    """Save one answer for the holder of login session `token` in one statement; None when it was not
    written (not signed in, not their attempt or question, closed, stale, a malformed response)."""
    check_seq(seq)
    if not token:
        return None
    found = _papers().question(attempt_id, question_id)
    if found is None:
        return None
    aq_id, version_id, version = found
    if not version.accepts(response):
        return None
    now = clock.now()
    params = {"attempt_id": attempt_id, "aq_id": aq_id, "version_id": version_id, "token": token,
              "response": response, "seq": seq, "now": now, "cutoff": now - grace(), **sessions.limits(now)}
    with _committing_connection(db.engine) as conn:
        deadline = conn.execute(upsert_statement(conn.dialect.name, by_session=True), params).scalar()
    if deadline is None:
        return None
    return SaveResult(seq, max(0, int((deadline - now).total_seconds())))
