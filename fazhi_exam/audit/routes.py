"""The audit log page for town-level admins."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent
from .service import ACTION_LABELS, verify

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("")
def events():
    action = request.args.get("action") or None
    q = request.args.get("q", "").strip()
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action in ACTION_LABELS:
        stmt = stmt.where(AuditEvent.action == action)
    if q:
        stmt = stmt.where((AuditEvent.actor_name.contains(q)) | (AuditEvent.target.contains(q)))
    page = db.paginate(stmt, per_page=50, error_out=False)
    check = verify() if request.args.get("verify") == "1" else None
    return render_template("admin/audit.html", page=page, labels=ACTION_LABELS, action=action,
                           q=q, check=check,
                           args={k: v for k, v in request.args.items() if k != "page"})
