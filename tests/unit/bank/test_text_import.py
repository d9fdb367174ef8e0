"""Plain-text and Word question banks as trainers paste them: sections, inline answers, problems by number."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi_exam.bank.importers.base import BLANK, TYPES, FormatError, ParseResult
from fazhi_exam.bank.importers.text import parse_docx, parse_txt
from fazhi_exam.bank.importers.text_layout import ListLabels

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def txt(text: str) -> ParseResult:
    return parse_txt(text.encode(), "题库.txt")


def problems(result: ParseResult) -> list[str]:
    return [str(p) for p in result.problems]


# --- the GB18030 sample file --------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> ParseResult:
    content = (SAMPLES / "题库样例.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # it really is what Chinese Notepad saves as "ANSI"
    return parse_txt(content, "题库样例.txt")


def test_sample_reads_every_question_without_problems(sample):
    assert problems(sample) == []
    assert [q.type for q in sample.questions] == (
        ["single"] * 4 + ["multiple"] * 2 + ["judge"] * 4 + ["fill"] * 4 + ["essay"] * 2)
    # Titles and the 说明 line before the first question are not questions.
    assert sample.questions[0].where == "第 1 题（第 7 行）"


def test_sample_questions_pass_the_common_checks(sample):
    from fazhi_exam.bank.validation import question_problems

    assert {q.where: question_problems(q) for q in sample.questions if question_problems(q)} == {}


def test_sample_single_choice(sample):
    first, inline, wrapped, one_line = sample.questions[:4]
    assert first.stem == "村民委员会每届任期（ ）年，届满应当及时举行换届选举。"
    assert first.options == ["三", "四", "五", "六"]  # several options on one line, full-width 　 between
    assert first.answer == "C"
    assert first.explanation == "《村民委员会组织法》第十一条规定，村民委员会每届任期五年。"
    assert first.basis == "《中华人民共和国村民委员会组织法》第十一条"
    assert first.difficulty == 2  # "难度：２" in a full-width digit
    # The answer written in the stem's brackets, full-width Ｂ, is taken out and the blank kept.
    assert inline.answer == "B"
    assert inline.stem.endswith("作出行政行为之日起（  ）个月内提出。")
    assert inline.options == ["三", "六", "九", "十二"]
    assert inline.explanation == "《行政诉讼法》第四十六条第一款。"
    # A stem and an option wrapped by the editor join back; 答案 and 难度 share one line.
    assert wrapped.stem == "根据《民法典》，下列哪一项不属于民事法律行为有效的条件？"
    assert wrapped.options[2] == "不违反法律、行政法规的强制性规定，不违背公序良俗"
    assert (wrapped.answer, wrapped.difficulty) == ("D", 2)
    assert one_line.options == ["应当收取适当费用", "不收取任何费用", "可以收取少量费用", "由当事人协商确定费用"]
    assert one_line.answer == "B"


def test_sample_multiple_choice(sample):
    labelled, inline = sample.questions[4:6]
    assert labelled.answer == "ABC" and len(labelled.options) == 4
    assert labelled.tags == ["人民调解", "调解原则"]
    assert inline.stem == "下列哪些人属于法定继承的第一顺序继承人？（  ）"
    assert inline.options == ["配偶", "子女", "兄弟姐妹", "父母"]
    assert inline.answer == "ABD"


def test_sample_judge(sample):
    judged = sample.questions[6:10]
    assert [q.answer for q in judged] == [True, False, True, False]
    assert judged[0].stem == "村民会议可以撤销或者变更村民委员会不适当的决定。"  # "（√）" removed
    assert judged[1].stem == "夫妻一方婚前的个人财产，婚后自动转为夫妻共同财产。"  # empty "（  ）" removed
    assert judged[3].stem == "醉酒驾驶机动车的，只要没有造成事故，就不构成犯罪。"
    assert all(q.options == [] for q in judged)


def test_sample_fill(sample):
    fills = sample.questions[10:14]
    assert fills[0].stem == f"我国宪法规定，中华人民共和国的一切权力属于{BLANK}。"
    assert fills[0].answer == [["人民"]]
    assert fills[1].stem == f"村民委员会由主任、副主任和委员共{BLANK}至{BLANK}人组成。"
    assert fills[1].answer == [["三"], ["七"]]
    assert BLANK in fills[2].stem and "＿" not in fills[2].stem  # full-width underscores
    assert fills[3].answer == [["人民调解委员会", "调委会"]]


def test_sample_essay_answer_points_do_not_start_questions(sample):
    case, short = sample.questions[14:]
    assert case.stem == ("村民张某与李某因宅基地界址发生纠纷，双方争执不下。\n"
                         "问：（1）该纠纷可以通过哪些途径解决？（2）村委会应当如何处理？")
    assert case.answer.splitlines() == [
        "1. 可以由村民委员会或者人民调解委员会调解；",
        "2. 可以申请乡（镇）人民政府处理；",
        "3. 对处理决定不服的，可以依法向人民法院起诉。",
    ]
    assert case.grading_points == ["调解", "行政处理", "诉讼"]
    assert short.stem == "简述人民调解应当遵循的原则。"
    assert short.where == "第 2 题（第 71 行）"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_sample_in_other_encodings_reads_the_same(sample, encoding):
    text = (SAMPLES / "题库样例.txt").read_bytes().decode("gb18030")
    again = parse_txt(text.encode(encoding), "题库样例.txt")
    assert again == sample


# --- layouts -----------------------------------------------------------------------------------


def test_without_headings_the_type_is_inferred():
    result = txt("""
