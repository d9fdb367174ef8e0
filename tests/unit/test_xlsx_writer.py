"""The .xlsx tables we write ourselves (xlsx_writer): what Excel (here openpyxl) reads back."""
from __future__ import annotations

import io
import zipfile

import openpyxl

from fazhi_exam.xlsx import Percent, workbook

ROWS = [["=1+1", "张三", 3, 92.5, Percent(0.9333), True, None, "  空格  ", "甲\x07乙"],
        ["@SUM(A1)", "-2", 0, -1.25, Percent(None), False, "", "<b>&amp;</b>", "x"]]


def _book():
    return workbook([("成绩明细", ["公式", "姓名", "人数", "分数", "合格率", "是否", "空", "空格", "控制字符"], ROWS),
                     ("第二张：表/名[]", ["只有表头"], [])])


def test_values_read_back_as_written_text_never_a_formula():
    ws = openpyxl.load_workbook(io.BytesIO(_book()))["成绩明细"]
    first, second = (list(r) for r in ws.iter_rows(min_row=2, values_only=True))
    assert first == ["=1+1", "张三", 3, 92.5, 0.9333, True, None, "  空格  ", "甲乙"]
    assert second == ["@SUM(A1)", "-2", 0, -1.25, None, False, "", "<b>&amp;</b>", "x"]
    assert ws["A2"].data_type == "s"  # text, not a formula
    assert ws["E2"].number_format == "0.0%"
    assert ws["A1"].font.b and not ws["A2"].font.b


def test_header_frozen_widths_set_and_printed_on_every_page():
    book = openpyxl.load_workbook(io.BytesIO(_book()))
    ws = book["成绩明细"]
    assert ws.freeze_panes == "A2"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["B"].width >= 8 and ws.column_dimensions["H"].width > ws.column_dimensions["C"].width
    assert book.sheetnames == ["成绩明细", "第二张：表_名__"]  # characters Excel forbids in a sheet name replaced
    assert [c.value for c in book["第二张：表_名__"][1]] == ["只有表头"]


def test_same_tables_same_bytes():
    first, second = _book(), _book()
    assert first == second
    assert zipfile.ZipFile(io.BytesIO(first)).testzip() is None


def test_many_rows_stream():
    rows = ([f"人{i}", i, i / 7] for i in range(5000))
    ws = openpyxl.load_workbook(io.BytesIO(workbook([("表", ["姓名", "序号", "值"], rows)])), read_only=True)["表"]
    got = list(ws.iter_rows(values_only=True))
    assert len(got) == 5001 and got[-1] == ("人4999", 4999, 4999 / 7)
