"""Export a bank as the Excel template (DESIGN §7), streamed with a write-only workbook.
Every cell is written as text, so a stem that starts with "=" never becomes a formula."""
from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..importers.base import LETTERS, ParsedQuestion
from ..importers.excel import COLUMNS
from ..types import TYPE_LABELS

EXTRA_COLUMNS = ["评分要点"]  # essays' grading points: an extra column the importer reads back
TYPE_WORD = {key: label[:2] for key, label in TYPE_LABELS.items()}  # 单选 多选 判断 填空 简答


def answer_text(q: ParsedQuestion) -> str:
    if q.type == "judge":
        return "对" if q.answer else "错"
    if q.type == "fill":
        return "；".join("/".join(variants) for variants in q.answer)
    return str(q.answer)


def row_values(q: ParsedQuestion) -> list:
    options = list(q.options) + [""] * (len(LETTERS) - len(q.options))
    return [TYPE_WORD[q.type], q.stem, *options, answer_text(q), q.explanation, q.basis, q.difficulty,
            "、".join(q.tags), "\n".join(q.grading_points)]


def _text_cell(ws, value, font=None) -> WriteOnlyCell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters cannot be stored in .xlsx
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value:
        cell.data_type = "s"  # never a formula, whatever the text starts with
        cell.style = "Normal"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if font is not None:
        cell.font = font
    return cell


def export(questions: Iterable[ParsedQuestion], *, bank: str = "") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("题库")
    widths = [8, 60] + [22] * len(LETTERS) + [10, 40, 36, 6, 20, 30]
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C2"
    bold = Font(bold=True)
    ws.append([_text_cell(ws, h, bold) for h in COLUMNS + EXTRA_COLUMNS])
    for q in questions:
        ws.append([_text_cell(ws, v) for v in row_values(q)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
