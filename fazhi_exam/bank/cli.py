"""`fazhi-exam bank ...`: import and export question banks."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..cli_util import fail, writes
from ..errors import DomainError
from ..extensions import db


@click.group("bank")
def bank_group():
    """题库：导入、导出。"""


@bank_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", default=None, help="导入到哪个题库（默认：文件中写明的题库名，或文件名）")
@click.option("--dry-run", is_flag=True, help="只检查并预览，不写入")
@click.option("--draft", is_flag=True, help="导入为草稿（默认直接发布）")
@click.option("--accept-changes", is_flag=True, help="文件中有本系统无法原样保存的内容（见提示）时，确认按提示导入")
@with_appcontext
@writes
def bank_import_command(file: Path, bank_name: str | None, dry_run: bool, draft: bool, accept_changes: bool):
    """导入题库文件（.xlsx .docx .txt .gift .yaml .json；有任何错误则全部不导入）。"""
    from . import importing

    content = file.read_bytes()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit and len(content) > limit:
        fail(f"文件 {file} 太大（上限 {limit // 1024 // 1024} MB）。")
    report = importing.check_file(file.name, content, bank_name)
    if not report.ok:
        for problem in report.problems:
            click.echo(f"{file}：{problem}", err=True)
        fail(f"文件 {file} 有 {len(report.problems)} 处错误，未导入任何试题。")
    summary = "、".join(f"{label} {n} 道" for label, n in report.counts.items()) or "无新题"
    click.echo(f"格式：{importing.FORMAT_LABELS[report.format]}；题库：{report.bank_name}；{summary}")
    if report.duplicates:
        click.echo(f"题库中已有的重复题 {len(report.duplicates)} 道，将跳过。")
    warnings = report.warnings
    for warning in warnings:
        click.echo(f"{file}：提示：{warning}")
    if dry_run:
        changes = f"；有 {len(warnings)} 处改动或略去的内容（见上），导入时需加 --accept-changes" if warnings else ""
        click.echo(f"检查通过：将导入 {len(report.questions)} 道试题{changes}（--dry-run，未写入）。")
        return
    if warnings and not accept_changes:
        fail(f"文件 {file} 有 {len(warnings)} 处本系统无法原样保存的内容（见上），未导入。"
             "看过后加 --accept-changes 再导入。")
    with click.progressbar(length=len(report.questions), label="导入中") as bar:
        done = [0]

        def progress(i: int, total: int) -> None:
            bar.update(i - done[0])
            done[0] = i

        try:
            report = importing.import_file(None, file.name, content, bank_name=bank_name,
                                           status="draft" if draft else "published", progress=progress,
                                           commit=db.session.commit)
        except DomainError as exc:
            db.session.rollback()
            fail(exc.message)
    db.session.commit()
    click.echo(f"已导入 {report.created} 道试题到题库“{report.bank_name}”。")


@bank_group.command("export")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "yaml", "gift", "moodle"]), required=True,
              help="moodle：Moodle XML（多空填空题为完形填空）")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--include-retired", is_flag=True, help="同时导出已停用的题")
@with_appcontext
def bank_export_command(name: str, fmt: str, output: Path, include_retired: bool):
    """导出题库为 xlsx、yaml 或 gift 文件。"""
    from .exporting import export_bank_listing

    try:
        content, count, left_out = export_bank_listing(name, fmt, include_retired=include_retired)
    except DomainError as exc:
        fail(exc.message)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)
    click.echo(f"已导出题库“{name}”的 {count} 道试题到 {output}。")
    if left_out:
        click.echo(f"未导出 {len(left_out)} 道（原因也写在文件开头）：")
        for line in left_out:
            click.echo(f"  {line}")
