"""`fazhi-exam exam create FILE.yaml` and `fazhi-exam attempts close-expired`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli_util import fail, writes
from ..errors import DomainError
from ..extensions import db


@click.group("exam")
def exam_group():
    """考试。"""


@exam_group.command("create")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish/--draft", default=True, show_default=True, help="创建后直接发布，或存为草稿")
@with_appcontext
@writes
def exam_create_command(file: Path, publish: bool):
    """按考试定义文件（YAML）创建考试，输出新考试的编号。"""
    from ..bank.importers.base import FormatError
    from ..bank.importers.native import load
    from .assembly import held_back_note
    from .definitions import create_exam, parse_spec

    try:
        spec = parse_spec(load(file.read_bytes(), file.name))
        exam = create_exam(None, spec, publish=publish)
    except FormatError as exc:
        fail(f"{file}：{exc}")
    except DomainError as exc:
        db.session.rollback()
        fail(f"{file}：{exc.message}")
    db.session.commit()
    click.echo(exam.id)
    click.echo(f"已创建考试“{exam.title}”（编号 {exam.id}，{'已发布' if publish else '草稿'}，"
               f"满分 {exam.total_points:g}，合格分 {exam.pass_score:g}）。", err=True)
    if note := held_back_note(exam):
        click.echo(note, err=True)


@click.group("attempts")
def attempts_group():
    """答卷。"""


@attempts_group.command("close-expired")
@with_appcontext
@writes
def close_expired_command():
    """把已过截止时间的答卷按已保存的答案交卷（供 cron / systemd timer 定时运行）。"""
    from .attempts import close_expired

    count = close_expired(commit=db.session.commit)
    db.session.commit()
    click.echo(f"已自动交卷 {count} 份过期答卷。")
