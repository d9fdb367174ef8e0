"""Moodle Aiken files (stem, "A. …" options, "ANSWER: B"; single-choice only) read into ParsedQuestions."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ... import limits
from .base import (
    LETTERS,
    FormatError,
    ParsedQuestion,
    ParseProblem,
    ParseResult,
    check_lines,
    nfkc,
    parse_letters,
    too_many_questions,
)

# Only the marker is matched loosely (full-width "Ａ．", "B）", "C、"); the option text is kept exactly,
# since NFKC would turn the Chinese comma "，" into ",".
OPTION = re.compile(r"([A-ZＡ-Ｚ])[ \t]*([.)．）、])[ \t]*(.*)")
ANSWER = re.compile(r"(?:ANSWER|ＡＮＳＷＥＲ|答案)[ \t]*[:：][ \t]*(.*)", re.I)
# "1. " / "2、" numbering before a stem, which Chinese files often have; "1.5 倍" is not numbering.
NUMBERING = re.compile(r"\d{1,3}[ \t]*(?:[、．)）]|\.(?!\d))[ \t]*")


@dataclass
class _Draft:
    number: int  # question number, 0 for lines that are not a question at all
    line: int
    stem: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    broken: bool = False  # a problem was already reported: skip to the next ANSWER line

    def at(self, line: int) -> str:
        return f"第 {self.number} 题（第 {line} 行）" if self.number else f"第 {line} 行"

    @property
    def where(self) -> str:
        return self.at(self.line)


def _finish(draft: _Draft, value: str, line: int, result: ParseResult) -> None:
    if draft.broken:
        return
    letters = parse_letters(value)
    if letters is None:
        result.problems.append(ParseProblem(draft.at(line), f"ANSWER 后应为一个选项字母，这里是“{value}”"))
        return
    if len(letters) > 1:
        result.problems.append(ParseProblem(draft.where, "Aiken 格式只支持单选题，ANSWER 后只能有一个字母"))
        return
    stem = "\n".join(draft.stem)
    stem = NUMBERING.sub("", stem, count=1) if NUMBERING.match(stem) else stem
    # Too few options or a letter past the last option is left to bank.validation, which words it the same
    # way for every format.
    result.questions.append(ParsedQuestion(type="single", stem=stem, options=draft.options, answer=letters,
                                           where=draft.where))


def parse(content: bytes, filename: str) -> ParseResult:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError("文件不是 UTF-8 编码的 Aiken 文本") from None
    if "\0" in text:
        raise FormatError("文件不是 Aiken 文本（含有二进制内容）")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    check_lines(filename, text, lines)
    result = ParseResult()
    draft: _Draft | None = None
    count = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue  # Moodle skips blank lines; questions end at their ANSWER line
        answer = ANSWER.fullmatch(line)
        option = OPTION.fullmatch(line)
        if option and draft is None and option.group(2) == "、":
            option = None  # "A、B 两村……" opening a question is a stem, not an option without one
        if answer:
            if draft is None:
                result.problems.append(ParseProblem(f"第 {number} 行", "ANSWER 行前面没有题目"))
            elif not draft.options and not draft.broken:
                result.problems.append(ParseProblem(draft.where, "没有选项（选项写成“A. ……”，每行一个）"))
            else:
                _finish(draft, answer.group(1).strip(), number, result)
            draft = None
        elif option:
            if draft is None:
                result.problems.append(ParseProblem(f"第 {number} 行", "选项前面没有题干"))
                draft = _Draft(0, number, broken=True)
            if draft.broken:
                continue
            letter, expected = nfkc(option.group(1)), LETTERS[len(draft.options):][:1]
            if letter != expected:
                message = f"选项字母应为 {expected}，这里是 {letter}" if expected else f"选项最多 {len(LETTERS)} 个"
                result.problems.append(ParseProblem(draft.at(number), message))
                draft.broken = True
                continue
            draft.options.append(option.group(3).strip())
        else:
            if draft is not None and (draft.options or draft.broken):
                # Moodle starts a new question at any line that is neither option nor ANSWER.
                if not draft.broken:
                    result.problems.append(ParseProblem(draft.where, "缺少 ANSWER 行（如“ANSWER: B”）"))
                draft = None
            if draft is None:
                count += 1
                if count > limits.MAX_QUESTIONS:
                    raise too_many_questions(filename, count)
                draft = _Draft(count, number)
            draft.stem.append(line)
    if draft is not None and not draft.broken:
        message = "缺少 ANSWER 行（如“ANSWER: B”）" if draft.options else "只有题干，没有选项和 ANSWER 行"
        result.problems.append(ParseProblem(draft.where, message))
    return result
