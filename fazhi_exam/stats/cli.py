"""`fazhi-exam stats export --year Y -o FILE.xlsx` (or FILE.csv with --table)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli_util import fail
from . import archive, export


@click.group("stats")
def stats_group():
    """统计与导出。"""


@stats_group.command("export")
@click.option("--year", "year_", type=int, required=True, help="年度，例如 2023")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件：.xlsx（全部表格，每表一页）或 .csv（一张表，见 --table）")
@click.option("--table", type=click.Choice(list(export.TABLES)), default="summary", show_default=True,
              help="导出 .csv 时选择哪张表")
@with_appcontext
def export_command(year_: int, output: Path, table: str):
    """导出年度统计：成绩汇总表、成绩明细、出勤、学习进度、试题分析。"""
    if not 2000 <= year_ <= 2100:
        fail(f"年度 {year_} 不正确，请填写四位数年份，例如 --year 2023。")
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        fail(f"输出文件 {output} 应以 .xlsx 或 .csv 结尾。")
    v = archive.view(year_, None)
    summary = v.summary
    body = archive.export_bytes(year_, None, None if suffix == ".xlsx" else table)
    try:
        output.write_bytes(body)
    except OSError as exc:
        fail(f"无法写入 {output}：{exc.strerror or exc}")
    what = "、".join(export.TABLES.values()) if suffix == ".xlsx" else export.TABLES[table]
    click.echo(f"已导出 {year_} 年统计（{what}）到 {output}：{len(summary.exams)} 场正式考试，"
               f"{len(summary.sessions)} 次集中学法，{len(summary.programmes)} 个培训项目"
               + ("（已归档的数据）。" if v.closure else "。"))
