"""Engine set-up: SQLite pragmas, and write transactions that hold SQLite's lock only while writing.

SQLite allows one writer. A deferred transaction that reads first and writes later can fail at
once with "database is locked" when another writer committed in between (its snapshot is stale,
and waiting would not help); a transaction begun with BEGIN IMMEDIATE takes the write lock at
once and makes other writers wait (busy_timeout) instead. Holding that lock from a request's
first query, though, makes every other writer wait while the request reads and parses an upload
or hashes a password.

So on SQLite every transaction begins as a plain read (BEGIN) and is *upgraded at its first
write*: just before the first INSERT / UPDATE / DELETE, SAVEPOINT or locking read (SELECT … FOR
UPDATE, which SQLite does not render), the read transaction — which has written nothing — is
ended and BEGIN IMMEDIATE begins the write transaction, which lasts until the commit. What was
read before is then as fresh as on PostgreSQL under READ COMMITTED (where each statement sees
what is committed when it runs): a decision that must not race is made with a locking read, as
it must be for PostgreSQL anyway. Whatever a request does before its first write — reading and
parsing a file, hashing a password, building rows — holds no lock; what it does after its first
write, until it commits, does. `write_now()` begins IMMEDIATE at once (a short write of one
statement whose read must see the latest data under the lock).
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

_lock_at_begin: ContextVar[bool] = ContextVar("lock_at_begin", default=False)
_writes: ContextVar[bool] = ContextVar("writes", default=False)

# A statement that writes, or that must read under the write lock: upgrade before it runs.
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT|CREATE|DROP|ALTER)\b", re.IGNORECASE)
_TX = "fazhi_sqlite_tx"  # connection info key: "read" (upgradable) or "write" (holds the lock)


def set_write_intent(value: bool) -> None:
    """This request or command means to write (unsafe method, CLI command). On SQLite that changes
    nothing about locking — every transaction takes the lock at its first write — but a request
    that writes anyway may do small writes in its own transaction (accounts/sessions.seen)."""
    _writes.set(value)


def start_request(writes: bool) -> None:
    """A request begins: nothing it inherits takes the lock at BEGIN."""
    _lock_at_begin.set(False)
    _writes.set(writes)


def has_write_intent() -> bool:
    return _writes.get()


@contextmanager
def write_now():
    """Transactions begun inside take SQLite's write lock at BEGIN (BEGIN IMMEDIATE)."""
    token = _lock_at_begin.set(True)
    try:
        yield
    finally:
        _lock_at_begin.reset(token)


write_intent = write_now  # the older name


PAUSE_SECONDS = 0.1  # SQLite's busy handler polls every 100 ms once a writer has waited a while


def pause_for_waiters(engine: Engine) -> None:
    """Between two committed batches of a long write: let writers waiting for SQLite's lock in. The
    lock is not handed over fairly — a waiter sleeps and polls (every 100 ms after its first few
    tries), so a loop that commits and begins again at once can keep it out for many batches."""
    if engine.dialect.name == "sqlite":
        time.sleep(PAUSE_SECONDS)


def holds_write_lock(connection) -> bool:
    """Does this (SQLAlchemy) connection's SQLite transaction hold the write lock? (For tests.)"""
    return connection.info.get(_TX) == "write"


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
        if _lock_at_begin.get():
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.info[_TX] = "write"
        else:
            conn.exec_driver_sql("BEGIN")
            conn.info[_TX] = "read"

    @event.listens_for(engine, "before_cursor_execute")
    def _upgrade_at_first_write(conn, cursor, statement, parameters, context, executemany):
        if conn.info.get(_TX) != "read":
            return
        if not _WRITES.match(statement) and not _locking_read(context):
            return
        conn.info[_TX] = "write"
        driver = cursor.connection
        driver.execute("COMMIT")  # the read transaction: nothing written, nothing lost
        driver.execute("BEGIN IMMEDIATE")

    def _ended(conn, *_args):
        conn.info.pop(_TX, None)

    for name in ("commit", "rollback"):
        event.listen(engine, name, _ended)


def _locking_read(context) -> bool:
    """A compiled INSERT/UPDATE/DELETE (also one that starts WITH …) or SELECT … FOR UPDATE."""
    if getattr(context, "isinsert", False) or getattr(context, "isupdate", False) \
            or getattr(context, "isdelete", False):
        return True
    compiled = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    return getattr(statement, "_for_update_arg", None) is not None
