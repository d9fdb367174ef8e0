"""Moodle GIFT files (docs.moodle.org/en/GIFT_format) read into ParsedQuestions."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ... import limits
from ..types import MAX_STEM
from .base import (
    BLANK,
    LETTERS,
    FormatError,
    ParsedQuestion,
    ParseProblem,
    ParseResult,
    check_lines,
    too_many_questions,
)
from .markup import html_to_text, markdown_to_text, note, noting, own_title, plain, short

FORMATS = ("html", "moodle", "markdown", "plain")
ESCAPABLE = "~=#{}:\\"
# Moodle's own answer-weight pattern (qformat_gift): "%50%", "%-33.33333%", "%100%".
WEIGHT = re.compile(r"%(-*[0-9]{1,2}\.?[0-9]*)%")
META = "fazhi:"  # "// fazhi: {json}" — what our exporter adds so basis, difficulty and tags survive
TAG = re.compile(r"\[tag:((?:\\\]|[^\]])+)\]")  # Moodle writes question tags as "// [tag:...]" comments
MAX_BLANKS = MAX_STEM // len(BLANK)
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class _Bad(Exception):
    """One question cannot be read; the message becomes a ParseProblem."""


BadQuestion = _Bad  # for the other importers that share choice_key


@dataclass
class _Block:
    lines: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # each line's number in the file
    comments: list[str] = field(default_factory=list)
    where: str = ""


def _unescaped(text: str, pattern: str) -> list[re.Match]:
    """Matches of `pattern` not preceded by an escaping backslash (a backslash escapes the next character)."""
    return [m for m in re.finditer(r"\\.|" + pattern, text, re.S) if not m.group().startswith("\\")]


def _unescape(text: str) -> str:
    def repl(m: re.Match) -> str:
        ch = m.group(1)
        return "\n" if ch == "n" else ch if ch in ESCAPABLE else m.group()
    return re.sub(r"\\(.)", repl, text, flags=re.S)


def _split_format(raw: str, default: str) -> tuple[str, str]:
    """A leading "[html]" / "[moodle]" / "[markdown]" / "[plain]" marker, as Moodle reads it."""
    raw = raw.lstrip()  # not rstrip: "……是 {=答案}" keeps the space before its blank
    m = re.match(r"\[(\w+)\]", raw)
    if m and m.group(1) in FORMATS:
        return m.group(1), raw[m.end():]
    return default, raw


def _text(raw: str, fmt: str) -> str:
    fmt, raw = _split_format(raw, fmt)
    text = _unescape(raw)
    if fmt == "html":
        text = html_to_text(text)
    elif fmt == "markdown":
        text = markdown_to_text(text)
    return text.strip()


def _blocks(lines: list[str]):
    """Questions are separated by blank lines; comment lines are kept aside for the fazhi/tag metadata."""
    block, pending = _Block(), []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("//"):
            block.comments.append(line[2:].strip())
        elif line:
            block.lines.append(line)
            block.numbers.append(number)
        elif block.lines:
            block.comments[:0] = pending
            yield block
            block, pending = _Block(), []
        else:  # comments alone before a blank line belong to the next question
            pending += block.comments
            block = _Block()
    if block.lines:
        block.comments[:0] = pending
        yield block


def _meta(comments: list[str]) -> dict | None:
    for comment in reversed(comments):
        if comment.startswith(META):
            try:
                data = json.loads(comment[len(META):])
            except (ValueError, RecursionError) as exc:
                raise _Bad("“// fazhi:”注释不是有效的 JSON") from exc
            if not isinstance(data, dict):
                raise _Bad("“// fazhi:”注释应为 JSON 对象")
            return data
    return None


def _answers(raw: str, fmt: str) -> tuple[str, object, str]:
    """One answer block → (kind, data, general feedback), testing in Moodle's own order."""
    hashes = _unescaped(raw, "####")
    feedback = _text(raw[hashes[-1].end():], fmt) if hashes else ""
    body = (raw[:hashes[-1].start()] if hashes else raw).strip()
    if not body:
        return "essay", None, feedback
    if body.startswith("#"):
        raise _Bad("不支持的 GIFT 题型：数值题")
    if _unescaped(body, "~"):
        return "choice", _options(body, fmt), feedback
    if _unescaped(body, "=") and "->" in body:
        raise _Bad("不支持的 GIFT 题型：配对题")
    cuts = _unescaped(body, "#")
    head = _unescape(body[:cuts[0].start()] if cuts else body).strip().upper()
    if head in TRUE_FALSE:  # {T#feedback when answered wrong#feedback when answered right}, as Moodle reads it
        value = TRUE_FALSE[head]
        ends = [c.start() for c in cuts[1:]] + [len(body)] if cuts else []
        wrong, right = ([_text(body[c.end():e], fmt) for c, e in zip(cuts, ends, strict=True)] + ["", ""])[:2]
        return "judge", (value, [right, wrong] if value else [wrong, right]), feedback
    return "fill", _variants(body, fmt), feedback


