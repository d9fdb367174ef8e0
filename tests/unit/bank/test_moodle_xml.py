"""Moodle XML in and out (issue 15): a file written the way Moodle's own export writes it imports
with every change named; every shipped question survives native → Moodle XML → native; several-blank
fill questions go out as cloze; hostile XML is refused."""
from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from fazhi_exam.bank import importing
from fazhi_exam.bank.exporters import moodle_xml as xml_export
from fazhi_exam.bank.importers import moodle_xml, native
from fazhi_exam.bank.importers.base import FormatError, ParsedQuestion
from fazhi_exam.bank.shipped import shipped_files

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FIELDS = ("type", "stem", "options", "answer", "explanation", "basis", "difficulty", "tags", "grading_points", "title",
          "option_feedback")


def _plain(q) -> tuple:
    return tuple(getattr(q, name) for name in FIELDS)


def test_a_moodle_export_reads_with_each_change_named():
    result = moodle_xml.parse((SAMPLES / "moodle_export.xml").read_bytes(), "m.xml")
    assert result.bank_name == "宪法"
    assert [str(p) for p in result.problems] == ["第 7 题（第 185 行）：不支持的题型：数值题（numerical）"]
    single, multiple, judge, short, essay, cloze = result.questions
    assert (single.type, single.stem, single.options, single.answer) == (
        "single", "中华人民共和国的一切权力属于", ["中国共产党", "人民", "全国人民代表大会"], "B")
    assert single.explanation == "《宪法》第二条第一款。" and single.tags == ["宪法"]
    assert (single.title, single.option_feedback, single.warnings) == ("一切权力属于人民", ["", "正确。", ""], [])
    assert single.where == "第 1 题（第 14 行）"
    assert (multiple.type, multiple.answer) == ("multiple", "AB")
    assert multiple.warnings == ["错误选项的扣分（C -100%）未导入：本系统按考试的多选计分方式评分，选错不倒扣"]
    assert (judge.type, judge.answer, judge.warnings) == ("judge", True, [])  # its name is the stem's beginning
    assert (short.type, short.stem, short.answer) == ("fill", "国家宪法日是每年的哪一天？____", [["12月4日", "十二月四日"]])
    assert short.warnings == ["答案“12月”原为 50% 部分得分，未作为可接受的答案导入（本系统填空题每空全对才得分）"]
    assert (essay.type, essay.answer) == ("essay", "")  # no model answer: the marking queue says 无参考答案
    assert cloze.type == "fill" and cloze.answer == [["五分之一", "1/5"], ["三分之二"]]
    assert cloze.stem.count("____") == 2 and cloze.stem.startswith("宪法的修改，由全国人民代表大会常务委员会或者____以上")
    assert any("“半数”原为 50% 部分得分" in w for w in cloze.warnings)


def test_check_file_detects_moodle_xml(ctx):
    report = importing.check_file("m.xml", (SAMPLES / "moodle_export.xml").read_bytes())
    assert report.format == "moodle_xml" and report.problems  # the numerical question is named, nothing imports


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: p.stem)
def test_every_shipped_question_survives_moodle_xml(path):
    bank = native.parse(path.read_bytes(), path.name)
    data = xml_export.export(bank.questions, bank=bank.bank_name)
    fromstring(data)  # well-formed for any XML reader
    back = moodle_xml.parse(data, path.stem + ".xml")
    assert back.problems == [] and back.bank_name == bank.bank_name
    assert [_plain(q) for q in back.questions] == [_plain(q) for q in bank.questions]
    assert all(q.warnings == [] for q in back.questions)


def test_titles_and_option_feedback_go_out_and_come_back():
    qs = [ParsedQuestion("single", "我国的根本法是？", ["宪法", "民法典"], "A", "第五条。", "《中华人民共和国宪法》第五条", 1,
                         ["干部"], title="根本法", option_feedback=["对，宪法是根本法。", "不对：民法典是基本法律。"]),
          ParsedQuestion("judge", "全国人大每届任期五年。", [], True, "", "《中华人民共和国宪法》第六十条", 1, ["干部"],
                         option_feedback=["对。", "不对，是五年。"])]
    back = moodle_xml.parse(xml_export.export(qs), "x.xml").questions
    assert [(q.title, q.option_feedback) for q in back] == [("根本法", qs[0].option_feedback),
                                                            ("", qs[1].option_feedback)]  # named by its stem


def test_several_blanks_go_out_as_cloze():
    q = ParsedQuestion("fill", "修改宪法须由全国人大常委会或者____以上代表提议，全体代表的____以上多数通过。", [],
                       [["五分之一", "1/5"], ["三分之二"]], "第六十四条。", "《中华人民共和国宪法》第六十四条", 2, ["干部"])
    text = xml_export.export([q]).decode()
    assert '<question type="multianswer">' in text
    assert "{1:SHORTANSWER:%100%五分之一~%100%1\\/5}" in text and "{2:SHORTANSWER:%100%三分之二}" in text


@pytest.mark.parametrize("content, message", [
    (b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', "不允许的 XML 内容"),
    (b"<quiz><question type='essay'>", "不是有效的 XML"),
    (b"<html><body/></html>", "不是 Moodle XML 题库"),
    ("<quiz>中文</quiz>".encode("gb18030"), "不是 UTF-8"),
])
def test_hostile_or_wrong_files_are_refused(content, message):
    with pytest.raises(FormatError, match=message):
        moodle_xml.parse(content, "x.xml")
