"""Question files within the limits of fazhi_exam/limits.py: every limit refuses with its Chinese message
and writes nothing, reading a .docx resolves each paragraph style once, the rewritten joins give what
the old ones gave."""
from __future__ import annotations

import io
import re
import zipfile

import docx
import docx.enum.text
import pytest
import sqlalchemy as sa
from docx.oxml import parse_xml
from docx.styles.styles import Styles
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi_exam import limits
from fazhi_exam.bank import importing
from fazhi_exam.bank.importers import docx_reader
from fazhi_exam.bank.importers import text_layout as lay
from fazhi_exam.bank.importers.base import FormatError
from fazhi_exam.bank.importers.text import parse_docx, parse_txt
from fazhi_exam.errors import ValidationError
from fazhi_exam.extensions import db
from fazhi_exam.models import Bank, Question

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def question_lines(n: int, start: int = 1) -> list[str]:
    lines = ["一、单项选择题"]
    for i in range(start, start + n):
        lines += [f"{i}. 第{i}题的题干（  ）。", "A. 甲  B. 乙", "答案：A", ""]
    return lines


def word(paragraphs: list[str], style: str | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def refused(filename: str, content: bytes) -> str:
    """check_file's one problem for a refused file; nothing was written."""
    report = importing.check_file(filename, content)
    assert not report.ok and not report.questions and len(report.problems) == 1, report.problems
    with pytest.raises(ValidationError):
        importing.import_file(None, filename, content)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bank)) == 0
    return str(report.problems[0])


# --- Word ----------------------------------------------------------------------------------------