def _split_feedback(part: str, fmt: str) -> tuple[str, str]:
    """An option's text (still escaped) and its own "#feedback" as text."""
    cut = _unescaped(part, "#")
    return (part[:cut[0].start()], _text(part[cut[0].end():], fmt)) if cut else (part, "")


def _drop_feedback(part: str) -> str:
    """A fill answer's own "#feedback": not kept (a blank has no place for it), and said so."""
    cut = _unescaped(part, "#")
    if cut:
        answer, feedback = (plain(_unescape(x)) for x in (part[:cut[0].start()], part[cut[0].end():]))
        if feedback:
            note(f"答案“{short(answer)}”的反馈“{short(feedback)}”未导入（填空题的答案不带反馈，只保留整题的解析）")
        return part[:cut[0].start()]
    return part


def _pieces(body: str, marks: str) -> list[tuple[str, str]]:
    """(mark, text) for each answer; text before the first mark counts as an answer, as in Moodle."""
    found = _unescaped(body, marks)
    ends = [m.start() for m in found] + [len(body)]
    lead = body[:ends[0]].strip()
    return ([("", lead)] if lead else []) + [(m.group(), body[m.end():end].strip())
                                             for m, end in zip(found, ends[1:], strict=True)]


def _options(body: str, fmt: str) -> tuple[list[tuple[str, float, str]], list[str]]:
    """(mark, weight, text) per option, and each option's own feedback ("" where none)."""
    options, feedback = [], []
    for mark, part in _pieces(body, "[=~]"):
        weight = 100.0 if mark == "=" else 0.0  # like Moodle, "=" is full marks and takes no %weight%
        m = WEIGHT.match(part) if mark != "=" else None
        if m:
            weight, part = _weight(m.group(1)), part[m.end():]
        text, said = _split_feedback(part, fmt)
        options.append((mark, weight, _text(text, fmt)))
        feedback.append(said)
    return options, feedback


def _variants(body: str, fmt: str) -> list[str]:
    variants, partial = [], False
    for _, part in _pieces(body, "="):
        m = WEIGHT.match(part)
        if m:
            weight = _weight(m.group(1))
            if weight != 100:
                partial = True  # part-marks answers have no place in an all-or-nothing blank
                dropped = _text(_drop_feedback(part[m.end():]), fmt)
                note(f"答案“{short(dropped)}”原为 {weight:g}% 部分得分，未作为可接受的答案导入"
                      "（本系统填空题每空全对才得分）")
                continue
            part = part[m.end():]
        text = _text(_drop_feedback(part), fmt)
        if text:
            variants.append(text)
    if not variants:
        raise _Bad("填空题没有得满分的答案" if partial else "答案块里没有答案")
    return variants


def _weight(text: str) -> float:
    sign = -1 if text.startswith("-") else 1
    return sign * float(text.lstrip("-").rstrip("."))