1. 下列哪一机关有权制定行政法规？
A. 国务院  B. 省人民政府  C. 县人民政府  D. 乡镇人民政府
答案：A
2. 下列哪些属于行政处罚的种类？
A. 警告  B. 罚款  C. 记过  D. 行政拘留
答案：ABD
3. 行政机关可以对未满十四周岁的人给予行政处罚。
答案：×
4. 行政处罚由违法行为发生地的____以上地方人民政府具有行政处罚权的行政部门管辖。
答案：县级
5. 简述行政处罚的种类。
答案：警告、通报批评；罚款、没收违法所得、没收非法财物；暂扣许可证件等。
""")
    assert problems(result) == []
    assert [q.type for q in result.questions] == ["single", "multiple", "judge", "fill", "essay"]
    assert result.questions[2].answer is False
    assert result.questions[3].answer == [["县级"]]


@pytest.mark.parametrize("number", ["1.", "1、", "1．", "１．", "（1）", "(1)", "第1题", "第 1 题：", "1)"])
def test_question_number_styles(number):
    result = txt(f"{number}宪法是国家的根本法。\n答案：正确\n")
    assert problems(result) == []
    (question,) = result.questions
    assert (question.type, question.stem, question.answer) == ("judge", "宪法是国家的根本法。", True)
    assert question.where == "第 1 题（第 1 行）"


@pytest.mark.parametrize("options", [
    "A.甲\nB.乙\nC.丙",
    "A、甲\nB、乙\nC、丙",
    "Ａ．甲\nＢ．乙\nＣ．丙",
    "A:甲  B:乙  C:丙",
    "（A）甲（B）乙（C）丙",
    "A.甲B.乙C.丙",
    "A．甲\tB．乙\tC．丙",
])
def test_option_styles(options):
    result = txt(f"一、单选题\n1. 下列哪一项正确？\n{options}\n答案：B\n")
    assert problems(result) == []
    assert result.questions[0].options == ["甲", "乙", "丙"]


def test_options_on_the_stem_line_and_answer_after_the_last_option():
    result = txt("1. 我国的根本政治制度是（ ）。 A. 人民代表大会制度 B. 多党合作制度   答案：A\n")
    (question,) = result.questions
    assert question.stem == "我国的根本政治制度是（ ）。"
    assert txt("1. 我国的根本政治制度是（ ）答案：A\nA. 人民代表大会制度\nB. 多党合作制度\n").questions[0].answer == "A"
    assert question.options == ["人民代表大会制度", "多党合作制度"]
    assert question.answer == "A"


def test_headings_name_their_types():
    result = txt("""第一部分 不定项选择题（每题2分）