def test_paragraphs_over_the_limit_are_counted_before_reading(ctx, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PARAGRAPHS", 100)
    content = word(question_lines(30))  # 121 paragraphs
    assert refused("题库.docx", content) == (
        "文件“题库.docx”有 121 段，超过每个文件 100 段的上限，已拒绝处理（请拆分成几个文件）。")
    # Should the raw count miss them (an unusual namespace prefix), reading still stops at the limit.
    monkeypatch.setattr(docx_reader, "_count_paragraphs", lambda archive, name: 0)
    assert refused("题库.docx", content) == (
        "文件“题库.docx”至少有 101 段，超过每个文件 100 段的上限，已拒绝处理（请拆分成几个文件）。")


def test_a_docx_at_the_paragraph_limit_is_read(ctx, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PARAGRAPHS", 121)
    report = importing.check_file("题库.docx", word(question_lines(30)))
    assert report.ok and len(report.questions) == 30


def test_each_paragraph_style_is_resolved_once(monkeypatch):
    """python-docx's `paragraph.style` searches the styles part on every call (2.5 ms a paragraph in a
    real document); the list labels now ask once per style id: O(styles), not O(paragraphs)."""
    document = docx.Document()
    styles = ["Heading 1", "Quote", "List Paragraph"]
    for i in range(300):
        document.add_paragraph(f"{i % 50 + 1}. 第{i}段", style=styles[i % 3])
    buffer = io.BytesIO()
    document.save(buffer)
    calls = []
    original = Styles.get_by_id
    monkeypatch.setattr(Styles, "get_by_id", lambda self, *args: calls.append(args) or original(self, *args))
    parse_docx(buffer.getvalue(), "题库.docx")
    assert len(calls) <= len(styles) + 1  # each style, and the default for paragraphs that name none


def test_long_paragraph_too_many_characters_and_elements(ctx, monkeypatch):
    long = "很长" * (limits.MAX_LINE_CHARS // 2 + 1)
    assert refused("题库.docx", word(["一、单选题", long])) == (
        "文件“题库.docx”第 2 段有 10,002 个字，超过每行（段）10,000 个字的上限，已拒绝处理（题干、选项和解析应分行写）。")
    monkeypatch.setattr(limits, "MAX_CHARS", 500)
    assert "至少有 5" in refused("题库.docx", word(question_lines(30)))
    document = docx.Document()
    paragraph = document.add_paragraph()
    for _ in range(60):
        paragraph.add_run("字")
    buffer = io.BytesIO()
    document.save(buffer)
    monkeypatch.setattr(limits, "MAX_ELEMENTS_PER_ITEM", 100)
    assert refused("题库.docx", buffer.getvalue()) == "文件“题库.docx”第 1 段结构异常（XML 元素过多），已拒绝处理。"


def test_paragraph_text_is_python_docxs():
    document = docx.Document()
    paragraph = document.add_paragraph("1.\t甲")
    paragraph.add_run().add_break()
    paragraph.add_run("乙").add_tab()
    paragraph._p.append(parse_xml(f'<w:hyperlink {W_NS}><w:r><w:t>链接</w:t><w:noBreakHyphen/></w:r></w:hyperlink>'))
    paragraph._p.append(parse_xml(f'<w:ins {W_NS}><w:r><w:t>修订中的字不算</w:t></w:r></w:ins>'))
    paragraph.add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
    paragraph.add_run("丙")
    assert docx_reader.paragraph_text(paragraph._p) == paragraph.text == "1.\t甲\n乙\t链接-丙"


def test_a_docm_is_not_read_as_word():
    source = zipfile.ZipFile(io.BytesIO(word(["1. 题（A） A.甲 B.乙"])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
            archive.writestr(info, data)
    content = buffer.getvalue()
    with pytest.raises(FormatError, match="无法读取 Word 文件"):
        parse_docx(content, "题库.docx")


# --- plain text, GIFT, Aiken -------------------------------------------------------------------------


def test_text_files_over_the_character_line_and_line_length_limits(ctx, monkeypatch):
    long = "1. " + "长" * limits.MAX_LINE_CHARS
    assert refused("题库.txt", long.encode()) == (
        "文件“题库.txt”第 1 行有 10,003 个字，超过每行（段）10,000 个字的上限，已拒绝处理（题干、选项和解析应分行写）。")
    monkeypatch.setattr(limits, "MAX_LINES", 100)
    content = "\n".join(question_lines(30)).encode()
    assert refused("题库.txt", content) == (
        "文件“题库.txt”有 121 行，超过每个文件 100 行的上限，已拒绝处理（请拆分成几个文件）。")
    gift = "\n\n".join(f"第{i}题 {{=甲 ~乙}}" for i in range(60)).encode()
    assert refused("题库.gift", gift) == (
        "文件“题库.gift”有 119 行，超过每个文件 100 行的上限，已拒绝处理（请拆分成几个文件）。")
    aiken = "\n".join(f"第{i}题\nA. 甲\nB. 乙\nANSWER: A" for i in range(30)).encode()
    assert "有 120 行" in refused("aiken.txt", aiken)
    monkeypatch.setattr(limits, "MAX_CHARS", 500)
    assert refused("题库.txt", "\n".join(question_lines(24)).encode()) == (
        "文件“题库.txt”有 805 个字，超过每个文件 500 个字的上限，已拒绝处理（请拆分成几个文件）。")


@pytest.mark.parametrize(("filename", "content"), [
    ("题库.txt", "\n".join(question_lines(11)).encode()),
    ("题库.txt", "\n".join(f"{i}. 题{i}（A） A.甲 B.乙" for i in range(1, 12)).encode()),
    ("题库.docx", word(question_lines(11))),
    ("题库.gift", "\n\n".join(f"第{i}题 {{=甲 ~乙}}" for i in range(11)).encode()),
    ("aiken.txt", "\n".join(f"第{i}题\nA. 甲\nB. 乙\nANSWER: A" for i in range(11)).encode()),
], ids=["txt", "txt-one-line-questions", "docx", "gift", "aiken"])
def test_questions_over_the_limit_stop_the_reading(ctx, monkeypatch, filename, content):
    monkeypatch.setattr(limits, "MAX_QUESTIONS", 10)
    assert refused(filename, content) == (
        f"文件“{filename}”至少有 11 道题，超过每个文件 10 道题的上限，已拒绝处理（请拆分成几个文件）。")


def test_a_gift_question_cannot_have_more_blanks_than_a_stem_can_hold():
    from fazhi_exam.bank.importers import gift

    result = gift.parse(("题" + "{=甲}" * 600).encode(), "x.gift")
    assert [str(p) for p in result.problems] == ["第 1 题（第 1 行）：答案块超过 500 个（题干最多 2000 字）"]


# --- the rewritten joins give what the old ones gave -----------------------------------------------


def _old_join_wrapped(left: str, right: str) -> str:
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


def _old_join_lines(lines: list[str]) -> str:
    text = ""
    for line in filter(None, lines):
        if text and (text.endswith(lay._PARAGRAPH_ENDS) or lay._POINT_START.match(line)):
            text += "\n" + line
        else:
            text = _old_join_wrapped(text, line)
    return text.strip()


def _old_fill_answers(text: str, blanks: int) -> list[list[str]]:
    """fill_answers as it was for a numbered answer, with its quadratic split."""
    answers = []
    for part in re.split(rf"[;；,，、\s]*{lay._ENUM}", text.strip()):
        variants = [v.strip().rstrip("。.") for v in lay._VARIANT_SPLIT.split(part)]
        if any(variants):
            answers.append([v for v in variants if v])
    return answers


PIECES = st.lists(st.sampled_from(["甲", "a", "B", "1", "。", "：", "1.", "（1）", "①", "A.", "一、", " ", "", "，", "、",
                                   "ab", "\u3000", ";", "\n"]), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=8))
def test_joins_built_once_equal_the_old_repeated_joins(lines):
    assert lay.join_lines(lines) == _old_join_lines(lines)
    old = ""
    for line in lines:
        old = _old_join_wrapped(old, line)
    assert lay.join_wrapped_lines(lines) == old


@settings(max_examples=300, deadline=None)
@given(PIECES)
def test_fill_answers_split_equals_the_old_pattern(text):
    text = "（1）" + text
    assert lay.fill_answers(text, 2) == _old_fill_answers(text, 2)


def test_long_runs_of_spaces_are_cut_before_matching():
    # "一" and 1,000 spaces took the heading pattern 13 s (2,000: 96 s): three optional space runs in a row.
    line = "一" + " " * 1000 + "x"
    assert lay.squeeze_spaces(line) == "一" + " " * 8 + "x"
    assert lay.heading(lay.fold(lay.squeeze_spaces(line))) is None
    assert parse_txt(("一、单选题\n1. 题" + " " * 5000 + "（  ）\nA. 甲" + "\t" * 900 + "B. 乙\n答案：B").encode(),
                     "x.txt").questions[0].options == ["甲", "乙"]