def choice_key(options: list, ours: bool = False) -> tuple[str, str]:
    """`ours`: a file this system wrote (its "// fazhi:" line): the penalties it writes for wrong
    options of a 多选 are how the exam's scoring reads in Moodle, and lose nothing when read back."""
    if len(options) < 2:
        raise _Bad("选择题至少要有两个选项")
    if len(options) > len(LETTERS):
        raise _Bad(f"选项最多 {len(LETTERS)} 个，这里有 {len(options)} 个")
    full = [LETTERS[i] for i, (mark, _, _) in enumerate(options) if mark == "="]
    if full:  # Moodle: any "=" makes it a one-answer question; part-marks "~%n%" options count as wrong
        if len(full) > 1:
            raise _Bad("有多个“=”答案：Moodle 把它读作单选题、这几个选项都得满分；本系统的单选题只有一个正确答案。"
                       "请只留一个 =；若是多选题，请用 ~%50% 这样的权重标出各正确选项")
        for i, (mark, weight, _) in enumerate(options):
            if mark != "=" and weight:
                note(f"选项 {LETTERS[i]} 原为 {weight:g}% {'部分得分' if weight > 0 else '扣分'}，"
                      "导入后按错误选项计（本系统单选题只有一个正确答案）")
        return "single", full[0]
    right = "".join(LETTERS[i] for i, (_, weight, _) in enumerate(options) if weight > 0)
    if not right:
        raise _Bad("没有正确答案（用 = 标出正确选项，多选题用 ~%50% 这样的正权重）")
    _weightsnote(options, right, ours)
    return ("multiple" if len(right) > 1 else "single"), right


def _weightsnote(options: list, right: str, ours: bool) -> None:
    """Weights a "~%n%" question carries that our model does not: say exactly what changes."""
    positive = [(LETTERS[i], w) for i, (_, w, _) in enumerate(options) if w > 0]
    negative = [(LETTERS[i], w) for i, (_, w, _) in enumerate(options) if w < 0]
    total = sum(w for _, w in positive)
    if len(right) == 1 and positive[0][1] != 100:
        note(f"唯一的正确选项 {right} 原为 {positive[0][1]:g}%，导入后选它得满分")
    elif len(right) > 1:
        if len({w for _, w in positive}) > 1:
            shown = "、".join(f"{k} {w:g}%" for k, w in positive)
            note(f"各正确选项的权重不同（{shown}），导入后同等计分，按考试的多选计分方式评分")
        if abs(total - 100) > 0.01:
            note(f"正确选项的权重合计 {total:g}%（不是 100%），导入后全部选对得满分")
    if negative and not ours:
        shown = "、".join(f"{k} {w:g}%" for k, w in negative)
        note(f"错误选项的扣分（{shown}）未导入：本系统按考试的多选计分方式评分，选错不倒扣")


def _question(block: _Block, meta: dict | None) -> ParsedQuestion:
    with noting() as notes:
        q = _read_question(block, meta)
    q.warnings = notes
    return q


