"""Engine set-up: SQLite pragmas and write transactions that take the lock up front.

SQLite allows one writer. A deferred transaction that reads first and writes later can
fail at once with "database is locked" when another writer got in between; taking the
write lock at BEGIN (BEGIN IMMEDIATE) makes concurrent writers wait busy_timeout instead.
Requests with unsafe methods and CLI commands declare write intent; GET requests read in
deferred transactions and never block writers (WAL).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def set_write_intent(value: bool) -> None:
    _write_intent.set(value)


def has_write_intent() -> bool:
    return _write_intent.get()


@contextmanager
def write_intent():
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
