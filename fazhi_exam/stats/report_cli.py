"""`fazhi-exam report --year Y [-o FILE.docx] [--unit 村]`: the annual report's sentences, or the .docx."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli_util import fail


def _year(text: str | None) -> int:
    from .. import clock

    this_year = clock.now().astimezone(clock.BEIJING).year
    if not text:
        fail(f"请用 --year 指定年度，例如 --year {this_year - 1}。")
    try:
        year = int(text.strip().removesuffix("年"))
    except ValueError:
        fail(f"年度“{text}”不是有效的年份，请写四位数字，例如 --year {this_year - 1}。")
    if not 2000 <= year <= this_year + 1:
        fail(f"年度 {year} 超出范围：只能是 2000 年到 {this_year + 1} 年之间。")
    return year


@click.command("report")
@click.option("--year", "year_text", metavar="Y", help="年度，例如 2023")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="写出 Word 文档（.docx）；不给出时把报告段落打印出来")
@click.option("--unit", default="", help="只统计某个单位（如 王庄村），默认全镇")
@with_appcontext
def report_command(year_text: str | None, output: Path | None, unit: str):
    """生成年度法治政府建设报告中学法考法部分的段落，或带附表和口径说明的 Word 文档。"""
    from ..accounts.orgs import find_unit_by_name
    from . import archive, report

    chosen = _year(year_text)
    scope = None
    if unit:
        found = find_unit_by_name(unit)
        if len(found) != 1:
            fail(f"找不到唯一的单位“{unit}”。")
        scope = found[0].path
    if output is not None and output.suffix.lower() != ".docx":
        fail(f"输出文件 {output} 须以 .docx 结尾。")
    if output is None:
        for text in report.paragraphs(archive.view(chosen, scope).summary):
            click.echo(text)
            click.echo()
        return
    content, unit_name = archive.docx(chosen, scope)
    if output.is_dir():
        fail(f"无法写入文件 {output}：这是一个目录，请给出文件名，例如 {output / '年度报告.docx'}。")
    if not output.parent.is_dir():
        fail(f"无法写入文件 {output}：目录 {output.parent} 不存在。")
    try:
        output.write_bytes(content)
    except PermissionError:
        fail(f"无法写入文件 {output}：没有写入权限（若文件已在 Word 中打开，请先关闭）。")
    except OSError as exc:
        fail(f"无法写入文件 {output}：{exc.strerror or exc}。")
    click.echo(f"已生成 {report.title(chosen, unit_name)}：{output}")
