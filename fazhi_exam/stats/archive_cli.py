"""`fazhi-exam year close Y`, `year reopen Y --reason …`, `year status`: closing a year (归档) from
the command line, as the admin's 年度归档 page does."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..cli_util import fail, writes


@click.group("year")
def year_group():
    """年度归档：归档后该年度的统计、名单、导出和报告不再变化。"""


def _run(action):
    from ..errors import DomainError
    from ..extensions import db

    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        fail(exc.message)
    db.session.commit()
    return result


@year_group.command("close")
@click.argument("year", type=int)
@with_appcontext
@writes
def close_command(year: int):
    """归档 YEAR 年（先用 fazhi-exam report --year YEAR 核对数字）。"""
    from . import archive

    closure = _run(lambda: archive.close_year(None, year))
    click.echo(f"{year}年已归档（归档记录 #{closure.id}）：此后该年度的统计、名单、导出和报告都以归档时的数据为准。")


@year_group.command("reopen")
@click.argument("year", type=int)
@click.option("--reason", required=True, help="重新打开的原因（记入审计日志）")
@with_appcontext
@writes
def reopen_command(year: int, reason: str):
    """重新打开已归档的 YEAR 年，须说明原因；改完后请重新归档。"""
    from . import archive

    _run(lambda: archive.reopen_year(None, year, reason))
    click.echo(f"{year}年已重新打开，原因已记入审计日志。改完后请重新归档。")


@year_group.command("status")
@with_appcontext
def status_command():
    """列出归档记录。"""
    from .. import clock
    from . import archive

    rows = archive.history()
    if not rows:
        click.echo("还没有归档过任何年度。")
    for c in rows:
        at = clock.minute(c.closed_at)
        line = f"{c.year}年：{at} 由{c.closed_by_name}归档"
        if c.reopened_at is not None:
            again = clock.minute(c.reopened_at)
            line += f"；{again} 重新打开，原因：{c.reopen_reason}"
        else:
            line += "（现行）"
        click.echo(line)
