"""Hostile or random input to the native and Excel importers: a clean FormatError or a result
with named problems, never a crash."""
from __future__ import annotations

import io
import zipfile

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi_exam.bank.importers import excel, native
from fazhi_exam.bank.importers.base import FormatError, ParseResult

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse_or_format_error(parse, content: bytes, name: str) -> None:
    try:
        result = parse(content, name)
    except FormatError as exc:
        assert str(exc)  # a message for the user
    else:
        assert isinstance(result, ParseResult)


@SETTINGS
@given(st.binary(max_size=2000))
def test_native_random_bytes(data):
    _parse_or_format_error(native.parse, data, "x.yaml")
    _parse_or_format_error(native.parse, data, "x.json")


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(["type", "stem", "options", "answer", "difficulty", "tags",
                                                 "basis", "explanation", "grading_points"]), yaml_values),
                max_size=5))
def test_native_random_structures(questions):
    import json

    _parse_or_format_error(native.parse, json.dumps({"bank": "x", "questions": questions}).encode(), "x.json")


@SETTINGS
@given(st.lists(st.lists(st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=15),
                                   st.integers(), st.floats(allow_nan=False)),
                         max_size=14), max_size=8))
def test_excel_random_cells(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "法律依据", "难度", "标签"])
    for row in rows:
        ws.append([c if not isinstance(c, str) else c.replace("=", "＝") for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    _parse_or_format_error(excel.parse, buf.getvalue(), "x.xlsx")


@SETTINGS
@given(st.binary(max_size=3000))
def test_excel_random_bytes_and_broken_zips(data):
    _parse_or_format_error(excel.parse, data, "x.xlsx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", data)
    _parse_or_format_error(excel.parse, buf.getvalue(), "x.xlsx")
