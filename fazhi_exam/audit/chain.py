"""Keeping the chain sound over time: sealing pre-key rows, rotating the key, anchors.

Upgrade from the unkeyed chain (rows with key_id NULL): the legacy rows are checked under the
old sha256 digest (accepting the old +08:00 time bug) and, only if that whole prefix holds,
every row is re-sealed with the key in one transaction and an `audit_chain_sealed` event is
added. `fazhi-exam init-db` does this by itself in the run that creates instance/audit_key (the
first init-db after the upgrade); with a key from FAZHI_AUDIT_KEY / AUDIT_KEY, or later, an
operator runs `fazhi-exam audit seal-legacy`. It is never automatic on an instance that already
has a key, because an unkeyed row can be forged by anyone who can write the database: turning a
sealed chain back into "legacy" rows must not get it re-sealed behind the operator's back.

Rotation re-seals every row under a new key in one transaction, after the chain verifies under
the current one. The old key file is kept (audit_key.retired-<date>-<id>), so an anchor taken
under it is still checked: the first N rows are replayed under the retired key.

An anchor is one line (`审计锚点 <UTC time> 第 N 条 <hmac> 密钥 <key id>`) to keep outside the
system. A cut tail with audit_head fixed up is a consistent chain; only an anchor finds it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import select, update

from .. import clock
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..models import AuditEvent, AuditHead
from . import keys
from .keys import AuditKey, AuditKeyError
from .service import GENESIS, VerifyResult, append, chain_rows, check_chain, lock_head, seal


class ChainBroken(DomainError):
    code, status = "audit_chain_broken", 409

    def __init__(self, message: str, result: VerifyResult):
        super().__init__(message)
        self.result = result


def _reseal(key: AuditKey, head: AuditHead, batch: int = 2000) -> int:
    """Rewrite every row's link and seal under key, then the head. Caller holds the head lock."""
    prev_hash, count, pending = GENESIS, 0, []
    for row in chain_rows(batch):
        new_hash = seal(key.secret, row, prev_hash, key.id)
        pending.append({"id": row.id, "prev_hash": prev_hash, "hash": new_hash, "key_id": key.id})
        prev_hash, count = new_hash, count + 1
        if len(pending) >= batch:  # chain_rows reads by id > last, so updating behind it is safe
            db.session.execute(update(AuditEvent), pending)
            pending = []
    if pending:
        db.session.execute(update(AuditEvent), pending)
    head.last_id, head.last_hash = count, prev_hash
    return count


def has_legacy_rows() -> bool:
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.key_id.is_(None)).limit(1)) is not None


def sealing_key_id() -> str | None:
    """The key id the chain's last keyed row names (None: no keyed rows yet)."""
    return db.session.scalar(select(AuditEvent.key_id).where(AuditEvent.key_id.is_not(None))
                             .order_by(AuditEvent.id.desc()).limit(1))


def seal_legacy() -> int:
    """Re-seal a legacy (partly) unkeyed chain with the current key; returns rows sealed (0: none
    were legacy). ChainBroken, nothing changed, if the legacy chain does not hold."""
    key = keys.require_key()
    head = lock_head()
    if not has_legacy_rows():
        return 0
    result = check_chain(key, legacy_prefix=True)
    if not result.ok:
        raise ChainBroken(f"旧审计日志校验未通过，未封存：{result.reason}（前 {result.checked} 条完好）。"
                          "请先查明原因；在此之前 `audit verify` 会一直报告日志未通过校验。", result)
    count = _reseal(key, head)
    append(head, key, "audit_chain_sealed", details={"rows": count, "key": key.id})
    return count


@dataclass
class Rotation:
    old: AuditKey
    new: AuditKey
    rows: int