1. 下列属于夫妻共同财产的是（ ）。
A. 工资、奖金  B. 一方的婚前财产
答案：A
二、是非题
1. 结婚应当男女双方完全自愿。
答案：T
【填空题】
1. 完全民事行为能力人的年龄是____周岁。
答案：十八/18
""")
    assert problems(result) == []
    assert [q.type for q in result.questions] == ["multiple", "judge", "fill"]
    assert result.questions[0].answer == "A"  # 不定项 may have a single answer
    assert result.questions[2].answer == [["十八", "18"]]


def test_judge_written_as_two_options_and_a_letter():
    result = txt("三、判断题\n1. 法律面前人人平等。\nA. 正确  B. 错误\n答案：A\n")
    (question,) = result.questions
    assert (question.type, question.answer, question.options) == ("judge", True, [])


def test_fill_answers_per_blank_with_variants():
    result = txt("""四、填空题
1. 《民法典》自____年____月1日起施行。
答案：2021、一或1
2. 居民委员会是居民（　　）、（　　）、（　　）的基层群众性自治组织。
答案：(1)自我管理 (2)自我教育 (3)自我服务
""")
    assert problems(result) == []
    assert result.questions[0].answer == [["2021"], ["一", "1"]]
    assert result.questions[1].stem.count(BLANK) == 3
    assert result.questions[1].answer == [["自我管理"], ["自我教育"], ["自我服务"]]


def test_answer_on_the_line_after_its_label_and_other_fields():
    result = txt("""1. 下列哪一项属于公民的基本义务？
A. 依法纳税
B. 宗教信仰自由
【答案】
A
【解析】宪法第五十六条。
依据：《中华人民共和国宪法》第五十六条
难度：★★☆
题型：单选题
考点：宪法, 基本义务
""")
    assert problems(result) == []
    (question,) = result.questions
    assert (question.type, question.answer, question.difficulty) == ("single", "A", 2)
    assert question.basis == "《中华人民共和国宪法》第五十六条"
    assert question.tags == ["宪法", "基本义务"]


def test_numbering_restarts_after_a_finished_choice_question():
    result = txt("""1. 甲？
A. 是 B. 否
答案：A
1. 乙？
A. 是 B. 否
答案：B
""")
    assert [q.answer for q in result.questions] == ["A", "B"]


def test_essay_with_answer_list_followed_by_next_question_after_blank_line():
    result = txt("""五、简答题
1. 简述村民委员会的职责。
参考答案：
1. 办理本村的公共事务和公益事业；
2. 调解民间纠纷；

2. 简述人民调解的原则。
参考答案：自愿平等、合法、尊重当事人权利。
""")
    assert problems(result) == []
    assert [q.stem for q in result.questions] == ["简述村民委员会的职责。", "简述人民调解的原则。"]
    assert result.questions[0].answer == "1. 办理本村的公共事务和公益事业；\n2. 调解民间纠纷；"


def test_subject_titles_between_questions_keep_the_section_type():
    result = txt("""第一部分 宪法
