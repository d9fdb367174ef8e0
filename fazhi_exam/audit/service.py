"""Append-only audit log, chained with HMAC-SHA256 under a key kept outside the database.

Each row's seal covers its own fields, the previous row's seal and the id of the key, so
editing, inserting or deleting any row breaks the chain from there on, and whoever can write the
database cannot re-seal it without the key (audit/keys.py). A cut tail with audit_head fixed up
is internally consistent; only an anchor kept elsewhere finds it (audit/chain.py).

What is sealed is the canonical form of each field, exactly as it is read back: the time in UTC
with microseconds (both SQLite and PostgreSQL keep microseconds; an aware time in another zone is
the same instant), the details as the stored JSON text. Rows written before keys existed
(key_id NULL) carry an unkeyed sha256 over `at.isoformat()` of whatever zone the caller used;
they are checked under that digest only when sealing them (chain.seal_legacy)."""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, select

from .. import clock
from ..extensions import db
from ..models import AuditEvent, AuditHead, User
from .keys import AuditKey, AuditKeyMissing, create_file_key, current_key, require_key

GENESIS = "0" * 64
_request_ip: ContextVar[str | None] = ContextVar("audit_request_ip", default=None)

ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "password_changed": "修改密码",
    "password_reset": "重置密码",
    "user_created": "新建用户",
    "user_updated": "修改用户",
    "roles_changed": "角色变更",
    "user_deactivated": "停用用户",
    "user_activated": "启用用户",
    "users_imported": "批量导入用户",
    "users_import_undone": "撤销中断的批量导入",
    "org_unit_saved": "保存单位",
    "cohort_saved": "保存人员类别",
    "demo_seeded": "加载演示数据",
    "law_saved": "保存法律",
    "law_version_recorded": "记录法律新版本",
    "bank_imported": "导入题库",
    "bank_import_undone": "撤销中断的题库导入",
    "bank_saved": "保存题库",
    "question_saved": "保存试题",
    "question_status": "试题状态变更",
    "exam_created": "新建考试",
    "exam_status": "考试状态变更",
    "attempt_started": "开始答题",
    "attempt_submitted": "交卷",
    "attempt_auto_submitted": "自动交卷",
    "late_save_refused": "拒绝超时保存",
    "manual_graded": "人工评分",
    "regraded": "重新判分",
    "attempt_reopened": "重新开放答卷",
    "study_plan_saved": "保存学法计划",
    "study_session_saved": "保存学习场次",
    "attendance_changed": "出勤变更",
    "exemption_granted": "登记免考/请假/免学",
    "exemption_revoked": "撤销免考/请假/免学",
    "study_imported": "导入学法计划或签到表",
    "material_saved": "保存学习资料",
    "programme_saved": "保存培训项目",
    "audit_chain_sealed": "用密钥封存审计日志",
    "audit_key_rotated": "轮换审计密钥",
}


def set_request_ip(ip: str | None) -> None:
    """Called at the edge (before each request) so events carry the client address."""
    _request_ip.set(ip)


def canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def seal(secret: bytes, row: Any, prev_hash: str, key_id: str) -> str:
    """HMAC of one row's fields as stored, linked to prev_hash, naming its key."""
    payload = [row.id, canonical_time(row.at), row.actor_id, row.actor_name, row.action,
               row.target, row.details, row.ip, prev_hash, key_id]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_digests(row: Any) -> set[str]:
    """The unkeyed sha256 of a pre-key row. It hashed `at.isoformat()` as the caller gave it:
    UTC from clock.now(), or Beijing time (+08:00) when the demo froze the clock to an exam's
    opening time; the stored value is the same instant read back in UTC, so try both."""
    found = set()
    for zone in (UTC, clock.BEIJING):
        payload = [row.id, row.at.astimezone(zone).isoformat(), row.actor_id, row.actor_name,
                   row.action, row.target, row.details, row.ip, row.prev_hash]
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        found.add(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return found


def lock_head() -> AuditHead:
    """The head row, locked: appends, sealing and rotation are serialised on it."""
    head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:  # created by the first migration; tolerate a bare schema
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        db.session.add(head)
    return head


def append(head: AuditHead, key: AuditKey, action: str, *, actor: User | None = None,
           target: str = "", details: dict[str, Any] | None = None) -> AuditEvent:
    """Add one row sealed with key after the (locked) head, and move the head."""
    ip = _request_ip.get()
    event = AuditEvent(
        id=head.last_id + 1,
        # Stored as UTC either way; normalised here so the object sealed is the value read back.
        at=clock.now().astimezone(UTC),
        actor_id=actor.id if actor else None,
        actor_name=(f"{actor.name}（{actor.username}）" if actor else "系统")[:100],
        action=action,
        target=target[:255],
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
        ip=ip[:64] if ip is not None else None,
        prev_hash=head.last_hash,
        key_id=key.id,
    )
    event.hash = seal(key.secret, event, event.prev_hash, key.id)
    head.last_id, head.last_hash = event.id, event.hash
    db.session.add(event)
    db.session.flush()
    return event


def record(
    action: str,
    *,
    actor: User | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (flushed, not committed)."""
    head = lock_head()
    key = current_key()
    if key is None:
        if head.last_id:  # a new key now would leave the earlier rows unverifiable
            raise AuditKeyMissing()
        key = create_file_key()  # a fresh installation that skipped init-db (scripts, benches)
    return append(head, key, action, actor=actor, target=target, details=details)


def chain_rows(batch: int = 2000, upto: int | None = None) -> Iterator[Row]:
    """All rows in id order, fetched in keyset batches (no cursor stays open across updates)."""
    after = 0
    while True:
        stmt = select(*AuditEvent.__table__.c).where(AuditEvent.id > after)
        if upto is not None:
            stmt = stmt.where(AuditEvent.id <= upto)
        rows = db.session.execute(stmt.order_by(AuditEvent.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""
    key_id: str = ""
    last_hash: str = GENESIS


def check_chain(key: AuditKey, *, legacy_prefix: bool = False) -> VerifyResult:
    """Walk the chain in id order; report the first row where it breaks. With legacy_prefix,
    unkeyed rows are accepted under the legacy digest, but only before the first keyed row."""
    prev_hash, expected_id, checked, keyed_seen = GENESIS, 1, 0, False

    def broken(row_id: int, reason: str) -> VerifyResult:
        return VerifyResult(False, checked, row_id, reason, key.id, prev_hash)

    for row in chain_rows():
        if row.id != expected_id:
            return broken(expected_id, f"第 {expected_id} 条记录缺失（被删除）")
        if row.prev_hash != prev_hash:
            return broken(row.id, f"第 {row.id} 条记录与上一条的链接不符")
        if row.key_id is None:
            if not legacy_prefix or keyed_seen:
                return broken(row.id, f"第 {row.id} 条记录没有密钥封存。若本实例刚从旧版本升级，"
                              "请运行 `fazhi-exam audit seal-legacy`；已封存过的日志中出现这种记录，"
                              "说明它被改动过")
            if row.hash not in legacy_digests(row):
                return broken(row.id, f"第 {row.id} 条记录的内容被修改")
        elif row.key_id != key.id:
            return broken(row.id, f"第 {row.id} 条记录由另一把密钥（{row.key_id}）封存，"
                          f"当前审计密钥是 {key.id}：记录被重建过，或配置了错误的密钥")
        elif not hmac.compare_digest(seal(key.secret, row, prev_hash, key.id), row.hash):
            return broken(row.id, f"第 {row.id} 条记录的内容被修改")
        keyed_seen = keyed_seen or row.key_id is not None
        prev_hash, expected_id, checked = row.hash, expected_id + 1, checked + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_id != checked or head.last_hash != prev_hash):
        return broken(checked + 1, f"日志末尾的记录缺失：应有 {head.last_id} 条，实有 {checked} 条")
    return VerifyResult(True, checked, key_id=key.id, last_hash=prev_hash)


def verify() -> VerifyResult:
    """Check the whole chain under the current key (AuditKeyMissing without one)."""
    return check_chain(require_key())
