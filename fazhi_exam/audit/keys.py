"""The audit key: where it comes from, its short id, and the retired keys kept after a rotation.

The key never goes into the database: whoever can write the database must not be able to
re-seal the chain. Order: env FAZHI_AUDIT_KEY (not in tests), config AUDIT_KEY (instance
config.py or the test config), else the file instance/audit_key (0600, written by init-db).
A rotation keeps the old file as audit_key.retired-<YYYYMMDD>-<key id>, so an anchor taken
under it can still be checked. A fresh chain whose installation skipped init-db gets the file
with its first event; once rows are sealed, a missing key is an error, never a new key."""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app

from .. import config as cfg
from ..errors import DomainError

MIN_KEY_LENGTH = 32  # characters; a short pass phrase could be guessed from the stored HMACs
RETIRED_PREFIX = cfg.AUDIT_KEY_FILE + ".retired-"


class AuditKeyError(DomainError):
    code, status = "audit_key", 500


class AuditKeyMissing(AuditKeyError):
    def __init__(self) -> None:
        super().__init__(f"缺少审计密钥：请运行 `fazhi-exam init-db`（生成 {key_path()}），"
                         "或设置环境变量 FAZHI_AUDIT_KEY / 配置项 AUDIT_KEY。")


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    id: str
    source: str  # "file" (instance/audit_key, may be rotated) or "config"
    path: Path | None = None


def key_id(secret: bytes) -> str:
    """Short public name of a key: which key sealed a row, which key an anchor was taken under."""
    return hashlib.sha256(secret).hexdigest()[:8]


@lru_cache(maxsize=16)
def _make(text: str, source: str, path: Path | None = None) -> AuditKey:
    text = text.strip()
    if len(text) < MIN_KEY_LENGTH:
        where = path or "AUDIT_KEY / FAZHI_AUDIT_KEY"
        raise AuditKeyError(f"审计密钥太短（{where}）：至少 {MIN_KEY_LENGTH} 个字符，"
                            "建议用 `python -c \"import secrets; print(secrets.token_hex(32))\"` 生成。")
    secret = text.encode("utf-8")
    return AuditKey(secret, key_id(secret), source, path)


def key_path() -> Path:
    return Path(current_app.instance_path) / cfg.AUDIT_KEY_FILE


def current_key() -> AuditKey | None:
    """The key new rows are sealed with, read afresh each time so a rotation takes effect at once."""
    app = current_app
    # The raw variable, not config: from_prefixed_env would turn an all-digit key into a number.
    configured = None if app.testing else os.environ.get("FAZHI_AUDIT_KEY")
    configured = configured or app.config.get("AUDIT_KEY")
    if configured:
        return _make(str(configured), "config")
    return _file_key(key_path())


_seen: dict[Path, tuple[tuple[int, int, int], AuditKey | None]] = {}


def _file_key(path: Path) -> AuditKey | None:
    """The key in path; re-read only when the file changed (a rotation replaces it: new inode)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    signature = (st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _seen.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    text = path.read_text(encoding="utf-8").strip()
    key = _make(text, "file", path) if text else None
    _seen[path] = (signature, key)
    return key


def require_key() -> AuditKey:
    key = current_key()
    if key is None:
        raise AuditKeyMissing()
    return key


def create_file_key() -> AuditKey:
    """Write instance/audit_key unless it exists (init-db, or the first event of a fresh chain)."""
    cfg.write_audit_key(current_app.instance_path)
    return _make(cfg.read_audit_key(current_app.instance_path) or "", "file", key_path())


def generate() -> AuditKey:
    """A new random key, not yet written anywhere."""
    return _make(secrets.token_hex(32), "file", key_path())


def _write_private(path: Path, text: str) -> None:
    """Replace path atomically with an owner-only file: readers see the old or the new key."""
    staged = path.with_name(path.name + ".new")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    staged.chmod(0o600)
    os.replace(staged, path)


def install(new: AuditKey, old: AuditKey, when: datetime) -> Path:
    """Keep the old key as a retired file, then make the new one current. Returns the retired path."""
    retired = key_path().with_name(f"{RETIRED_PREFIX}{when:%Y%m%d}-{old.id}")
    _write_private(retired, old.secret.decode("utf-8"))
    _write_private(key_path(), new.secret.decode("utf-8"))
    return retired


def reinstate(old: AuditKey) -> None:
    """Undo install() when the database transaction failed: the old key is current again."""
    _write_private(key_path(), old.secret.decode("utf-8"))


def retired_keys() -> list[AuditKey]:
    folder = Path(current_app.instance_path)
    found = []
    for path in sorted(folder.glob(RETIRED_PREFIX + "*")):
        text = path.read_text(encoding="utf-8").strip()
        if text:
            found.append(_make(text, "file", path))
    return found