一、单选题
1. 我国的根本制度是（ A ）。 A. 社会主义制度 B. 人民代表大会制度
解析：宪法第一条第二款。
第二部分 民法典
（一）婚姻家庭
1. 结婚年龄，男不得早于（ ）周岁。
A. 二十二 B. 二十
答案：A
（二）继承
2. 继承从被继承人死亡时开始。
A. 是 B. 否
答案：A
五、简答题
1. 简述民法典规定的离婚冷静期。
参考答案：
一、自婚姻登记机关收到离婚登记申请之日起三十日内，任何一方不愿意离婚的，可以撤回申请
二、期限届满后三十日内，双方应当亲自到婚姻登记机关申请发给离婚证
答题要点：三十日内可撤回；届满后三十日内申请发证
""")
    assert problems(result) == []
    first, marriage, inherit, essay = result.questions
    # The bracketed answer stays out of the options found later on the same line.
    assert (first.stem, first.options, first.answer) == ("我国的根本制度是（  ）。", ["社会主义制度", "人民代表大会制度"], "A")
    assert first.explanation == "宪法第一条第二款。"  # "第二部分 民法典" is a title, not explanation
    assert [marriage.type, inherit.type] == ["single", "single"]
    assert essay.answer.count("\n") == 1 and essay.answer.startswith("一、自婚姻登记机关")
    assert essay.grading_points == ["三十日内可撤回", "届满后三十日内申请发证"]


def test_word_list_numbers_are_rebuilt():
    document = docx.Document()
    headings = _word_list(document, 80, "chineseCounting", "%1、")()
    letters = _word_list(document, 90, "upperLetter", "（%1）")
    for text, num_id in [("单选题", headings), ("甲", letters()), ("乙", None), ("判断题", headings),
                         ("丙", letters())]:
        paragraph = document.add_paragraph(text)
        if num_id:
            _numbered(paragraph, num_id)
    document.add_paragraph("丁", style="List Number")
    saved = docx.Document(io.BytesIO(_docx(document)))
    labels = ListLabels(saved)
    shown = [labels.label(p) + p.text for p in saved.paragraphs]
    assert shown == ["一、 单选题", "（A） 甲", "乙", "二、 判断题", "（A） 丙", "1. 丁"]


# --- problems -----------------------------------------------------------------------------------


def test_problems_name_the_question_and_line():
    result = txt("""一、单选题
1. 有答案的题。
A. 甲 B. 乙
答案：A
2. 没有答案的题。
A. 甲 B. 乙
3. 答案不在选项中。
A. 甲 B. 乙
答案：E
4. 单选却有两个答案。
A. 甲 B. 乙 C. 丙
答案：AC
5. 答案写错了。
A. 甲 B. 乙
答案：甲
三、判断题
1. 判断题答案不对。
答案：也许
四、填空题
1. 两个空____和____只给了一个答案。
答案：甲
""")
    assert len(result.questions) == 1
    assert problems(result) == [
        "第 2 题（第 5 行）：缺少答案（请写“答案：B”，或把答案写在题干括号内）。",
        "第 3 题（第 7 行）：答案中的 E 不在选项中（本题选项为 AB）。",
        "第 4 题（第 10 行）：单选题只能有一个答案，这里是“AC”。",
        "第 5 题（第 13 行）：无法识别答案“甲”，应为选项字母，如“B”或“ACD”。",
        "第 1 题（第 17 行）：判断题答案应为“对”或“错”（√/×），这里是“也许”。",
        "第 1 题（第 20 行）：题干中有 2 个空，答案却有 1 个（多个空的答案用“；”分隔）。",
    ]


def test_option_without_stem_and_stray_lines():
    result = txt("""A. 孤零零的选项
