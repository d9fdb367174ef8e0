"""Configuration: defaults, then instance/config.py, then FAZHI_* and DATABASE_URL."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"
AUDIT_KEY_FILE = "audit_key"  # the audit chain's HMAC key; kept out of the database on purpose
SQLITE_FILE = "fazhi_exam.sqlite"


class Defaults:
    SECRET_KEY: str | None = None
    # HMAC key of the audit log; None: FAZHI_AUDIT_KEY, else instance/audit_key (see audit/keys.py).
    AUDIT_KEY: str | None = None
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Uploads (user lists, question banks, sign-in sheets) larger than this get 413.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set FAZHI_SESSION_COOKIE_SECURE=true behind HTTPS
    SESSION_COOKIE_NAME = "fazhi_session"
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    # Who issues 合格证书; None: "<镇>人民政府" of the person's town.
    CERTIFICATE_ISSUER: str | None = None
    # Login throttling (see accounts/throttle.py). Storage: memory:// (one process) or
    # redis://host:6379 (several). Failures of one account from one address: that pair waits.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = "5 per 15 minutes"
    # Failures of one account from anywhere: past this, a growing delay (never a lock) of
    # min(2^(n-5), LOGIN_DELAY_MAX_SECONDS) seconds after the latest failure.
    LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_DELAY_MAX_SECONDS = 60
    # Per address: a whole exam room (a township hall, a village office) may sign in at once from
    # one address behind NAT, and older learners mistype; these stop floods and password spraying,
    # the per-account delay and the per-pair limit stop guessing.
    LOGIN_FAILURES_PER_ADDRESS = "100 per 15 minutes"
    LOGIN_REQUESTS_PER_ADDRESS = "600 per minute"
    # Behind nginx or a load balancer every client arrives from the proxy's address: set this to the
    # number of proxies in front (1 for one nginx) so the client's own address (X-Forwarded-For, as
    # the nearest trusted proxy saw it) is used for login limits and the audit log. 0: trust no header.
    TRUSTED_PROXIES = 0
    PASSWORD_HASH_METHOD = "scrypt"
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # Web imports read the uploaded file in a child process (isolation.py): the server keeps
    # answering while it parses, and a file that takes too long or too much memory is stopped.
    PARSE_IN_CHILD = True
    USERS_PER_PAGE = 50
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    TIMEZONE = "Asia/Shanghai"
    # Saves already in flight when time runs out are accepted for this long after the deadline.
    EXAM_SAVE_GRACE_SECONDS = 30
    # A login session ends after this long without a request (an exam in progress counts as
    # activity) and this long after logging in, whatever happens (accounts/sessions.py).
    SESSION_IDLE_MINUTES = 120
    SESSION_MAX_DAYS = 7


def normalise_database_url(url: str) -> str:
    """Point plain postgresql:// URLs at psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def sqlite_url(instance_path: str | os.PathLike) -> str:
    return "sqlite:///" + str(Path(instance_path) / SQLITE_FILE)


def _read_key_file(path: Path) -> str | None:
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        return key or None
    return None


def _write_key_file(path: Path) -> bool:
    """Create path with a random key (owner-only) unless it holds one. True if written."""
    if _read_key_file(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600 from the start, not chmod-ed after: no moment when others may read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    path.chmod(0o600)
    return True


def read_secret_key(instance_path: str | os.PathLike) -> str | None:
    return _read_key_file(Path(instance_path) / SECRET_KEY_FILE)


def write_secret_key(instance_path: str | os.PathLike) -> bool:
    """Create instance/secret_key with a random key unless one exists. True if written."""
    return _write_key_file(Path(instance_path) / SECRET_KEY_FILE)


def read_audit_key(instance_path: str | os.PathLike) -> str | None:
    return _read_key_file(Path(instance_path) / AUDIT_KEY_FILE)


def write_audit_key(instance_path: str | os.PathLike) -> bool:
    """Create instance/audit_key with a random key unless one exists. True if written."""
    return _write_key_file(Path(instance_path) / AUDIT_KEY_FILE)