def rotate_key() -> Rotation:
    """Re-seal the whole chain under a new key (flushed; the caller installs the key file and
    commits). Refused, nothing changed, unless the chain verifies under the current key."""
    old = keys.require_key()
    if old.source != "file":
        raise AuditKeyError("审计密钥来自环境变量 FAZHI_AUDIT_KEY 或配置项 AUDIT_KEY，本命令只能轮换"
                            f"实例目录中的密钥文件（{keys.key_path()}）。请去掉该设置、把密钥写入该文件后再轮换。")
    head = lock_head()
    result = check_chain(old)
    if not result.ok:
        raise ChainBroken(f"审计日志校验未通过，未轮换密钥：{result.reason}（前 {result.checked} 条完好）。",
                          result)
    new = keys.generate()
    count = _reseal(new, head)
    append(head, new, "audit_key_rotated", details={"old": old.id, "new": new.id, "rows": count})
    return Rotation(old, new, count)


ANCHOR = re.compile(r"审计锚点\s+(\S+)\s+第\s*(\d+)\s*条\s+([0-9a-fA-F]{16,64})(?:\s+密钥\s+([0-9a-fA-F]{8}))?")


@dataclass
class Anchor:
    taken: str
    count: int
    hash: str
    key_id: str | None


def anchor_line(result: VerifyResult) -> str:
    """The head of a verified chain as one line to write down or send upstream."""
    taken = clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"审计锚点 {taken} 第 {result.checked} 条 {result.last_hash} 密钥 {result.key_id}"


def parse_anchors(text: str) -> list[Anchor]:
    """Every anchor line in text (a pasted line, or a file of anchors appended over time)."""
    found = [Anchor(m[1], int(m[2]), m[3].lower(), m[4].lower() if m[4] else None)
             for m in ANCHOR.finditer(text)]
    if not found:
        raise ValidationError("没有找到审计锚点：应为一行“审计锚点 <时间> 第 N 条 <哈希> 密钥 <编号>”，"
                              "即 `fazhi-exam audit anchor` 打印的内容（哈希至少 16 位）。")
    return found


def _replay(key: AuditKey, upto: int) -> str:
    """The seal row `upto` had when the chain was sealed with key (a retired key)."""
    prev_hash = GENESIS
    for row in chain_rows(upto=upto):
        prev_hash = seal(key.secret, row, prev_hash, key.id)
    return prev_hash


def _rotation_of(key: AuditKey) -> str:
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "audit_key_rotated",
        AuditEvent.details.contains(f'"old": "{key.id}"')).order_by(AuditEvent.id).limit(1))
    if event is None:
        return ""
    return f"于第 {event.id} 条记录（北京时间 {clock.minute(event.at)}）"


def check_anchor(anchor: Anchor, chain: VerifyResult) -> tuple[bool, str]:
    """Does the verified chain still hold the anchored row with the anchored seal?"""
    where = f"锚点（{anchor.taken}，第 {anchor.count} 条）"
    if anchor.count == 0:
        return True, f"{where}：取锚点时日志为空。"
    if anchor.count > chain.checked:
        return False, (f"{where}：日志现只有 {chain.checked} 条记录，锚点之后的记录被截去或整条日志被重建。")
    stored = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.id == anchor.count))
    if anchor.key_id in (None, chain.key_id) and stored.startswith(anchor.hash):
        return True, f"{where}：与现在的第 {anchor.count} 条记录相符。"
    retired = [k for k in keys.retired_keys() if anchor.key_id in (None, k.id)]
    if anchor.key_id not in (None, chain.key_id) and not retired:
        return False, (f"{where}：取锚点时的密钥 {anchor.key_id} 不是当前密钥，实例目录中也没有这把已停用的"
                       f"密钥（{keys.RETIRED_PREFIX}*-{anchor.key_id}），无法核对。")
    for key in retired:
        if _replay(key, anchor.count).startswith(anchor.hash):
            return True, (f"{where}：取于密钥 {key.id} 之下，该密钥已{_rotation_of(key)}轮换停用；"
                          f"用保留的旧密钥（{key.path.name if key.path else ''}）重算前 {anchor.count} 条记录，"
                          "与锚点相符。")
    return False, (f"{where}：第 {anchor.count} 条记录与锚点不符，日志在取锚点之后被重建或改动。")
