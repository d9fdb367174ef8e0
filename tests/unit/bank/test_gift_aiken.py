"""GIFT and Aiken import and GIFT export: hand-written sample files, problems named by place,
lossless round trips for every type, and fuzzing that nothing but FormatError ever escapes."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi_exam.bank.exporters.gift import export, left_out, skipped
from fazhi_exam.bank.importers import aiken, gift
from fazhi_exam.bank.importers.base import BLANK, TYPES, FormatError, ParsedQuestion, ParseResult
from fazhi_exam.bank.validation import question_problems

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FUZZ = settings(max_examples=200, deadline=None)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def gift_text(text: str) -> ParseResult:
    return gift.parse(text.encode("utf-8"), "t.gift")


def bare(q: ParsedQuestion) -> ParsedQuestion:
    return dataclasses.replace(q, where="", warnings=[])


# ---------------------------------------------------------------- GIFT: a Moodle export


def test_moodle_export_reads_every_kind():
    result = gift.parse(sample("moodle_export.gift"), "moodle_export.gift")
    assert result.problems == []
    assert result.bank_name == "宪法"  # the one $CATEGORY's last segment
    qs = result.questions
    assert [q.type for q in qs] == ["single", "multiple", "multiple", "judge", "judge", "judge", "fill", "fill",
                                    "single", "single", "essay"]
    assert all(question_problems(q) == [] for q in qs)

    missing_word, duties, arrest, term, amend, rights, day, rule, organ, oath, essay = qs
    # [html] with escaped "=" and ":" in attributes; the answer block mid-sentence leaves a blank
    assert missing_word.stem == f"中华人民共和国的一切权力属于{BLANK}。"
    assert missing_word.options == ["中国共产党", "人民", "全国人民代表大会", "国务院"]
    assert missing_word.answer == "B"
    assert missing_word.explanation == "《宪法》第二条第一款：中华人民共和国的一切权力属于人民。"
    assert missing_word.tags == ["宪法", "国家权力"]  # Moodle's "// [tag:…]" comments
    assert missing_word.where == "第 1 题（第 7 行）"
    # weights: positive ones are the right answers, per-answer feedback is dropped
    assert duties.answer == "ABC" and duties.options[3] == "参加宗教活动"
    assert duties.explanation == "参见《宪法》第五十二条至第五十六条。"
    assert arrest.answer == "AB" and arrest.options[2] == "公安机关"
    assert (term.answer, amend.answer, rights.answer) == (True, False, True)
    assert amend.explanation.startswith("《宪法》第六十四条") and "#" not in amend.explanation
    assert rights.stem == "国家尊重和保障人权。"  # [plain] stripped
    # Moodle's own "_____" is the blank; the 50% answer is not an acceptable variant
    assert day.stem == f"国家宪法日是每年的{BLANK}。" and day.answer == [["12月4日", "十二月四日"]]
    assert rule.stem == f"中华人民共和国实行{BLANK}，建设社会主义法治国家。" and rule.answer == [["依法治国"]]
    assert organ.stem == "全国人民代表大会的常设机关是（\u3000）。\n（《宪法》第五十七条）"  # "\n" escape
    assert oath.stem == "根据《宪法》第二十七条，国家工作人员{就职时}应当依照法律规定公开进行（\u3000）。"
    assert oath.options == ["宪法宣誓", "入职体检", "财产申报 ~ 公示", "述职 = 考核"]
    assert oath.explanation == "话题：#宪法宣誓#"
    assert essay.answer.startswith("《宪法》第二十七条第三款规定") and "\n各级人民代表大会" in essay.answer
    assert essay.explanation == "" and essay.tags == ["宪法宣誓"]
    assert all(q.difficulty == 3 and q.basis == "" for q in qs)  # no fazhi comment: defaults


def test_bom_and_windows_line_ends_read_the_same():
    plain = gift.parse(sample("moodle_export.gift"), "a.gift")
    windows = gift.parse(b"\xef\xbb\xbf" + sample("moodle_export.gift").replace(b"\n", b"\r\n"), "a.gift")
    assert windows.questions == plain.questions and windows.bank_name == "宪法"


@pytest.mark.parametrize("parse", [gift.parse, aiken.parse])
def test_not_utf8_is_a_format_error(parse):
    with pytest.raises(FormatError, match="UTF-8"):
        parse("根据《宪法》{T}".encode("gbk"), "gbk.txt")


def test_problems_name_question_and_line():
    result = gift.parse(sample("gift_problems.gift"), "gift_problems.gift")
    assert [str(p) for p in result.problems] == [
        "第 1 题（第 3 行）：不支持的 GIFT 题型：配对题",
        "第 2 题（第 8 行）：不支持的 GIFT 题型：数值题",
        "第 3 题（第 10 行）：答案块缺少结尾的“}”（答案块内不能有空行）",
        "第 4 题（第 12 行）：没有答案块 {…}（只有文字的说明段不能作为试题导入）",
        "第 5 题（第 14 行）：有多个“=”答案：Moodle 把它读作单选题、这几个选项都得满分；本系统的单选题只有一个正确答案。"
        "请只留一个 =；若是多选题，请用 ~%50% 这样的权重标出各正确选项",
        "第 6 题（第 16 行）：没有正确答案（用 = 标出正确选项，多选题用 ~%50% 这样的正权重）",
    ]
    assert [q.stem for q in result.questions] == ["全国人民代表大会每届任期五年。"]
    assert result.questions[0].where == "第 7 题（第 18 行）"


@pytest.mark.parametrize("text, message", [
    ("宪法{=人民 多了右括号}}", "多了一个“}”"),
    ("宪法{=人民 {=又一个}", "答案块里又出现了“{”"),
    ("宪法是{=根本法 ~普通法}，也是{=总章程}", "一道题只能有一个答案块"),
    ("国家宪法日是{=%50%12月}", "填空题没有得满分的答案"),
    ("只有一个选项{~%100%甲}", "至少要有两个选项"),
    ("选项太多{=1 ~2 ~3 ~4 ~5 ~6 ~7 ~8 ~9}", "选项最多 8 个"),
    ('// fazhi: {"difficulty": "难"}\n题{T}', "难度应为整数"),
    ("// fazhi: {not json\n题{T}", "不是有效的 JSON"),
    ('// fazhi: ["a"]\n题{T}', "应为 JSON 对象"),
    ('// fazhi: {"tags": "宪法"}\n题{T}', "tags 应为文字列表"),
])
def test_malformed_questions_are_problems(text, message):
    result = gift_text(text)
    assert result.questions == [] and len(result.problems) == 1
    line = text.count("\n") + 1  # the question's own line, after any comment line
    assert result.problems[0].where == f"第 1 题（第 {line} 行）" and message in result.problems[0].message


def test_essays_take_general_feedback_as_answer():
    empty, fed = gift_text("简述宪法的地位。{}\n\n简述宪法的地位。{####宪法是国家的根本法。}").questions
    assert (empty.type, empty.answer) == ("essay", "")  # Moodle essays carry no model answer: it is optional
    assert question_problems(empty) == []
    assert (fed.type, fed.answer, fed.explanation) == ("essay", "宪法是国家的根本法。", "")


def test_short_answer_at_the_end_gets_a_blank_and_several_blocks_are_several_blanks():
    end, two = gift_text("谁是最高国家权力机关？{=全国人民代表大会 =全国人大}\n\n"
                         "宪法是国家的{=根本法}，具有最高的{=法律效力 =效力}。").questions
    assert end.stem == f"谁是最高国家权力机关？{BLANK}" and end.answer == [["全国人民代表大会", "全国人大"]]
    assert two.stem == f"宪法是国家的{BLANK}，具有最高的{BLANK}。"
    assert two.answer == [["根本法"], ["法律效力", "效力"]]


def test_categories_titles_and_comments():
    result = gift_text("$CATEGORY: $course$/top/甲\n\n::t::A{T}\n\n$CATEGORY: $course$/top/乙\n\nB{F}")
    assert result.bank_name is None  # two categories: the file names no single bank
    assert [q.stem for q in result.questions] == ["A", "B"]
    assert gift_text("$CATEGORY: $course$/top/法治//普法\n\n题{T}").bank_name == "法治/普法"
    assert gift_text("$CATEGORY: $course$/top\n\n题{T}").bank_name is None
    only_title = gift_text("// 注释\n::宪法是根本法::{TRUE}").questions[0]
    assert only_title.stem == "宪法是根本法"  # no text but a title: the title is the question


# ---------------------------------------------------------------- Aiken


def test_aiken_sample():
    result = aiken.parse(sample("sample.aiken.txt"), "sample.aiken.txt")
    assert result.problems == []
    assert [q.answer for q in result.questions] == ["A", "B", "C", "D", "B"]
    assert all(q.type == "single" and len(q.options) == 4 and question_problems(q) == [] for q in result.questions)
    first, _, third, day, numbered = result.questions
    assert first.stem == "根据《宪法》，中华人民共和国的根本制度是（\u3000）。" and first.options[0] == "社会主义制度"
    assert "，" in third.stem  # the marker is read loosely, the Chinese text is kept as written
    assert day.options == ["3月15日", "10月1日", "12月1日", "12月4日"]  # full-width "Ａ．" markers, "ANSWER："
    assert numbered.stem.startswith("根据《宪法》第三十四条") and numbered.where == "第 5 题（第 29 行）"


def test_aiken_problems():
    text = ("宪法是国家的（　）。\nA. 根本法\nB. 普通法\nANSWER: AB\n\n"  # several letters
            "第二题\nA. 甲\nC. 乙\nANSWER: A\n\n"  # letters out of order
            "第三题\nA. 甲\nB. 乙\n第四题\nA. 甲\nB. 乙\nANSWER: 甲\n\n"  # missing ANSWER, then a bad one
            "A. 没有题干\nANSWER: A\n\nANSWER: B\n\n没有选项\nANSWER: A\n\n最后一题\nA. 甲")
    result = aiken.parse(text.encode(), "a.txt")
    assert [str(p) for p in result.problems] == [
        "第 1 题（第 1 行）：Aiken 格式只支持单选题，ANSWER 后只能有一个字母",
        "第 2 题（第 8 行）：选项字母应为 B，这里是 C",
        "第 3 题（第 11 行）：缺少 ANSWER 行（如“ANSWER: B”）",
        "第 4 题（第 17 行）：ANSWER 后应为一个选项字母，这里是“甲”",
        "第 19 行：选项前面没有题干",
        "第 22 行：ANSWER 行前面没有题目",
        "第 5 题（第 24 行）：没有选项（选项写成“A. ……”，每行一个）",
        "第 6 题（第 27 行）：缺少 ANSWER 行（如“ANSWER: B”）",
    ]
    assert result.questions == []
    two_villages = aiken.parse("A、B 两村因土地权属发生争议，应当（　）。\nA、协商解决\nB、直接起诉\nANSWER: A".encode(),
                               "a.txt").questions[0]
    assert two_villages.stem.startswith("A、B 两村") and two_villages.options == ["协商解决", "直接起诉"]
    late = aiken.parse("题\nA. 甲\nB. 乙\nANSWER: D".encode(), "a.txt").questions[0]
    assert question_problems(late) == ["答案“D”不在选项 A–B 中"]  # letter range: left to validation


# ---------------------------------------------------------------- round trips


TRICKY = "全角：冒号、\\反斜杠\\n、{花括号} = ~ # :: %50% -> //注释 [html] $CATEGORY:"
ROUND_TRIP = [
    ParsedQuestion("single", "根据《宪法》，中华人民共和国的根本制度是（　）。",
                   ["社会主义制度", "人民代表大会制度", "%5%[html]民族区域自治制度", "//基层群众自治制度"], "A",
                   explanation="《宪法》第一条第二款。\n" + TRICKY, basis="《宪法》第一条", difficulty=2,
                   tags=["宪法", "根本制度", "a]b"]),
    ParsedQuestion("multiple", f"// {TRICKY}\n下列属于公民基本义务的有（　）。",
                   ["依照法律纳税", "维护国家统一和全国各民族团结", "依照法律服兵役", "参加宗教活动", TRICKY],
                   "ABC", explanation="", basis="《宪法》第五十二条、第五十五条、第五十六条", difficulty=4),
    ParsedQuestion("multiple", "二选二", ["甲", "乙"], "AB"),
    ParsedQuestion("judge", "全国人民代表大会每届任期五年。", answer=True, explanation="《宪法》第六十条。"),
    ParsedQuestion("judge", f"[html]{TRICKY}", answer=False),
    ParsedQuestion("fill", f"中华人民共和国的一切权力属于{BLANK}。", answer=[["人民"]], tags=["宪法"]),
    ParsedQuestion("fill", f"{BLANK}是国家的根本法，具有最高的{BLANK}", answer=[["宪法", "中华人民共和国宪法"],
                                                                   ["法律效力", "%100%效力"]],
                   explanation="宪法序言最后一段。"),
    ParsedQuestion("fill", f"{TRICKY} {BLANK} 。", answer=[["[moodle]x", "T", "a=b ~c #d"]]),
    ParsedQuestion("essay", "简述宪法宣誓制度。", answer="国家工作人员就职时应当依照法律规定公开进行宪法宣誓。\n" + TRICKY,
                   explanation="见《宪法》第二十七条第三款。", grading_points=["说出法律依据", "说出适用对象"],
                   difficulty=5),
    ParsedQuestion("essay", "没有参考答案的简答题", answer=""),
]


@pytest.mark.parametrize("q", ROUND_TRIP, ids=lambda q: q.type)
def test_round_trip_each_type(q):
    result = gift.parse(export([q]), "x.gift")
    assert result.problems == [] and [bare(p) for p in result.questions] == ([q] if left_out(q) is None else [])


def test_round_trip_whole_bank_and_the_sample():
    data = export(ROUND_TRIP, bank="宪法/基础")
    result = gift.parse(data, "x.gift")
    kept = [q for q in ROUND_TRIP if left_out(q) is None]  # several blanks: left out, listed (Moodle XML)
    assert [bare(q) for q in result.questions] == kept and result.bank_name == "宪法/基础"
    moodle = gift.parse(sample("moodle_export.gift"), "m.gift").questions
    again = gift.parse(export(moodle), "again.gift").questions
    assert [bare(q) for q in again] == [bare(q) for q in moodle]


def test_export_is_what_moodle_expects():
    text = export(ROUND_TRIP[:3]).decode()
    assert "\t=社会主义制度\n\t~人民代表大会制度\n\t~%0%%5%[html]民族区域自治制度\n\t~[moodle]//基层群众自治制度" in text
    assert "\t~%33.33333%依照法律纳税" in text and "\t~%-50%参加宗教活动" in text
    assert "\t~%50%甲\n\t~%50%乙" in text
    assert "// [tag:宪法] [tag:根本制度]\n" in text  # Moodle's tag comments; "a]b" cannot be written there
    assert '// fazhi: {"basis": "《宪法》第一条", "difficulty": 2, "tags": ["宪法", "根本制度", "a]b"]' in text


# ---------------------------------------------------------------- property tests

ALPHABET = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r")
PIECES = st.sampled_from(["~", "=", "#", "{", "}", ":", "\\", "%", "[", "]", "/", "_", "\n", " ", "//", "[html]",
                          "%50%", "####", "::", "\\n", "T", "宪法", "法律", BLANK])
text = st.lists(st.one_of(st.text(ALPHABET, max_size=4), PIECES), max_size=6).map("".join).map(str.strip)
variant = text.filter(lambda v: v and "->" not in v)  # "=a -> b" is how GIFT writes a matching question
meta = {"explanation": text, "basis": text, "difficulty": st.integers(1, 5), "tags": st.lists(text, max_size=3),
        "grading_points": st.lists(text, max_size=3)}


@st.composite
def questions(draw) -> ParsedQuestion:
    kind = draw(st.sampled_from(TYPES))
    q = ParsedQuestion(kind, draw(text), **{k: draw(v) for k, v in meta.items()})
    if kind in ("single", "multiple"):
        q.options = draw(st.lists(text, min_size=2, max_size=8))
        letters = "ABCDEFGH"[:len(q.options)]
        size = 1 if kind == "single" else draw(st.integers(2, len(letters)))
        q.answer = "".join(sorted(draw(st.lists(st.sampled_from(letters), min_size=size, max_size=size,
                                                unique=True))))
    elif kind == "judge":
        q.answer = draw(st.booleans())
    elif kind == "fill":
        if BLANK not in q.stem:
            q.stem += BLANK
        q.answer = [draw(st.lists(variant, min_size=1, max_size=3)) for _ in range(q.stem.count(BLANK))]
    else:
        q.answer = draw(text)
    return q


@FUZZ
@given(st.lists(questions(), min_size=1, max_size=4), st.one_of(st.none(), text))
def test_round_trip_property(qs, bank_name):
    result = gift.parse(export(qs, bank=bank_name), "x.gift")
    assert result.problems == []
    assert [bare(q) for q in result.questions] == [q for q in qs if left_out(q) is None]


def _never_raises_but_format_error(parse, data: bytes) -> None:
    try:
        result = parse(data, "fuzz.txt")
    except FormatError as exc:
        assert str(exc)
        return
    assert isinstance(result, ParseResult)
    for q in result.questions:
        assert q.type in TYPES and isinstance(q.stem, str) and q.where
    assert all(p.message for p in result.problems)


@FUZZ
@given(st.binary(max_size=400))
def test_bytes_fuzz(data):
    _never_raises_but_format_error(gift.parse, data)
    _never_raises_but_format_error(aiken.parse, data)


GIFT_BITS = st.sampled_from(["{", "}", "=", "~", "#", "####", "%", "%50%", "%-100%", "->", "::", "\\", "\\n", "\n",
                             "\n\n", "//", "// fazhi: ", '{"tags": [1]}', "[html]", "<p>", "&amp;", "$CATEGORY: ",
                             "T", "FALSE", "_____", " ", "宪法", "A. ", "B) ", "ANSWER: ", "答案：", "Ａ．"])


@FUZZ
@given(st.lists(st.one_of(GIFT_BITS, st.text(ALPHABET, max_size=3)), max_size=40).map("".join))
def test_text_fuzz(source):
    for parse in (gift.parse, aiken.parse):
        result = parse(source.encode("utf-8"), "fuzz.txt")  # valid UTF-8 text is never a FormatError
        assert isinstance(result, ParseResult)
        for q in result.questions:
            assert q.type in TYPES and isinstance(q.stem, str) and q.where


def test_shipped_banks_round_trip():
    """Every question we ship survives GIFT export and import unchanged, bank name included."""
    from fazhi_exam.bank.importers import native
    from fazhi_exam.bank.shipped import shipped_files

    files = shipped_files()
    assert files
    for path in files:
        bank = native.parse(path.read_bytes(), path.name)
        data = export(bank.questions, bank=bank.bank_name)
        back = gift.parse(data, path.stem + ".gift")
        assert back.problems == [] and back.bank_name == bank.bank_name
        kept = [q for q in bank.questions if left_out(q) is None]
        assert [bare(q) for q in back.questions] == [bare(q) for q in kept], path.name
        for line in skipped(bank.questions):  # each question left out is named in the file, with why
            assert f"//   {line}" in data.decode()


def test_an_independent_gift_parser_reads_every_exported_bank_alike():
    """pygiftparser (PyPI, written apart from us and from Moodle) finds in each exported bank the same
    number of questions, of the same kinds, as were written (several-blank fills are left out)."""
    import io
    import logging
    from collections import Counter

    from pygiftparser import parser as other

    from fazhi_exam.bank.importers import native
    from fazhi_exam.bank.shipped import shipped_files

    logging.getLogger("pygiftparser").setLevel(logging.ERROR)  # it reports every untitled question
    kinds = {"SelectSet": "single", "MultipleChoicesSet": "multiple", "TrueFalseSet": "judge", "ShortSet": "fill",
             "Essay": "essay"}
    for path in shipped_files():
        bank = native.parse(path.read_bytes(), path.name)
        read = other.parseFile(io.StringIO(export(bank.questions, bank=bank.bank_name).decode()))
        assert all(q.valid for q in read), path.name
        written = Counter(q.type for q in bank.questions if left_out(q) is None)
        assert Counter(kinds.get(type(q.answers).__name__, type(q.answers).__name__) for q in read) == written, path.name
