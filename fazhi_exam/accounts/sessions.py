"""When a login session is live: one definition for the user loader and for autosave's one-statement
save, the idle and absolute limits, and a cheap refresh of last_seen_at.

A session is live while it is not revoked (logout, a password change), its account is active, it is
younger than SESSION_MAX_DAYS, and it was used within SESSION_IDLE_MINUTES. An exam counts as use:
a session that was live when an attempt began stays live until SESSION_IDLE_MINUTES after that
attempt ends (handed in, or its deadline passed), so autosave — which never refreshes last_seen_at —
keeps an examinee signed in however long the paper takes, and the page requests after it (submit,
result) still work. Only sessions live at the attempt's start are kept: an exam taken on a phone does
not bring back a browser left signed in days ago in the village office.

The absolute limit is hard, even in the middle of an exam: a session reaches it only after a week of
use without a two-hour pause, and then logging in again resumes the attempt and the exam page resends
the answers it kept (DESIGN §4).

Bind parameters, computed by the caller at each use (the autosave statement is built once and
cached): :token, :idle_cutoff, :absolute_cutoff, :idle_seconds — see limits()."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Float, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from ..database import has_write_intent, write_now
from ..extensions import db
from ..models import Attempt, LoginSession, User

# last_seen_at is written at most this often per session: the idle limit is exact to within this.
REFRESH_AFTER = timedelta(minutes=5)
# A read request refreshes in its own short transaction and gives up after this long if another
# writer holds the lock (the next request tries again): a page view never waits on exam-day writes.
BUSY_WAIT_MS = 50


class _SecondsAfter(FunctionElement):
    """later − earlier in seconds: SQL has no portable difference of two timestamps."""

    type = Float()
    name = "seconds_after"
    inherit_cache = True


@compiles(_SecondsAfter, "sqlite")
def _seconds_after_sqlite(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(_SecondsAfter, "postgresql")
def _seconds_after_postgresql(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


_EXAM = aliased(Attempt, name="exam_in_session")
_WHEN = LoginSession.last_seen_at.type  # UTC-aware binds on every backend


def live_session_clause() -> ColumnElement[bool]:
    """WHERE conditions on LoginSession and User (no join needed: the clause links them) that hold
    exactly while login session :token is live. Add them to a select that has LoginSession in its
    FROM list; the exam test is a subquery correlated to it."""
    idle_cutoff = bindparam("idle_cutoff", type_=_WHEN)
    exam_keeps_alive = exists(select(_EXAM.id).where(
        _EXAM.user_id == LoginSession.user_id,
        func.coalesce(_EXAM.finished_at, _EXAM.deadline) >= idle_cutoff,  # ended (or ends) recently
        _SecondsAfter(_EXAM.started_at, LoginSession.last_seen_at) <= bindparam("idle_seconds", type_=Float()),
    ))
    return and_(LoginSession.token == bindparam("token"), LoginSession.revoked_at.is_(None),
                LoginSession.created_at >= bindparam("absolute_cutoff", type_=_WHEN),
                or_(LoginSession.last_seen_at >= idle_cutoff, exam_keeps_alive),
                User.id == LoginSession.user_id, User.active.is_(True))


def limits(now: datetime) -> dict[str, Any]:
    """live_session_clause's time parameters at `now`, from SESSION_IDLE_MINUTES and SESSION_MAX_DAYS."""
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    return {"idle_cutoff": now - idle, "idle_seconds": idle.total_seconds(),
            "absolute_cutoff": now - timedelta(days=current_app.config["SESSION_MAX_DAYS"])}


_OPEN = select(LoginSession.token).join(User, User.id == LoginSession.user_id).where(
    LoginSession.token == bindparam("token"), LoginSession.revoked_at.is_(None), User.active.is_(True))


def timed_out(token: str) -> bool:
    """For a token that is not live: did it only run out of time (rather than being logged out,
    unknown, or its account stopped)? Asked on the rare refused request, to say why."""
    return db.session.scalar(_OPEN, {"token": token}) is not None


def seen(token: str, last_seen_at: datetime, now: datetime) -> None:
    """Note a request of a live session, at most once per REFRESH_AFTER: in a short transaction of its
    own that is skipped when busy — on SQLite always (the request's own transaction must not take
    the write lock this early: database.py), on PostgreSQL for read requests (a request that writes
    anyway does it in its own transaction; if that rolls back, the next request refreshes)."""
    if now - last_seen_at < REFRESH_AFTER:
        return
    stmt = (update(LoginSession).where(LoginSession.token == token, LoginSession.last_seen_at < now)
            .values(last_seen_at=now).execution_options(synchronize_session=False))
    if has_write_intent() and db.engine.dialect.name != "sqlite":
        db.session.execute(stmt)
        return
    try:
        _write_aside(stmt)
    except OperationalError:  # another writer holds the lock (SQLite) or the row (PostgreSQL)
        pass


def _write_aside(stmt) -> None:
    engine = db.engine
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{BUSY_WAIT_MS}ms'")
            conn.execute(stmt)
        return
    with engine.connect() as conn:
        driver = conn.connection.driver_connection  # set before BEGIN IMMEDIATE, which would wait
        usual = driver.execute("PRAGMA busy_timeout").fetchone()[0]
        driver.execute(f"PRAGMA busy_timeout = {BUSY_WAIT_MS}")
        try:
            with write_now(), conn.begin():
                conn.execute(stmt)
        finally:
            driver.execute(f"PRAGMA busy_timeout = {int(usual)}")
