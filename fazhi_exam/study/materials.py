"""Online study: materials and study time credited from heartbeats of a visible, active page.
A gap of more than 90 s starts a new stretch (nothing is credited for the gap), each beat credits
at most 60 s, and no material credits more than its minutes."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import audit, clock
from ..errors import ValidationError
from ..extensions import db
from ..models import MATERIAL_KINDS, Attendance, StudyMaterial, StudySession, StudyTime, User, session_materials
from . import attendance
from .plans import for_user

MAX_GAP = timedelta(seconds=90)
MAX_CREDIT = 60
MAX_PDF = 20 * 1024 * 1024


def create_material(actor: User | None, *, title: str, kind: str, minutes: int, body: str = "", url: str = "",
                    pdf: bytes | None = None, laws: str = "", quiz_bank_id: int | None = None, quiz_count: int = 0,
                    quiz_pass: int = 0) -> StudyMaterial:
    title = (title or "").strip()
    if not title:
        raise ValidationError("资料标题不能为空。")
    if kind not in MATERIAL_KINDS:
        raise ValidationError("资料类型无效。")
    if not isinstance(minutes, int) or not 1 <= minutes <= 600:
        raise ValidationError("计入学时应为 1–600 分钟。")
    if kind == "text" and not (body or "").strip():
        raise ValidationError("图文资料需要正文。")
    if kind in ("link", "video") and not (url or "").startswith(("http://", "https://", "/")):
        raise ValidationError("请填写以 http:// 或 https:// 开头的链接。")
    if kind == "pdf":
        if not pdf or not pdf.startswith(b"%PDF"):
            raise ValidationError("请上传 PDF 文件。")
        if len(pdf) > MAX_PDF:
            raise ValidationError("PDF 文件不能超过 20 MB。")
    if quiz_count and (not quiz_bank_id or not 1 <= quiz_count <= 20 or not 1 <= quiz_pass <= quiz_count):
        raise ValidationError("小测须选择题库，题数 1–20，通过所需的答对题数不超过题数。")
    material = StudyMaterial(title=title[:200], kind=kind, minutes=minutes, body=body or "", url=url or "",
                             pdf=pdf if kind == "pdf" else None, laws=(laws or "")[:300], created_at=clock.now(),
                             quiz_bank_id=quiz_bank_id if quiz_count else None, quiz_count=quiz_count or 0,
                             quiz_pass=quiz_pass if quiz_count else 0)
    db.session.add(material)
    db.session.flush()
    audit.record("material_saved", actor=actor, target=material.title, details={"id": material.id})
    return material


def heartbeat(user: User, material: StudyMaterial) -> StudyTime:
    now = clock.now()
    row = db.session.get(StudyTime, (user.id, material.id))
    if row is None:
        row = StudyTime(user_id=user.id, material_id=material.id, seconds=0)
        db.session.add(row)
    elif row.last_beat_at is not None and now - row.last_beat_at <= MAX_GAP:
        gained = min(int((now - row.last_beat_at).total_seconds()), MAX_CREDIT)
        row.seconds = min(row.seconds + max(gained, 0), material.minutes * 60)
    row.last_beat_at = now
    check_complete(user, material, row)
    db.session.flush()
    return row


def check_complete(user: User, material: StudyMaterial, row: StudyTime) -> None:
    """Complete once the minutes are reached and, if the material has a check quiz, it is passed."""
    if row.completed_at is None and row.seconds >= material.minutes * 60 \
            and (not material.quiz_count or row.quiz_passed_at is not None):
        row.completed_at = clock.now()
        _make_up_sessions(user, material)


def _make_up_sessions(user: User, material: StudyMaterial) -> None:
    """Finishing a session's material online makes up (补学) that session if the user missed it."""
    sessions = db.session.scalars(select(StudySession).join(
        session_materials, session_materials.c.session_id == StudySession.id)
        .where(session_materials.c.material_id == material.id, StudySession.ends_at < clock.now()))
    for session in sessions:
        mark = db.session.get(Attendance, (session.id, user.id))
        if for_user(session, user) and (mark is None or mark.status == "absent"):
            attendance.record(user, session, user, "makeup", "makeup")


def study_time(user: User, material_ids: list[int]) -> dict[int, StudyTime]:
    if not material_ids:
        return {}
    rows = db.session.scalars(select(StudyTime).where(StudyTime.user_id == user.id,
                                                      StudyTime.material_id.in_(material_ids)))
    return {r.material_id: r for r in rows}
