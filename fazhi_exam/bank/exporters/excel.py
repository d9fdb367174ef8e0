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

from ..importers.base import LETTERS, ParsedQuestion, fill_answers_text, option_feedback_text
from ..importers.excel import COLUMNS
from ..types import TYPE_LABELS

EXTRA_COLUMNS = ["评分要点", "题目名称", "选项反馈"]  # extra columns the importer reads back
TYPE_WORD = {key: label[:2] for key, label in TYPE_LABELS.items()}  # 单选 多选 判断 填空 简答


def answer_text(q: ParsedQuestion) -> str:
    if q.type == "judge":
        return "对" if q.answer else "错"
    if q.type == "fill":
        return fill_answers_text(q.answer)
    return str(q.answer)


def row_values(q: ParsedQuestion) -> list:
    options = list(q.options) + [""] * (len(LETTERS) - len(q.options))
    return [TYPE_WORD[q.type], q.stem, *options, answer_text(q), q.explanation, q.basis, q.difficulty,
            "、".join(q.tags), "\n".join(q.grading_points), q.title, option_feedback_text(q.type, q.option_feedback)]


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


NOTES = [  # the 说明 sheet: how to fill each column (the importer reads only the first sheet)
    ("题型", "单选、多选、判断、填空、简答（也可写 单选题、案例分析题 等）"),
    ("题干", "填空题的每个空写作 ____（四个下划线）"),
    ("选项A … 选项H", "单选、多选题的选项，2–8 个，从选项A起依次填写"),
    ("答案", "单选：B；多选：ACD；判断：对 或 错；填空：空与空之间用 ； 分隔，同一空的几种写法用 / 分隔，"
             "如 三十/30；五/五日。答案本身含有 / ； | 或 \\ 时，在它前面加一个 \\，如 1\\/5 表示答案 1/5"),
    ("解析", "说明答案为什么对，可引用法条原文"),
    ("法律依据", "如《中华人民共和国行政处罚法》第三十六条；几条可写在同一格"),
    ("难度", "1–5 的数字，或 易、较易、中等、较难、难"),
    ("标签", "用顿号或逗号分隔，受众写 干部 / 执法 / 明白人"),
    ("评分要点", "简答题的评分要点，每行一条"),
    ("题目名称", "可不填；从 Moodle 导入的题目保留原来的名称"),
    ("选项反馈", "可不填；答题后显示的选项说明，每行一条，如 B：对，这是宪法第二条的规定。判断题写 对：… 和 错：…"),
]


def export(questions: Iterable[ParsedQuestion], *, bank: str = "") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("题库")
    widths = [8, 60] + [22] * len(LETTERS) + [10, 40, 36, 6, 20, 30, 20, 40]
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C2"
    bold = Font(bold=True)
    ws.append([_text_cell(ws, h, bold) for h in COLUMNS + EXTRA_COLUMNS])
    for q in questions:
        ws.append([_text_cell(ws, v) for v in row_values(q)])
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 16, 100
    notes.append([_text_cell(notes, "列", bold), _text_cell(notes, "怎样填写", bold)])
    for column, how in NOTES:
        notes.append([_text_cell(notes, column), _text_cell(notes, how)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
