"""`fazhi-exam study import-plan FILE` and `fazhi-exam study import-attendance FILE`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli_util import fail, writes
from ..extensions import db


@click.group("study")
def study_group():
    """学法计划与签到。"""


def _finish(file: Path, report, dry_run: bool, what: str) -> None:
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(f"{file}：{error}", err=True)
        fail(f"文件 {file} 有 {len(report.errors)} 处错误，未导入任何{what}。")
    if dry_run:
        click.echo(f"检查通过：将导入 {report.rows} 条{what}（--dry-run，未写入）。")
        return
    db.session.commit()
    click.echo(f"已导入 {report.rows} 条{what}。")


@study_group.command("import-plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", default=None, help="计划名称（默认：某年度集中学法计划）")
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@with_appcontext
@writes
def import_plan_command(file: Path, title: str | None, dry_run: bool):
    """导入年度学法计划（.xlsx/.csv，列：日期、开始时间、结束时间、学习主题、学习法律、主讲人、地点、参学对象、是否必学）。"""
    from .importing import import_plan

    _finish(file, import_plan(None, file.name, file.read_bytes(), title=title, dry_run=dry_run), dry_run, "学习场次")


@study_group.command("import-attendance")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@with_appcontext
@writes
def import_attendance_command(file: Path, dry_run: bool):
    """导入纸质签到表（.xlsx/.csv，列：日期、学习主题、姓名、用户名或手机号、出勤）。"""
    from .importing import import_attendance

    _finish(file, import_attendance(None, file.name, file.read_bytes(), dry_run=dry_run, commit=db.session.commit),
            dry_run, "签到记录")