def _read_question(block: _Block, meta: dict | None) -> ParsedQuestion:
    raw = "\n".join(block.lines)
    title = ""
    if raw.startswith("::"):
        close = _unescaped(raw[2:], "::")
        if close:
            title, raw = _text(raw[2:2 + close[0].start()], "moodle"), raw[2 + close[0].end():]
        else:
            raw = raw[2:]
    pieces, answers, start, opened = [], [], 0, None
    for m in _unescaped(raw, "[{}]"):
        if m.group() == "{":
            if opened is not None:
                raise _Bad("答案块里又出现了“{”（题目文字中的花括号要写成 \\{ ）")
            opened = m.start()
        else:
            if opened is None:
                raise _Bad("多了一个“}”（题目文字中的花括号要写成 \\} ）")
            pieces.append(raw[start:opened])
            answers.append(raw[opened + 1:m.start()])
            start, opened = m.end(), None
            if len(answers) > MAX_BLANKS:  # each is a blank of "____" in a stem of at most MAX_STEM characters
                raise _Bad(f"答案块超过 {MAX_BLANKS} 个（题干最多 {MAX_STEM} 字）")
    if opened is not None:
        raise _Bad("答案块缺少结尾的“}”（答案块内不能有空行）")
    if not answers:
        raise _Bad("没有答案块 {…}（只有文字的说明段不能作为试题导入）")
    pieces.append(raw[start:])
    fmt, pieces[0] = _split_format(pieces[0], "moodle")
    parsed = [_answers(a, fmt) for a in answers]
    if len(parsed) > 1 and any(kind != "fill" for kind, _, _ in parsed):
        raise _Bad("一道题只能有一个答案块（多个答案块只用于多空填空题，如 {=甲} … {=乙}）")
    kind, data, _ = parsed[0]
    feedback = "\n".join(f for _, _, f in parsed if f)
    texts = [_unescape(p) for p in pieces]
    if kind == "fill":
        before = texts[0]
        runs = re.findall(r"_{3,}", before)
        if meta is None and len(parsed) == 1 and not texts[1].strip() and len(runs) == 1:
            stem = re.sub(r"_{3,}", BLANK, before)  # "……是_____。{=答案}": the blank is already written
        else:
            stem = BLANK.join(texts)  # each answer block is one blank, where it stands
    else:  # missing-word style: an answer block inside the sentence leaves a blank there
        stem = texts[0] + BLANK + texts[1] if texts[1].strip() else texts[0]
    stem = (html_to_text(stem) if fmt == "html" else markdown_to_text(stem) if fmt == "markdown" else stem).strip()
    q = ParsedQuestion(type=kind, stem=stem or title, explanation=feedback, where=block.where,
                       title=own_title(title, stem))
    if kind == "choice":
        options, said = data
        q.type, q.answer = choice_key(options, ours=meta is not None)
        q.options = [text for _, _, text in options]
        q.option_feedback = said if any(said) else []
    elif kind == "fill":
        q.answer = [answer for _, answer, _ in parsed]
    elif kind == "judge":
        q.answer, said = data
        q.option_feedback = said if any(said) else []
    else:  # GIFT essays carry no model answer; general feedback is the nearest thing to one
        q.answer, q.explanation = feedback, ""
    _apply_meta(q, meta, block.comments)
    return q


def _apply_meta(q: ParsedQuestion, meta: dict | None, comments: list[str]) -> None:
    if meta is None:
        q.tags = [t.replace("\\]", "]").strip() for c in comments for t in TAG.findall(c)]
        return
    if isinstance(meta.get("basis"), str):
        q.basis = meta["basis"]
    if "difficulty" in meta:
        if not isinstance(meta["difficulty"], int) or isinstance(meta["difficulty"], bool):
            raise _Bad("“// fazhi:”注释中的难度应为整数")
        q.difficulty = meta["difficulty"]
    for key in ("tags", "grading_points"):
        if key in meta:
            if not isinstance(meta[key], list) or not all(isinstance(x, str) for x in meta[key]):
                raise _Bad(f"“// fazhi:”注释中的 {key} 应为文字列表")
            setattr(q, key, list(meta[key]))
    if q.type == "essay" and isinstance(meta.get("explanation"), str):
        q.explanation = meta["explanation"]


def _category_name(path: str) -> str | None:
    # Moodle category paths use "/" between levels and "//" for a slash inside a name.
    segments = [s.replace("\0", "/").strip() for s in path.replace("//", "\0").split("/")]
    name = next((s for s in reversed(segments) if s), "")
    return None if not name or name == "top" or re.fullmatch(r"\$\w+\$", name) else name


def parse(content: bytes, filename: str) -> ParseResult:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError("文件不是 UTF-8 编码的 GIFT 文本") from None
    if "\0" in text:
        raise FormatError("文件不是 GIFT 文本（含有二进制内容）")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    check_lines(filename, text, lines)
    result, categories, number = ParseResult(), [], 0
    for block in _blocks(lines):
        if block.lines[0].startswith("$CATEGORY:"):
            categories.append(block.lines[0][len("$CATEGORY:"):].strip())
            del block.lines[0], block.numbers[0]
            if not block.lines:
                continue
        number += 1
        if number > limits.MAX_QUESTIONS:
            raise too_many_questions(filename, number)
        block.where = f"第 {number} 题（第 {block.numbers[0]} 行）"
        try:
            result.questions.append(_question(block, _meta(block.comments)))
        except _Bad as exc:
            result.problems.append(ParseProblem(block.where, str(exc)))
    if len(set(categories)) == 1:
        result.bank_name = _category_name(categories[0])
    return result
