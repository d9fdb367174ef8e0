"""Bulk user import in the browser: upload → preview with every problem → confirm."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import delete, select

from .. import clock
from ..errors import DomainError
from ..extensions import db
from ..models import PendingImport
from . import user_import
from .admin_routes import bp
from .forms import ConfirmForm, ImportUploadForm

PENDING_LIFETIME = timedelta(hours=2)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/users/import/template.xlsx")
def import_template():
    return Response(user_import.template_workbook(), mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%AF%BC%E5%85%A5"
                               "%E6%A8%A1%E6%9D%BF.xlsx"})


@bp.route("/users/import", methods=["GET", "POST"])
def import_users():
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        filename = upload.filename or "upload"
        # Read and check first: the writes below take SQLite's write lock only for themselves.
        report = user_import.check_file(current_user, filename, content)
        db.session.execute(delete(PendingImport).where(
            PendingImport.created_at < clock.now() - PENDING_LIFETIME))
        pending = PendingImport(token=secrets.token_urlsafe(24), kind="users", user_id=current_user.id,
                                filename=filename, content=content, created_at=clock.now())
        if report.ok:
            db.session.add(pending)
        db.session.commit()
        return render_template("admin/import_preview.html", report=report, pending=pending,
                               confirm_form=ConfirmForm())
    return render_template("admin/import_upload.html", form=form)


@bp.route("/users/import/<token>", methods=["POST"])
def confirm_import(token: str):
    pending = db.session.scalar(select(PendingImport).where(
        PendingImport.token == token, PendingImport.user_id == current_user.id))
    if pending is None:
        abort(404, "导入任务不存在或已过期，请重新上传文件。")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    filename, content = pending.filename, pending.content
    # Claimed once: a second click (or a second tab) finds nothing to confirm.
    if db.session.execute(delete(PendingImport).where(PendingImport.id == pending.id)).rowcount != 1:
        abort(404, "导入任务不存在或已过期，请重新上传文件。")
    db.session.commit()
    try:
        report = user_import.apply_file(current_user, filename, content, commit=db.session.commit)
    except DomainError:
        db.session.rollback()
        report = user_import.check_file(current_user, filename, content)
        return render_template("admin/import_preview.html", report=report, pending=None,
                               confirm_form=None), 422
    db.session.commit()
    flash(f"已导入 {report.created} 名人员。他们首次登录时须修改初始密码。", "success")
    return redirect(url_for("admin.users"))
