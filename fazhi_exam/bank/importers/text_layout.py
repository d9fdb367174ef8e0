"""How the lines of a pasted Chinese 题库 look: headings, question numbers, options, labelled fields, blanks."""
from __future__ import annotations

import re
from functools import lru_cache

from .base import BLANK, clean_text, nfkc, parse_judge
from .word_lists import ListLabels  # noqa: F401 - where it used to live


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    folded = nfkc(ch)
    return folded if len(folded) == 1 else ch


def fold(text: str) -> str:
    """NFKC one character at a time, kept only where it stays one character.

    Patterns are matched on the folded copy and the original is cut at the same indexes, so
    "１．" and "（Ａ）" are recognised while stems keep their Chinese punctuation."""
    return "".join(_fold_char(ch) for ch in text)


# Full-width letters and digits become ordinary ones in stored text; Chinese punctuation stays,
# because that is how the stems are meant to be shown.
_TIDY = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for c in range(*r)}
_TIDY.update({0x3000: 0x20, 0xA0: 0x20, 0xFF3F: 0x5F, 0x09: 0x20})


def tidy(text: str) -> str:
    return clean_text(text.translate(_TIDY))


def has_content(folded: str) -> bool:
    """Blank lines and rules such as "--------" or "******" separate questions and carry nothing."""
    return any(ch.isalnum() or ch in "√×✓✔✗✘" for ch in folded)


def join_wrapped(left: str, right: str) -> str:
    """An option wrapped onto the next line: Chinese joins directly, two Latin words need a space."""
    return left + _wrap_space(left, right) + right


def _wrap_space(left: str, right: str) -> str:
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return " "
    return ""


def join_wrapped_lines(lines: list[str]) -> str:
    """join_wrapped over many lines, built once (adding one line at a time copies the text each time)."""
    pieces, last = [], ""
    for line in lines:
        if line:
            pieces += [_wrap_space(last, line), line]
            last = line
    return "".join(pieces)


# Points of a list in stored (tidied) text: "1." "（1）" "①", and in answers also "一、" "（一）" "A."
_ENUM = r"(?:[(（]\d{1,2}[)）]|[①-⑳]|\d{1,2}[.、:)](?!\d))"
_ENUM_PREFIX = re.compile(rf"^[ \u3000]*{_ENUM}[ \u3000]*")
_CN = "[一二三四五六七八九十]{1,3}"
_POINT_START = re.compile(rf"{_ENUM}|{_CN}[、.．]|[(（]{_CN}[)）]|[A-H][.、．]")
_PARAGRAPH_ENDS = tuple("。？！：；:;?!…”’」）)】")


def join_lines(lines: list[str]) -> str:
    """A stem or answer over several lines. A line ending mid-sentence was wrapped by the editor and
    joins directly; one ending in 。？： or followed by a "1." point was a paragraph and keeps its break."""
    pieces, last = [], ""
    for line in filter(None, lines):
        if last and (last.endswith(_PARAGRAPH_ENDS) or _POINT_START.match(line)):
            pieces.append("\n")
        else:
            pieces.append(_wrap_space(last, line))
        pieces.append(line)
        last = line
    return "".join(pieces).strip()


_LONG_SPACE = re.compile(r"(\s{8})\s+")


def squeeze_spaces(line: str) -> str:
    """Runs of more than eight spaces cut to eight: stored text collapses them anyway (tidy), and the
    patterns here, with several optional spaces in a row, would otherwise try every way to split a long run."""
    return _LONG_SPACE.sub(r"\1", line)


# --- section headings -------------------------------------------------------------------------
ANY = "any"  # "选择题": a section whose questions are single or multiple by their answers
_TYPE_WORDS = {
    "单项选择题": "single", "单项选择": "single", "单选题": "single", "单选": "single",
    "多项选择题": "multiple", "多项选择": "multiple", "多选题": "multiple", "多选": "multiple",
    "不定项选择题": "multiple", "不定项选择": "multiple", "不定项": "multiple", "选择题": ANY,
    "判断题": "judge", "判断": "judge", "是非题": "judge", "是非判断题": "judge", "判断正误题": "judge",
    "填空题": "fill", "填空": "fill",
    "简答题": "essay", "简答": "essay", "问答题": "essay", "论述题": "essay", "案例分析题": "essay",
    "案例分析": "essay", "案例题": "essay", "分析题": "essay", "主观题": "essay", "名词解释": "essay",
}
_WORDS = "|".join(sorted(_TYPE_WORDS, key=len, reverse=True))
_ORD = r"(?:[一二三四五六七八九十]{1,3}|\d{1,2}|[IVX]{1,4})"
_HEADING = re.compile(
    rf"^(?:第?{_ORD}\s*(?:部分|大题)?\s*[、.:)]?\s*|\(\s*{_ORD}\s*\)\s*|[【\[]\s*)?({_WORDS})(.*)$")
