"""Each event's hash covers its own fields and the previous event's hash, so altering or
deleting any row breaks the chain from that row on; the head row catches a cut tail."""
from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import AuditEvent, AuditHead, User

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
    "org_unit_saved": "保存单位",
    "cohort_saved": "保存人员类别",
    "demo_seeded": "加载演示数据",
    "law_saved": "保存法律",
    "law_version_recorded": "记录法律新版本",
    "bank_imported": "导入题库",
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
    "study_imported": "导入学法计划或签到表",
    "material_saved": "保存学习资料",
    "programme_saved": "保存培训项目",
}


def set_request_ip(ip: str | None) -> None:
    """Called at the edge (before each request) so events carry the client address."""
    _request_ip.set(ip)


def _digest(event: AuditEvent) -> str:
    payload = [
        event.id,
        event.at.isoformat(),
        event.actor_id,
        event.actor_name,
        event.action,
        event.target,
        event.details,
        event.ip,
        event.prev_hash,
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(
    action: str,
    *,
    actor: User | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (flushed, not committed)."""
    head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:  # created by the first migration; tolerate a bare schema
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        db.session.add(head)
    event = AuditEvent(
        id=head.last_id + 1,
        at=clock.now(),
        actor_id=actor.id if actor else None,
        actor_name=f"{actor.name}（{actor.username}）" if actor else "系统",
        action=action,
        target=target[:255],
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
        ip=_request_ip.get(),
        prev_hash=head.last_hash,
    )
    event.hash = _digest(event)
    head.last_id, head.last_hash = event.id, event.hash
    db.session.add(event)
    db.session.flush()
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify() -> VerifyResult:
    """Walk the chain in id order; report the first event where it breaks."""
    prev_hash, expected_id, checked = GENESIS, 1, 0
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(
        yield_per=2000))
    for event in rows:
        if event.id != expected_id:
            return VerifyResult(False, checked, expected_id, f"第 {expected_id} 条记录缺失（被删除）")
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.id, f"第 {event.id} 条记录与上一条的链接不符")
        if _digest(event) != event.hash:
            return VerifyResult(False, checked, event.id, f"第 {event.id} 条记录的内容被修改")
        prev_hash, expected_id, checked = event.hash, expected_id + 1, checked + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_id != checked or head.last_hash != prev_hash):
        return VerifyResult(False, checked, checked + 1,
                            f"日志末尾的记录缺失：应有 {head.last_id} 条，实有 {checked} 条")
    return VerifyResult(True, checked)
