"""Every shipped question survives the Excel round trip unchanged (native → .xlsx → native), keys
with a "/" inside an answer ("1/5") included; and the Excel escaping rules read old files as before."""
from __future__ import annotations

import io

import openpyxl
import pytest

from fazhi_exam.bank.exporters import excel as excel_export
from fazhi_exam.bank.importers import excel as excel_import
from fazhi_exam.bank.importers import native
from fazhi_exam.bank.importers.base import parse_fill_answers
from fazhi_exam.bank.shipped import shipped_files

FIELDS = ("type", "stem", "options", "answer", "explanation", "basis", "difficulty", "tags", "grading_points", "title",
          "option_feedback")


def _plain(q) -> tuple:
    return tuple(getattr(q, name) for name in FIELDS)


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: p.stem)
def test_every_shipped_question_survives_native_to_excel_to_native(path):
    original = native.parse(path.read_bytes(), path.name)
    back = excel_import.parse(excel_export.export(original.questions), "back.xlsx")
    assert not back.problems
    assert [_plain(q) for q in back.questions] == [_plain(q) for q in original.questions]


def test_a_slash_inside_an_answer_is_escaped_and_read_back():
    from fazhi_exam.bank.importers.base import ParsedQuestion

    q = ParsedQuestion("fill", "全国人大常委会或者五分之一以上全国人大代表提议（写作____），修改宪法须全体代表的____以上多数通过。", [],
                       [["五分之一", "1/5"], ["三分之二", "2/3"]], "第六十四条。", "《中华人民共和国宪法》第六十四条", 2, ["干部"])
    content = excel_export.export([q])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.cell(row=2, column=11).value == "五分之一/1\\/5；三分之二/2\\/3"
    assert excel_import.parse(content, "x.xlsx").questions[0].answer == [["五分之一", "1/5"], ["三分之二", "2/3"]]
    notes = openpyxl.load_workbook(io.BytesIO(content))["说明"]
    assert any("1\\/5 表示答案 1/5" in (row[1] or "") for row in notes.iter_rows(values_only=True))


@pytest.mark.parametrize("written, read", [
    ("二/两；五", [["二", "两"], ["五"]]),  # files written before escaping read as before
    ("三十|30｜三十日", [["三十", "30", "三十日"]]),
    ("1\\/5", [["1/5"]]),
    ("甲\\；乙", [["甲；乙"]]),
    ("C:\\temp", [["C:\\temp"]]),  # a backslash before anything else stays
    ("a\\\\/b", [["a\\", "b"]]),
])
def test_fill_answer_text(written, read):
    assert parse_fill_answers(written) == read


def test_titles_and_option_feedback_round_trip_through_excel_and_yaml():
    from fazhi_exam.bank.exporters import native as native_export
    from fazhi_exam.bank.importers.base import ParsedQuestion

    qs = [ParsedQuestion("single", "我国的根本法是？", ["宪法", "民法典", "刑法"], "A", "第五条。", "《中华人民共和国宪法》第五条",
                         1, ["干部"], title="根本法", option_feedback=["对。\n宪法是根本法。", "", "不对。"]),
          ParsedQuestion("judge", "全国人大每届任期五年。", [], True, "", "《中华人民共和国宪法》第六十条", 1, ["干部"],
                         option_feedback=["对。", "不对，是五年。"])]
    for back in (excel_import.parse(excel_export.export(qs), "x.xlsx").questions,
                 native.parse(native_export.export(qs, bank="b"), "x.yaml").questions):
        assert [_plain(q) for q in back] == [_plain(q) for q in qs]