# After the type word only remarks may follow ("（每题2分，共20分）", "：", "】"); anything else
# means the line is a sentence that happens to begin with 判断 or 填空.
_HEADING_REST = re.compile(r"^(?:部分)?\s*(?:[】\]:;,.。、(].*)?$")


def heading(folded: str) -> str | None:
    """The question type a heading line names (ANY for plain 选择题), or None for other lines."""
    if len(folded) > 60:
        return None
    match = _HEADING.match(folded)
    if not match or not _HEADING_REST.match(match.group(2)):
        return None
    return _TYPE_WORDS[match.group(1)]


# Titles that group questions by subject ("第二部分 民法典", "（三）婚姻家庭") rather than by type.
# Neither kind holds sentence punctuation: "第一章规定，……" continues an explanation.
_TOPIC_STRONG = re.compile(r"^第[一二三四五六七八九十百\d]{1,4}\s*(?:部分|章|节|篇|编|单元)[^,。;?!]*$")
_TOPIC_WEAK = re.compile(r"^(?:[一二三四五六七八九十]{1,3}\s*[、.]|\(\s*[一二三四五六七八九十]{1,3}\s*\))[^,。;?!]*$")


def topic(folded: str) -> str | None:
    """"strong" for 第…部分/章 titles, "weak" for "一、…" "（二）…" ones (also how essay answers number
    their paragraphs), None for other lines."""
    if len(folded) > 40:
        return None
    return "strong" if _TOPIC_STRONG.match(folded) else "weak" if _TOPIC_WEAK.match(folded) else None


def type_word(text: str) -> str | None:
    """The value of a "题型：" line."""
    value = re.sub(r"[\s【】\[\]:]", "", nfkc(text))
    return next((kind for word, kind in _TYPE_WORDS.items() if value.startswith(word)), None)


# --- question numbers: "1." "1、" "1．" "1)" "（1）" "第1题" -------------------------------------------
_NUMBERED = re.compile(
    r"^(?:第\s*(\d{1,4})\s*题\s*[.、:)]?|\(\s*(\d{1,4})\s*\)\s*[.、]?|(\d{1,4})\s*[.、:)](?!\d))\s*")


def numbered(folded: str) -> tuple[str, int, int] | None:
    """(numbering style, number, where the text starts); "1.5万元" is not a number."""
    match = _NUMBERED.match(folded)
    if not match:
        return None
    for style, group in (("di", 1), ("paren", 2), ("plain", 3)):
        if match.group(group):
            return style, int(match.group(group)), match.end()
    return None  # pragma: no cover - one group always matches


# --- options: "A." "A、" "A．" "A:" "（A）", several to a line ----------------------------------------
_OPTION = re.compile(r"^(?:\(\s*([A-H])\s*\)|([A-H])\s*[.、:)])\s*")


def _next_marker(folded: str, letter: str, pos: int, spaced: bool) -> re.Match | None:
    # "A.甲  B.乙" is split at the spaced "B."; "A.甲B.乙" (no spaces) is tried only when the spaced
    # form finds nothing, so "A.维生素B、C" in a spaced line is not cut in two.
    before = r"(?<=\s)" if spaced else r"(?<![A-Za-z0-9.])"
    pattern = rf"\(\s*{letter}\s*\)\s*|{before}{letter}\s*[.、:)](?!\d)\s*"
    return re.compile(pattern).search(folded, pos)


