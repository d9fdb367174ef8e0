"""Bank import in the browser: upload → preview (counts, every problem, duplicates) → confirm,
with progress shown while a large file is written."""
from __future__ import annotations

import secrets

from flask import Response, abort, current_app, render_template, request, stream_with_context, url_for
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from .. import clock
from ..accounts.import_routes import PENDING_LIFETIME, XLSX
from ..errors import DomainError
from ..extensions import db
from ..models import Bank, PendingImport, User
from . import importing
from .exporters.excel import export as excel_export
from .forms import BankImportForm
from .routes import bp
from .types import TYPE_LABELS


@bp.route("/template.xlsx")
def template():
    from .importers.base import ParsedQuestion

    examples = [
        ParsedQuestion("single", "违法行为在多长时间内未被发现的，不再给予行政处罚（法律另有规定的除外）？",
                       ["一年", "二年", "三年", "五年"], "B", "第三十六条第一款。",
                       "《中华人民共和国行政处罚法》第三十六条", 2, ["行政处罚法", "执法"]),
        ParsedQuestion("judge", "行政处罚遵循公正、公开的原则。", [], True, "第五条第一款。",
                       "《中华人民共和国行政处罚法》第五条", 1, ["行政处罚法", "干部"]),
    ]
    return Response(excel_export(examples), mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename*=UTF-8''%E9%A2%98%E5%BA%93%E6%A8%A1%E6%9D%BF.xlsx"})


@bp.route("/import", methods=["GET", "POST"])
def import_bank():
    form = BankImportForm()
    names = list(db.session.scalars(select(Bank.name).order_by(Bank.name)))
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        # Read and check first: the writes below take SQLite's write lock only for themselves.
        report = importing.check_file(upload.filename or "upload", content, form.bank.data or None)
        db.session.execute(delete(PendingImport).where(PendingImport.created_at < clock.now() - PENDING_LIFETIME))
        pending = None
        if report.ok and report.questions:
            warned = ":w" if report.warnings else ""  # confirming needs the trainer's "我已了解"
            pending = PendingImport(token=secrets.token_urlsafe(24), kind=f"bank:{form.status.data}{warned}",
                                    user_id=current_user.id, filename=upload.filename or "upload",
                                    target=report.bank_name, content=content, created_at=clock.now())
            db.session.add(pending)
        db.session.commit()
        return render_template("bank/import_preview.html", report=report, pending=pending, type_labels=TYPE_LABELS,
                               formats=importing.FORMAT_LABELS)
    return render_template("bank/import_upload.html", form=form, banks=names)


@bp.route("/import/<token>", methods=["POST"])
def confirm_import(token: str):
    pending = db.session.scalar(select(PendingImport).where(
        PendingImport.token == token, PendingImport.user_id == current_user.id,
        PendingImport.kind.startswith("bank:")))
    if pending is None:
        abort(404, "导入任务不存在或已过期，请重新上传文件。")
    status, warned = pending.kind.split(":")[1], pending.kind.endswith(":w")
    if warned and not request.form.get("accept_changes"):
        abort(400, "导入会改动或略去部分内容（见预览中的提示）。请勾选“我已了解”后再确认导入。")
    filename, content, target = pending.filename, pending.content, pending.target
    actor_id = current_user.id
    # Claimed once: a second click (or a second tab) finds nothing to confirm.
    if db.session.execute(delete(PendingImport).where(PendingImport.id == pending.id)).rowcount != 1:
        abort(404, "导入任务不存在或已过期，请重新上传文件。")
    db.session.commit()

    def run():
        # Streamed so that a large file shows its progress while it is written.
        yield render_template("bank/import_progress_head.html", filename=filename)
        report = None
        actor = db.session.get(User, actor_id)
        try:
            for step in importing.import_steps(actor, filename, content, bank_name=target, status=status,
                                               every=importing.BATCH, commit=db.session.commit):
                if isinstance(step, importing.BankImportReport):
                    report = step
                else:
                    yield f'<p class="progress-line">已写入 {step[0]} / {step[1]} 道……</p>\n'
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            yield f'<div class="alert alert-danger">{escape(exc.message)}请重新上传文件。</div></main></body></html>'
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception("题库导入中断")
            yield ('<div class="alert alert-danger">导入中断（数据库繁忙或出错），已写入的试题已撤销。'
                   '请稍后重新上传文件。</div></main></body></html>')
        else:
            bank = db.session.scalar(select(Bank).where(Bank.name == report.bank_name))
            yield render_template("bank/import_progress_tail.html", report=report,
                                  bank_url=url_for("bank.bank", bank_id=bank.id))

    return Response(stream_with_context(run()), mimetype="text/html")
