"""Reads .txt and .docx question banks in the usual Chinese layout trainers paste from Word."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ... import limits
from ...errors import ValidationError
from . import docx_reader
from . import text_layout as lay
from .base import (
    BLANK,
    LETTERS,
    FormatError,
    ParsedQuestion,
    ParseProblem,
    ParseResult,
    check_lines,
    parse_judge,
    parse_letters,
    too_many_questions,
)

CHOICE = ("single", "multiple")
TEXT_FIELDS = ("answer", "explanation", "basis", "points")  # fields whose value may run over several lines
NOT_FOUND = ("未在文件“{}”中找到题目。请确认每题以题号开头（如“1.”），选项以“A.”开头，"
             "答案单独一行写作“答案：B”或写在题干括号内。")


def parse_txt(content: bytes, filename: str) -> ParseResult:
    text = _decode(content, filename)
    lines = re.split(r"\r\n|\r|\n", text)
    check_lines(filename, text, lines)
    return _parse(enumerate(lines, 1), filename, "行")


def parse_docx(content: bytes, filename: str) -> ParseResult:
    if content[:4] == b"\xd0\xcf\x11\xe0":
        raise FormatError(f"文件“{filename}”是旧版 Word（.doc）文件，请在 Word 中“另存为” .docx 后再上传。")
    return _parse(_docx_lines(content, filename), filename, "段")


def _decode(content: bytes, filename: str) -> str:
    if content[:4] == b"PK\x03\x04":
        raise FormatError(f"文件“{filename}”是 Word 或 Excel 文件，不是纯文本，请选择对应的导入格式。")
    # Notepad saves "Unicode" as UTF-16 with a BOM, "ANSI" on Chinese Windows as GB18030/GBK.
    encodings = ("utf-16",) if content[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FormatError(f"无法识别文件“{filename}”的编码，请在记事本中“另存为”UTF-8 编码后再上传。")
    text = text.replace("\x0b", " ").replace("\f", " ")  # Word's manual line and page breaks
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise FormatError(f"文件“{filename}”不是纯文本文件。")
    return text


def _docx_lines(content: bytes, filename: str):
    """The lines of each paragraph, read as the parser asks for them (a soft line break, Shift+Enter,
    starts a new line of the same paragraph)."""
    try:
        for number, text in docx_reader.paragraphs(content, filename):
            for part in text.split("\n"):
                if len(part) > limits.MAX_LINE_CHARS:
                    raise FormatError(limits.line_too_long(filename, f"第 {number} 段", len(part)))
                yield number, part
    except FormatError:
        raise
    except ValidationError as exc:
        raise FormatError(exc.message) from exc
    except Exception as exc:  # python-docx, lxml and zipfile raise many types for broken or foreign files
        raise FormatError(f"无法读取 Word 文件“{filename}”：文件已损坏或不是 .docx 格式。") from exc


@dataclass
class _Draft:
    number: int
    style: str
    line: int
    section: str | None
    explicit: str | None = None  # from a "题型：" line
    stem: list[str] = field(default_factory=list)
    options: list[tuple[str, list[str]]] = field(default_factory=list)  # (letter, its lines)
    fields: dict[str, list[str]] = field(default_factory=dict)
    mode: str = "stem"  # where a plain continuation line belongs: stem, option, a TEXT_FIELD, or done
    point_style: str | None = None  # a numbered list inside the stem or answer ("1." "2." of 答题要点)
    point_n: int = 0


class _Reader:
    def __init__(self, unit: str, filename: str):
        self.unit, self.filename, self.count = unit, filename, 0
        self.section: str | None = None
        self.cur: _Draft | None = None
        self.blank_before = False
        self.result = ParseResult()

    def feed(self, number: int, raw: str) -> None:
        raw = lay.squeeze_spaces(raw)
        folded = lay.fold(raw)
        if not lay.has_content(folded):
            self.blank_before = True
            return
        for start, end in lay.segments(folded):
            self._segment(number, raw[start:end], folded[start:end])
        self.blank_before = False

    def _segment(self, number: int, raw: str, folded: str) -> None:
        named = lay.heading(folded)
        if named is not None:
            self.close()
            self.section = None if named == lay.ANY else named
            return
        if labelled := lay.field(folded):
            self._field(number, labelled[0], labelled[1], raw[labelled[2]:])
            return
        cur = self.cur
        if (topic := lay.topic(folded)) and (topic == "strong" or cur is None or self._finished(cur)):
            self.close()  # a subject title: the section's type carries on
            return
        if numbered := lay.numbered(folded):
            style, n, start = numbered
            if self._starts_question(style, n):
                self.close()
                self.cur = _Draft(n, style, number, self.section)
                at = lay.inline_options_at(folded[start:]) if self.section not in ("fill", "essay") else None
                self.cur.stem.append(lay.tidy(raw[start:] if at is None else raw[start:start + at]))
                if at is not None:
                    self._options(raw[start + at:], folded[start + at:])
                return
            if cur is not None:
                cur.point_style, cur.point_n = style, n
        if cur is None:
            if lay.split_options(folded):
                self._problem(number, "选项前面没有题干（题干应以题号开头，如“1.”）。")
            return  # titles and instructions before the first question
        # Options may also follow an answer given early ("……（ ）答案：A" on the stem line).
        answer = cur.fields.get("answer", ())
        early = cur.mode == "answer" and not cur.options and len(answer) <= 8 and parse_letters("".join(answer))
        kind = cur.explicit or cur.section
        if (cur.mode in ("stem", "option") or early) and kind not in ("fill", "essay") and lay.split_options(folded):
            self._options(raw, folded)
        elif cur.mode == "stem":
            cur.stem.append(lay.tidy(raw))
        elif cur.mode == "option":
            cur.options[-1][1].append(lay.tidy(raw))
        elif cur.mode in TEXT_FIELDS:
            cur.fields[cur.mode].append(lay.tidy(raw))
        else:
            self._problem(number, f"无法识别这一行“{lay.tidy(raw)[:30]}”，它不像题干、选项或“答案：”等内容。")

    def _starts_question(self, style: str, n: int) -> bool:
        cur = self.cur
        if cur is None or cur.mode == "done":
            return True
        if style != cur.style:  # "（1）" under a "1." question is a sub-question or an answer point
            return False
        if cur.point_style == style and n == cur.point_n + 1 and not (self.blank_before and n > cur.number):
            return False  # the next point of a list inside the stem or answer
        # A number that does not go up is the first point of a list, unless the question is plainly
        # finished: then the numbering restarted without a heading.
        return n > cur.number or self._finished(cur)

    @staticmethod
    def _finished(cur: _Draft) -> bool:
        """Done, or a choice or judge answer given: nothing but explanation can follow."""
        kind = cur.explicit or cur.section
        return cur.mode == "done" or (
            cur.mode == "answer" and bool(cur.options or kind in ("single", "multiple", "judge")))

    def _field(self, number: int, kind: str, label: str, raw_value: str) -> None:
        value, cur = lay.tidy(raw_value), self.cur
        if kind == "ignore":
            return
        if kind == "type":
            named = lay.type_word(value)
            if named is None:
                self._problem(number, f"无法识别题型“{value}”。")
            elif cur is None:
                self.section = None if named == lay.ANY else named
            else:
                cur.explicit = None if named == lay.ANY else named
            return
        if cur is None:
            self._problem(number, f"“{label}”前面没有题目，无法归属。")
            return
        if kind == "answer" and "answer" in cur.fields:
            if label.endswith("要点"):  # "参考答案：…" then "答题要点：…": the points to grade by
                kind = "points"
            else:
                self._problem(number, f"第 {cur.number} 题有两处答案。")
                return
        cur.fields.setdefault(kind, []).append(value)
        cur.mode = kind if kind in TEXT_FIELDS else "done"
        cur.point_style, cur.point_n = None, 0

    def _options(self, raw: str, folded: str) -> None:
        for letter, start, end in lay.split_options(folded) or ():
            self.cur.options.append((letter, [lay.tidy(raw[start:end])]))
        self.cur.mode = "option"

    def _problem(self, number: int, message: str) -> None:
        self.result.problems.append(ParseProblem(f"第 {number} {self.unit}", message))

    def close(self) -> None:
        if self.cur is not None:
            self.count += 1
            if self.count > limits.MAX_QUESTIONS:
                raise too_many_questions(self.filename, self.count)
            where = f"第 {self.cur.number} 题（第 {self.cur.line} {self.unit}）"
            question, messages = _finish(self.cur, where)
            if question is not None:
                self.result.questions.append(question)
            self.result.problems.extend(ParseProblem(where, m) for m in messages)
            self.cur = None


def _parse(lines, filename: str, unit: str) -> ParseResult:
    reader = _Reader(unit, filename)
    for number, raw in lines:
        reader.feed(number, raw)
    reader.close()
    if not reader.result.questions and not reader.result.problems:
        raise FormatError(NOT_FOUND.format(filename))
    return reader.result


def _joined(lines: list[str] | None) -> str | None:
    return None if lines is None else lay.join_lines(lines)


def _strict_judge(answer: str | None) -> bool | None:
    # Without options a lone "A" or "1" is not a judgement, though parse_judge would accept it.
    if not answer or answer.strip().lower() in {"a", "b", "y", "n", "1", "0"}:
        return None
    return parse_judge(answer)


def _infer(stem: str, options: list, answer: str | None) -> str:
    """No heading named the type: read it from the options and the answer."""
    if options:
        letters = parse_letters(answer) if answer else parse_letters(lay.take_inline_letters(stem)[1] or "")
        return "multiple" if letters and len(letters) > 1 else "single"
    if lay.has_blanks(stem, underscores_only=True):
        return "fill"
    if _strict_judge(answer) is not None or (not answer and lay.take_inline_judge(stem)[1] is not None):
        return "judge"
    return "fill" if lay.has_blanks(stem) else "essay"


def _finish(d: _Draft, where: str) -> tuple[ParsedQuestion | None, list[str]]:
    problems: list[str] = []
    stem = _joined(d.stem) or ""
    answer = _joined(d.fields.get("answer"))
    kind = d.explicit or d.section or _infer(stem, d.options, answer)
    letters = "".join(letter for letter, _ in d.options)
    options = [lay.join_wrapped_lines(lines).strip().rstrip(";；,，") for _, lines in d.options]
    q = ParsedQuestion(type=kind, stem=stem, where=where, explanation=_joined(d.fields.get("explanation")) or "",
                       basis=_joined(d.fields.get("basis")) or "")
    if d.options and letters != LETTERS[: len(letters)]:
        problems.append(f"选项字母应依次为 A、B、C……，这里是 {'、'.join(letters)}。")
    problems += [f"选项 {letter} 没有内容。" for letter, text in zip(letters, options, strict=True) if not text]
    if kind in CHOICE:
        q.options = options
        q.stem, inline = lay.take_inline_letters(stem)
        got = parse_letters(answer) if answer else None
        if not answer and inline:
            got = parse_letters(inline)
        elif inline is None or parse_letters(inline) != got:
            q.stem = stem  # nothing in brackets, or it disagrees with the answer line: keep the stem as written
            if inline is not None and got:
                problems.append(f"题干括号中的答案“{inline}”与答案行“{answer}”不一致。")
        if len(options) < 2:
            problems.append("选择题至少需要两个选项（如“A.…”“B.…”）。")
        if not answer and not inline:
            problems.append("缺少答案（请写“答案：B”，或把答案写在题干括号内）。")
        elif got is None:
            problems.append(f"无法识别答案“{answer or inline}”，应为选项字母，如“B”或“ACD”。")
        elif missing := [c for c in got if c not in letters]:
            problems.append(f"答案中的 {'、'.join(missing)} 不在选项中（本题选项为 {letters or '无'}）。")
        elif kind == "single" and len(got) > 1:
            problems.append(f"单选题只能有一个答案，这里是“{got}”。")
        q.answer = got
    elif kind == "judge":
        q.stem, inline = lay.take_inline_judge(stem)
        value = inline if not answer else None
        if answer and d.options and (got := parse_letters(answer)) and len(got) == 1 and got in letters:
            value = parse_judge(options[letters.index(got)])  # "A.正确 B.错误" with "答案：A"
        elif answer:
            value = parse_judge(answer)
            if inline is None or inline != value:
                q.stem = stem
        q.stem = lay.strip_trailing_blank(q.stem)
        if not answer and inline is None:
            problems.append("缺少答案（请写“答案：对”或“答案：错”，或在题干末尾写“（√）”“（×）”）。")
        elif value is None:
            problems.append(f"判断题答案应为“对”或“错”（√/×），这里是“{answer}”。")
        q.answer = value
    elif kind == "fill":
        q.stem = lay.mark_blanks(stem)
        blanks = q.stem.count(BLANK)
        q.answer = lay.fill_answers(answer or "", blanks)
        if not blanks:
            problems.append("填空题的题干中没有找到空（请用“____”或“（  ）”标出）。")
        elif not answer:
            problems.append("缺少答案（请写“答案：…”，多个空用“；”分隔）。")
        elif len(q.answer) != blanks:
            problems.append(f"题干中有 {blanks} 个空，答案却有 {len(q.answer)} 个（多个空的答案用“；”分隔）。")
    else:
        q.answer = answer or ""
        q.grading_points = lay.split_points(_joined(d.fields.get("points")) or "")
        if not answer:
            problems.append("缺少参考答案（请写“参考答案：…”）。")
    if kind not in CHOICE and d.options and not (kind == "judge" and len(d.options) == 2):
        problems.append(f"{'填空题' if kind == 'fill' else '该题型'}不应有选项；如果是选择题，请检查题型标题。")
    if not q.stem:
        problems.append("题干为空。")
    for value in d.fields.get("difficulty", []):
        level = lay.difficulty(value)
        if level is None:
            problems.append(f"难度应为 1～5 的数字（或“易”“中”“难”），这里是“{value}”。")
        else:
            q.difficulty = level
    q.tags = [tag for value in d.fields.get("tags", []) for tag in lay.split_list(value)]
    return (None if problems else q), problems
