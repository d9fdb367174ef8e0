"""What every importer produces: questions in one common shape, and problems named by place.

A parser reads one file format and knows nothing of the database or of the type rules;
`bank.validation` checks each ParsedQuestion against its type afterwards, and the import
service decides (all or nothing) what is written."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ... import limits

TYPES = ("single", "multiple", "judge", "fill", "essay")
TYPE_LABELS = {"single": "单选题", "multiple": "多选题", "judge": "判断题", "fill": "填空题",
               "essay": "简答题"}
LETTERS = "ABCDEFGH"
BLANK = "____"  # how a blank is written in a fill stem (four underscores)


@dataclass
class ParsedQuestion:
    """One question as read from a file.

    answer: single "B"; multiple "ACD" (sorted letters); judge True/False;
    fill [[variant, ...], ...] one list per blank; essay the model answer text."""

    type: str
    stem: str
    options: list[str] = field(default_factory=list)
    answer: Any = None
    explanation: str = ""
    basis: str = ""
    difficulty: int = 3
    tags: list[str] = field(default_factory=list)
    grading_points: list[str] = field(default_factory=list)
    where: str = ""  # where in the file, for messages: "第 5 行", "第 3 题（第 12 行）"
    title: str = ""  # a name the question is known by (Moodle's question name)
    option_feedback: list[str] = field(default_factory=list)  # per option; 判断: [对, 错]; [] = none
    # What reading it changed or left out (a format's markup, weights, feedback we cannot keep), in
    # Chinese: shown in the preview and the dry run, and confirmed by the trainer before importing.
    warnings: list[str] = field(default_factory=list)


@dataclass
class ParseProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}：{self.message}" if self.where else self.message


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    bank_name: str | None = None  # when the file names its bank (native YAML)
    description: str = ""
    practice_open: bool | None = None  # native YAML `practice: false`; None: the file does not say


class FormatError(Exception):
    """The file as a whole cannot be read in this format (a Chinese message)."""


def nfkc(text: str) -> str:
    """Full-width letters, digits and punctuation to their ordinary forms."""
    return unicodedata.normalize("NFKC", text or "")


def clean_text(text: str) -> str:
    return re.sub(r"[ \t\u3000]+", " ", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


JUDGE_TRUE = {"对", "正确", "√", "✓", "✔", "t", "true", "是", "y", "yes", "1", "a"}
JUDGE_FALSE = {"错", "错误", "×", "✗", "✘", "x", "f", "false", "否", "n", "no", "0", "b"}


def parse_judge(text: str) -> bool | None:
    """对/错/√/×/正确/错误/T/F/TRUE/FALSE → bool; None if it is none of them."""
    value = nfkc(str(text)).strip().lower().rstrip("。.")
    if value in JUDGE_TRUE:
        return True
    if value in JUDGE_FALSE:
        return False
    return None


def parse_letters(text: str) -> str | None:
    """"A、C", "AC", "A,C", "ａｃ", "a c" → "AC"; None when it holds anything else."""
    value = nfkc(str(text)).upper()
    value = re.sub(r"[\s,，、;；/|.。和及]+", "", value)
    if not value or any(ch not in LETTERS for ch in value):
        return None
    return "".join(sorted(set(value)))


BLANK_IN_STEM = re.compile(r"_{2,}|[（(][\s\u3000]*[）)]")


def normalise_blanks(stem: str) -> str:
    """"（   ）", "( )", "___" and "____" all become one BLANK."""
    return BLANK_IN_STEM.sub(BLANK, stem or "")


BLANK_SEPARATORS, VARIANT_SEPARATORS = "；;\n", "/|｜"
ESCAPED = "\\" + BLANK_SEPARATORS + VARIANT_SEPARATORS  # written after a backslash inside an answer


def escape_fill_variant(text: str) -> str:
    """"1/5" → "1\\/5": a separator inside an answer is written after a backslash."""
    return "".join("\\" + ch if ch in ESCAPED else ch for ch in text)


def fill_answers_text(answer: list[list[str]]) -> str:
    """[["五分之一", "1/5"], ["三分之二", "2/3"]] → "五分之一/1\\/5；三分之二/2\\/3" (read back by
    parse_fill_answers)."""
    return "；".join("/".join(escape_fill_variant(v) for v in variants) for variants in answer)


def parse_fill_answers(text: str) -> list[list[str]]:
    """"二/两；五" → [["二", "两"], ["五"]]: blanks split by ；; or new lines, variants by / or |. A
    backslash makes the next separator (or backslash) part of the answer: "1\\/5" is one answer, 1/5;
    a backslash before anything else is kept as written (files written before escaping read as before)."""
    blanks, variants, current = [], [], []
    chars = iter(text or "")
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt in ESCAPED else ch + nxt)
        elif ch in VARIANT_SEPARATORS:
            variants.append("".join(current))
            current = []
        elif ch in BLANK_SEPARATORS:
            variants.append("".join(current))
            blanks.append(variants)
            variants, current = [], []
        else:
            current.append(ch)
    variants.append("".join(current))
    blanks.append(variants)
    return [kept for kept in ([v.strip() for v in part if v.strip()] for part in blanks) if kept]


JUDGE_KEYS = ("对", "错")
FEEDBACK_LINE = re.compile(r"^\s*([A-Ha-h对错])\s*[：:]\s?(.*)$")


def option_feedback_text(qtype: str, feedback: list[str]) -> str:
    """["", "对。"] → "B：对。" (判断: "对：…" / "错：…"); one option per line, its own lines after it."""
    keys = JUDGE_KEYS if qtype == "judge" else LETTERS
    return "\n".join(f"{keys[i]}：{text}" for i, text in enumerate(feedback) if text and i < len(keys))


def parse_option_feedback(text: str, qtype: str, n_options: int) -> list[str]:
    """What option_feedback_text wrote, back into a list (one entry per option; [] when empty)."""
    keys = JUDGE_KEYS if qtype == "judge" else LETTERS[:n_options]
    out, current = ["" for _ in keys], None
    for line in (text or "").splitlines():
        m = FEEDBACK_LINE.match(line)
        if m and m.group(1).upper() in keys:
            current = keys.index(m.group(1).upper())
            out[current] = m.group(2)
        elif current is not None:
            out[current] += "\n" + line
    return out if any(out) else []


def check_lines(filename: str, text: str, lines: list[str]) -> None:
    """A text file's size against the limits, before it is parsed: characters, lines, the longest line."""
    if len(text) > limits.MAX_CHARS:
        raise FormatError(limits.too_many(filename, len(text), "个字", limits.MAX_CHARS))
    if len(lines) > limits.MAX_LINES:
        raise FormatError(limits.too_many(filename, len(lines), "行", limits.MAX_LINES))
    long = next((i for i, line in enumerate(lines, 1) if len(line) > limits.MAX_LINE_CHARS), None)
    if long is not None:
        raise FormatError(limits.line_too_long(filename, f"第 {long} 行", len(lines[long - 1])))


def too_many_questions(filename: str, count: int) -> FormatError:
    """Counted while parsing: the first question over the limit stops it."""
    return FormatError(limits.too_many(filename, count, "道题", limits.MAX_QUESTIONS, at_least=True))