答案：B
1. 正常的题。
A. 甲 B. 乙
答案：A
难度：3
这一行不知道属于哪里
""")
    assert problems(result) == [
        "第 1 行：选项前面没有题干（题干应以题号开头，如“1.”）。",
        "第 2 行：“答案”前面没有题目，无法归属。",
        "第 7 行：无法识别这一行“这一行不知道属于哪里”，它不像题干、选项或“答案：”等内容。",
    ]
    assert len(result.questions) == 1


def test_two_answers_for_one_question():
    result = txt("1. 题？\nA. 甲 B. 乙\n答案：A\n【答案】B\n")
    assert problems(result) == ["第 4 行：第 1 题有两处答案。"]


def test_inline_answer_disagreeing_with_answer_line():
    result = txt("1. 诉讼时效期间为（ A ）年。\nA. 三 B. 二\n答案：B\n")
    assert problems(result) == ["第 1 题（第 1 行）：题干括号中的答案“A”与答案行“B”不一致。"]


def test_options_out_of_order_and_bad_difficulty():
    result = txt("1. 题？\nA. 甲\nC. 丙\n答案：A\n难度：很难\n")
    assert problems(result) == [
        "第 1 题（第 1 行）：选项字母应依次为 A、B、C……，这里是 A、C。",
        "第 1 题（第 1 行）：难度应为 1～5 的数字（或“易”“中”“难”），这里是“很难”。",
    ]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "未在文件"),
    ("只是一段说明文字，没有题目。".encode(), "未在文件"),
    (b"PK\x03\x04rest", "不是纯文本"),
    (b"\x00\x01\x02binary\x00" * 20, "不是纯文本文件"),
    (b"\xff\xfe\xfd\x80\x81", "无法识别文件"),
])
def test_unreadable_text_files(content, message):
    with pytest.raises(FormatError, match=message):
        parse_txt(content, "题库.txt")


# --- Word ---------------------------------------------------------------------------------------


def _word_list(document, abstract_id: int, fmt: str, lvl_text: str) -> callable:
    """A Word list ("A." upperLetter, "一、" chineseCounting); each call gives a numId that restarts
    the count, as Word writes "restart at 1"."""
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {W_NS} w:abstractNumId="{abstract_id}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{lvl_text}"/></w:lvl></w:abstractNum>'))
    ids = iter(range(abstract_id * 10, abstract_id * 10 + 10))

    def restart() -> str:
        num_id = str(next(ids))
        numbering.append(parse_xml(
            f'<w:num {W_NS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/><w:lvlOverride w:ilvl="0">'
            '<w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
        return num_id

    return restart


def _numbered(paragraph, num_id: str) -> None:
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {W_NS}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _docx(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_with_typed_and_automatic_numbers():
    document = docx.Document()
    headings = _word_list(document, 80, "chineseCounting", "%1、")()  # Word shows 一、二、三、
    letters = _word_list(document, 90, "upperLetter", "%1.")
    document.add_heading("法治学习测试题", level=1)
    _numbered(document.add_paragraph("单项选择题"), headings)
    document.add_paragraph("1．依照《中华人民共和国民法典》，八周岁以上的未成年人是（  ）。")
    document.add_paragraph("A．完全民事行为能力人\tB．限制民事行为能力人\tC．无民事行为能力人")
    document.add_paragraph("答案：B")
    document.add_table(rows=1, cols=2).cell(0, 0).text = "2. 表格里的内容不读"
    _numbered(document.add_paragraph("判断题"), headings)
    document.add_paragraph("1．醉酒的人犯罪，应当负刑事责任。（√）")
    second = document.add_paragraph("2．")
    second.add_run("未成年人的父母不得放任未成年人沉迷网络。")
    second.add_run().add_break()  # Shift+Enter inside one paragraph
    second.add_run("答案：对")
    _numbered(document.add_paragraph("多选题"), headings)
    for stem, options, answer in [
        ("下列哪些属于人民调解委员会的任务？", ["调解民间纠纷", "宣传法律法规", "判决离婚"], "AB"),
        ("下列哪些人可以担任人民调解员？", ["公道正派的成年公民", "热心调解工作的村民", "被判处刑罚的人"], "AB"),
    ]:
        document.add_paragraph(stem, style="List Number")  # the template's own "1." / "2." list
        num_id = letters()
        for option in options:
            _numbered(document.add_paragraph(option), num_id)
        document.add_paragraph(f"答案：{answer}")
    result = parse_docx(_docx(document), "题库.docx")
    assert problems(result) == []
    single, judged, mind_number, *listed = result.questions
    assert (single.type, single.answer) == ("single", "B")
    assert single.options == ["完全民事行为能力人", "限制民事行为能力人", "无民事行为能力人"]
    assert single.where == "第 1 题（第 3 段）"
    assert (judged.type, judged.answer, mind_number.answer) == ("judge", True, True)
    assert mind_number.stem == "未成年人的父母不得放任未成年人沉迷网络。"
    assert [q.type for q in listed] == ["multiple", "multiple"]
    assert listed[1].stem == "下列哪些人可以担任人民调解员？"
    assert listed[1].options == ["公道正派的成年公民", "热心调解工作的村民", "被判处刑罚的人"]
    assert listed[1].where.startswith("第 2 题")


def test_docx_problem_names_paragraph():
    document = docx.Document()
    document.add_paragraph("一、单选题")
    document.add_paragraph("")
    document.add_paragraph("1. 没有答案的题？")
    document.add_paragraph("A. 甲  B. 乙")
    result = parse_docx(_docx(document), "题库.docx")
    assert problems(result) == ["第 1 题（第 3 段）：缺少答案（请写“答案：B”，或把答案写在题干括号内）。"]


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(("make", "message"), [
    (lambda: _zip({"word/document.xml": b"<a/>" + b" " * 50_000_000}), "解压后过大"),
    (lambda: _zip({"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aa">]><x>&a;</x>'}), "DOCTYPE"),
    (lambda: b"not a zip at all", "无法解压"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Word"),
    (lambda: _zip({"hello.txt": b"hi"}), "无法读取 Word 文件"),
], ids=["zip-bomb", "entity", "not-zip", "old-doc", "not-word"])
def test_unsafe_or_broken_docx(make, message):
    with pytest.raises(FormatError, match=message):
        parse_docx(make(), "题库.docx")


# --- fuzzing: nothing but FormatError escapes ---------------------------------------------------

FRAGMENTS = ["一、单选题", "二、多项选择题（每题2分）", "三、判断题", "四、填空题", "五、案例分析题", "选择题",
             "1.", "2、", "（3）", "第4题", "1. 题干（ B ）。", "2. 说法正确（√）", "3. ____和（  ）", "A.", "A.甲 B.乙",
             "（A）甲（B）乙", "C、丙", "答案：", "答案：B", "【答案】AC", "答案：对", "答案：二；五/五", "参考答案：",
             "解析：", "【解析】", "法律依据：", "难度：3", "难度：★", "题型：判断", "知识点：a", "评分要点：1.甲；2.乙",
             "---", "", " ", "\t", "（", "）", "_", "√", "×", "A", "１．", "Ａ．", "【", "】", "：", "\u3000"]
line = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12),
                 st.lists(st.sampled_from(FRAGMENTS), max_size=4).map("".join))


def _only_format_error(call, *args) -> ParseResult | None:
    try:
        result = call(*args)
    except FormatError:
        return None
    assert isinstance(result, ParseResult)
    for question in result.questions:
        assert question.type in TYPES and question.stem and question.where
    return result


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fuzz_random_text(text):
    _only_format_error(parse_txt, text.encode("utf-8"), "x.txt")


@settings(max_examples=200, deadline=None)
@given(st.lists(line, max_size=30))
def test_fuzz_question_like_lines(lines):
    result = _only_format_error(parse_txt, "\n".join(lines).encode("gb18030"), "x.txt")
    for question in result.questions if result else []:
        if question.type in ("single", "multiple"):
            assert set(question.answer) <= set("ABCDEFGH"[: len(question.options)])
        if question.type == "fill":
            assert len(question.answer) == question.stem.count(BLANK)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_random_bytes(content):
    _only_format_error(parse_txt, content, "x.txt")
    _only_format_error(parse_docx, content, "x.docx")
    _only_format_error(parse_docx, _zip({"[Content_Types].xml": content, "word/document.xml": content}), "x.docx")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line, max_size=12))
def test_fuzz_docx_paragraphs(lines):
    document = docx.Document()
    for text in lines:
        document.add_paragraph("".join(ch for ch in text if ch.isprintable() or ch in "\t\n"))
    _only_format_error(parse_docx, _docx(document), "x.docx")