def split_options(folded: str) -> list[tuple[str, int, int]] | None:
    """[(letter, text start, text end)] for a line that begins with an option, else None."""
    first = _OPTION.match(folded)
    if not first:
        return None
    letter = first.group(1) or first.group(2)
    for spaced in (True, False):
        marks = [(letter, first.start(), first.end())]
        while marks[-1][0] < "H":
            found = _next_marker(folded, chr(ord(marks[-1][0]) + 1), marks[-1][2], spaced)
            if not found:
                break
            marks.append((chr(ord(marks[-1][0]) + 1), found.start(), found.end()))
        if len(marks) > 1:
            break
    ends = [start for _, start, _ in marks[1:]] + [len(folded)]
    return [(mark[0], mark[2], end) for mark, end in zip(marks, ends, strict=True)]


def inline_options_at(folded: str) -> int | None:
    """Where options start inside a stem line ("题干（ ）A.甲 B.乙"), if they do."""
    # The last candidate wins, so that "题干（ A ） A.甲 B.乙" keeps its bracketed answer in the stem;
    # "（ A、B、D ）" alone is an answer, not options: real options each have some text. Only the last
    # few are tried: each try reads the rest of the line, and a real line has one or two.
    for found in list(re.finditer(r"\(\s*A\s*\)|(?<=\s)A\s*[.、:)]", folded))[:-9:-1]:
        rest = folded[found.start():]
        spans = split_options(rest) or []
        if len(spans) > 1 and all(rest[start:end].strip(" )") for _, start, end in spans):
            return found.start()
    return None


# --- labelled fields: "答案：B" "【答案】AC" "解析：…" "法律依据：…" "难度：3" ---------------------------
_LABELS = {
    "答案": "answer", "正确答案": "answer", "参考答案": "answer", "标准答案": "answer", "答": "answer",
    "答案要点": "answer", "参考答案要点": "answer", "答题要点": "answer",
    "解析": "explanation", "答案解析": "explanation", "试题解析": "explanation", "题目解析": "explanation",
    "法律依据": "basis", "依据": "basis", "法条依据": "basis", "法规依据": "basis", "相关法条": "basis",
    "出处": "basis", "难度": "difficulty", "难度系数": "difficulty", "难易程度": "difficulty",
    "难易度": "difficulty", "知识点": "tags", "考点": "tags", "标签": "tags", "题型": "type",
    "得分点": "points", "评分要点": "points", "评分标准": "points", "采分点": "points",
    "分值": "ignore", "分数": "ignore", "本题分值": "ignore",
}
_LABEL_ALT = "|".join(sorted(_LABELS, key=len, reverse=True))
_FIELD = re.compile(rf"^(?:[【\[]\s*({_LABEL_ALT})\s*[】\]]\s*:?|({_LABEL_ALT})\s*:)\s*")
_FIELD_SPACED = re.compile(r"^(答案|正确答案|参考答案|标准答案)\s+(?=\S{1,8}$)")  # "答案 B"
# A label in mid-line ("D.丁    答案：B", "……（ ）答案：B") starts a new segment; a bare "答：" there
# is too likely prose.
_INNER_ALT = "|".join(sorted((k for k in _LABELS if len(k) > 1), key=len, reverse=True))
_FIELD_INSIDE = re.compile(rf"[【\[]\s*(?:{_INNER_ALT})\s*[】\]]|(?<=[\s)。?])(?:{_INNER_ALT})\s*:")


def field(folded: str) -> tuple[str, str, int] | None:
    """(field kind, label as written, where the value starts) for a labelled line."""
    match = _FIELD.match(folded) or _FIELD_SPACED.match(folded)
    if not match:
        return None
    label = (match.group(1) or match.group(2)) if match.re is _FIELD else match.group(1)
    return _LABELS[label], label, match.end()


def segments(folded: str) -> list[tuple[int, int]]:
    """The stripped spans of a line, cut before every label that follows other text."""
    first = len(folded) - len(folded.lstrip())
    cuts = [m.start() for m in _FIELD_INSIDE.finditer(folded) if m.start() > first]
    spans = []
    for start, end in zip([0, *cuts], [*cuts, len(folded)], strict=True):
        piece = folded[start:end]
        lead, trail = len(piece) - len(piece.lstrip()), len(piece) - len(piece.rstrip())
        if end - trail > start + lead:
            spans.append((start + lead, end - trail))
    return spans


# --- answers written in the stem, and blanks ------------------------------------------------------
_INLINE_LETTERS = re.compile(r"([(（])[ \u3000]*(?:答案[:：][ \u3000]*)?([A-Ha-h](?:[ \u3000,，、]*[A-Ha-h])*)"
                             r"[ \u3000]*([)）])")
