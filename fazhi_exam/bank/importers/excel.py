"""The Excel template (DESIGN §7): 题型 | 题干 | 选项A … 选项H | 答案 | 解析 | 法律依据 | 难度 | 标签,
read as real files are: full-width text, answers as "A、C" or 对/错, numbers, extra columns."""
from __future__ import annotations

import re

from ...errors import ValidationError
from ...files import read_table
from .base import (
    LETTERS,
    FormatError,
    ParsedQuestion,
    ParseProblem,
    ParseResult,
    nfkc,
    normalise_blanks,
    parse_fill_answers,
    parse_judge,
    parse_letters,
    parse_option_feedback,
)

COLUMNS = ["题型", "题干"] + [f"选项{c}" for c in LETTERS] + ["答案", "解析", "法律依据", "难度", "标签"]
OPTIONAL_COLUMNS = ("评分要点", "题目名称", "选项反馈")  # read when present (our own exports write them)
HEADER_ALIASES = {"题目": "题干", "试题": "题干", "题目内容": "题干", "正确答案": "答案", "参考答案": "答案",
                  "答案解析": "解析", "依据": "法律依据", "法律法规依据": "法律依据", "类型": "题型",
                  "试题类型": "题型"}
TYPE_WORDS = {
    "single": ["单选", "单选题", "单项选择", "单项选择题", "single"],
    "multiple": ["多选", "多选题", "多项选择", "多项选择题", "不定项", "不定项选择题", "multiple"],
    "judge": ["判断", "判断题", "是非题", "judge"],
    "fill": ["填空", "填空题", "fill"],
    "essay": ["简答", "简答题", "案例分析", "案例分析题", "论述题", "问答题", "essay"],
}
WORD_TO_TYPE = {w: t for t, words in TYPE_WORDS.items() for w in words}
DIFFICULTY_WORDS = {"易": 1, "容易": 1, "较易": 2, "中": 3, "中等": 3, "适中": 3, "一般": 3, "较难": 4,
                    "难": 5, "困难": 5}
SPLIT_TAGS = re.compile(r"[、,，;；\s]+")


def _header_key(text: str) -> str:
    text = nfkc(text)
    return HEADER_ALIASES.get(text, text)


def parse(content: bytes, filename: str) -> ParseResult:
    try:
        table = read_table(filename, content)
    except ValidationError as exc:
        raise FormatError(exc.message) from exc
    columns = {}
    for idx, header in enumerate(table.header):
        key = _header_key(header)
        if (key in COLUMNS or key in OPTIONAL_COLUMNS) and key not in columns:
            columns[key] = idx
    missing = [c for c in ("题型", "题干", "答案") if c not in columns]
    if missing:
        raise FormatError(f"表头缺少“{'、'.join(missing)}”列（模板的列为：{' | '.join(COLUMNS)}）")
    result = ParseResult()
    for number, cells in table.rows:
        def cell(name: str, cells=cells) -> str:
            idx = columns.get(name)
            return cells[idx].strip() if idx is not None and idx < len(cells) else ""

        where = f"第 {number} 行"
        word = nfkc(cell("题型")).strip().lower()
        qtype = WORD_TO_TYPE.get(word)
        if qtype is None:
            result.problems.append(
                ParseProblem(where, f"未知题型“{cell('题型')}”（可选：单选、多选、判断、填空、简答）"))
            continue
        result.questions.append(_question(qtype, cell, where, result))
    return result


def _question(qtype: str, cell, where: str, result: ParseResult) -> ParsedQuestion:
    stem = cell("题干")
    options = [cell(f"选项{c}") for c in LETTERS]
    while options and not options[-1]:
        options.pop()
    raw = cell("答案")
    if qtype in ("single", "multiple"):
        answer = parse_letters(raw)
        if answer is None and raw:
            result.problems.append(ParseProblem(where, f"无法识别答案“{raw}”（应为选项字母，如 A 或 A、C）"))
    elif qtype == "judge":
        answer = parse_judge(raw)
        options = []
        if answer is None and raw:
            result.problems.append(ParseProblem(where, f"无法识别判断题答案“{raw}”（可写 对/错、√/×、正确/错误、T/F）"))
    elif qtype == "fill":
        stem = normalise_blanks(stem)
        answer = parse_fill_answers(raw)
        options = []
    else:
        answer, options = raw, []
    difficulty_text = nfkc(cell("难度")).strip()
    if not difficulty_text:
        difficulty = 3
    elif difficulty_text.isdigit():
        difficulty = int(difficulty_text)
    else:
        difficulty = DIFFICULTY_WORDS.get(difficulty_text, -1)
    return ParsedQuestion(type=qtype, stem=stem, options=options, answer=answer,
                          explanation=cell("解析"), basis=cell("法律依据"), difficulty=difficulty,
                          tags=[t for t in SPLIT_TAGS.split(cell("标签")) if t],
                          grading_points=[p.strip() for p in cell("评分要点").splitlines() if p.strip()], where=where,
                          title=cell("题目名称"),
                          option_feedback=parse_option_feedback(cell("选项反馈"), qtype, len(options)))