_INLINE_JUDGE = re.compile(r"[ \u3000]*[(（][ \u3000]*(?:答案[:：][ \u3000]*)?(√|×|✓|✔|✗|✘|对|错|正确|错误|T|F)"
                           r"[ \u3000]*[)）]")
_EMPTY_PARENS = re.compile(r"[(（][ \u3000]*[)）]")
_UNDERSCORES = re.compile(r"_{2,}")


def take_inline_letters(stem: str) -> tuple[str, str | None]:
    """"……应当在（ B ）日内提出。" → the stem with "（  ）" left for the blank, and "B"."""
    found = list(_INLINE_LETTERS.finditer(stem))
    if not found:
        return stem, None
    last = found[-1]
    return stem[: last.start()] + last.group(1) + "  " + last.group(3) + stem[last.end():], last.group(2)


def take_inline_judge(stem: str) -> tuple[str, bool | None]:
    """"……可以口头订立。（√）" → the stem without the mark, and True."""
    found = list(_INLINE_JUDGE.finditer(stem))
    if not found:
        return stem, None
    last = found[-1]
    return (stem[: last.start()] + stem[last.end():]).strip(), parse_judge(last.group(1))


def strip_trailing_blank(stem: str) -> str:
    """A judge stem's closing "（  ）" is only the place to write 对/错 on paper."""
    return re.sub(r"[ \u3000]*[(（][ \u3000]*[)）][ \u3000]*([。.]?)$", r"\1", stem).strip()


def has_blanks(stem: str, underscores_only: bool = False) -> bool:
    return bool(_UNDERSCORES.search(stem) or (not underscores_only and _EMPTY_PARENS.search(stem)))


def mark_blanks(stem: str) -> str:
    return _EMPTY_PARENS.sub(BLANK, _UNDERSCORES.sub(BLANK, stem))


_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_VARIANT_SPLIT = re.compile(r"\s*(?:/|／|或(?!者|是|许))\s*")


def strip_enumerator(text: str) -> str:
    return _ENUM_PREFIX.sub("", text).strip()


def fill_answers(text: str, blanks: int) -> list[list[str]]:
    """"二；五" / "二、五" / "(1)二 (2)五" → one list of accepted variants per blank ("村委会/村民委员会")."""
    text = text.strip()
    if _ENUM_PREFIX.match(text):  # split at each number, dropping the separators before it
        parts = re.split(_ENUM, text)
        parts = [part.rstrip(";；,，、" + _WHITESPACE) for part in parts[:-1]] + parts[-1:]
    else:
        parts = re.split(r"[;；\n]+", text)
        if len(parts) != blanks:  # "二、五" and "二 五": commas and spaces only when they give the right count
            other = re.split(r"[;；,，、\s]+", text)
            parts = other if len(other) == blanks else parts
    answers = []
    for part in parts:
        variants = [v.strip().rstrip("。.") for v in _VARIANT_SPLIT.split(part)]
        if any(variants):
            answers.append([v for v in variants if v])
    return answers


_DIFFICULTY_WORDS = {"易": 1, "容易": 1, "简单": 1, "较易": 2, "较容易": 2, "较简单": 2, "中": 3, "中等": 3,
                     "一般": 3, "适中": 3, "较难": 4, "难": 5, "困难": 5}


def difficulty(text: str) -> int | None:
    """"3" / "3级" / "★★★" / "中等" → 1–5; None when it is none of them."""
    value = re.sub(r"\s", "", nfkc(text)).rstrip("。.")
    if match := re.fullmatch(r"([1-5])(?:级|星|分)?", value):
        return int(match.group(1))
    if value and set(value) <= {"★", "☆"} and 1 <= value.count("★") <= 5:
        return value.count("★")
    return _DIFFICULTY_WORDS.get(value)


def split_list(text: str) -> list[str]:
    return [part for part in re.split(r"[;；,，、\s]+", text) if part]


def split_points(text: str) -> list[str]:
    """Grading points one a line or separated by "；", without their "1." / "（1）" numbers."""
    parts = (strip_enumerator(p) for p in re.split(r"[;；\n]+", text))
    return [p for p in parts if p]
