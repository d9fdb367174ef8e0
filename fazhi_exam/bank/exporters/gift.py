"""Questions written as Moodle GIFT text that Moodle imports and our own GIFT importer reads back losslessly."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..importers.base import BLANK, LETTERS, parse_judge, parse_letters

HEADER = ("// 法治学考导出的 Moodle GIFT 题库，可在 Moodle“题库 → 导入 → GIFT 格式”中导入。\n"
          "// 每题前的“// fazhi:”注释保存法律依据、难度、标签和评分要点，Moodle 会把它当作注释忽略。\n"
          "// 多选题：各正确选项权重相同、合计 100%；错误选项按 -100%/错误选项数 扣分"
          "（Moodle 没有“错选不得分”的计分方式，这是最接近的写法）。\n")
ESCAPES = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:",
           "\r": "\\n", "\n": "\\n"}


def _esc(text: Any, first: bool = True) -> str:
    """Escape GIFT's reserved characters; newlines become "\\n" so a question never holds a blank line."""
    out = "".join(ESCAPES.get(ch, ch) for ch in str(text or "").replace("\r\n", "\n"))
    # Text that begins a line or an answer: "//" would start a comment and "[html]" be a format marker.
    # An explicit [moodle] (Moodle's default format for GIFT anyway) keeps such text as it is.
    return "[moodle]" + out if first and out.startswith(("//", "[")) else out


def _weight(value: float) -> str:
    # Five decimals, as Moodle writes its grade fractions (33.33333, -14.28571, 12.5).
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _looks_weighted(text: str) -> bool:
    # Text that itself starts with "%...%" would be read as a weight; an explicit weight goes first.
    return text.startswith("%")


def _said(q: Any, i: int) -> str:
    """An option's own feedback, as GIFT writes it after the option ("#…")."""
    feedback = list(getattr(q, "option_feedback", None) or [])
    return f"#{_esc(feedback[i], first=False)}" if i < len(feedback) and feedback[i] else ""


def _choice_block(q: Any) -> list[str]:
    options = list(getattr(q, "options", None) or [])
    right = set(parse_letters(str(q.answer or "")) or "") & set(LETTERS[:len(options)])
    lines = []
    if q.type == "multiple":  # no "=": Moodle then allows several answers; weights give full marks to all right ones
        good, bad = _weight(100 / max(len(right), 1)), _weight(-100 / max(len(options) - len(right), 1))
        for i, (letter, text) in enumerate(zip(LETTERS, options, strict=False)):
            lines.append(f"\t~%{good if letter in right else bad}%{_esc(text)}{_said(q, i)}")
    else:
        for i, (letter, text) in enumerate(zip(LETTERS, options, strict=False)):
            if letter in right:
                lines.append(f"\t={_esc(text)}{_said(q, i)}")  # Moodle takes no weight after "=", so no guard needed
            else:
                lines.append(f"\t~{'%0%' if _looks_weighted(_esc(text)) else ''}{_esc(text)}{_said(q, i)}")
    return lines


def _fill_block(variants: Any, feedback: str = "") -> str:
    parts = []
    for v in variants if isinstance(variants, list) else [variants]:
        text = _esc(v)
        if text:
            parts.append(f"={'%100%' if _looks_weighted(text) else ''}{text}")
    return "{" + " ".join(parts) + (f" ####{feedback}" if feedback else "") + "}"


def _meta(q: Any) -> str:
    data = {"basis": getattr(q, "basis", "") or "", "difficulty": getattr(q, "difficulty", 3),
            "tags": list(getattr(q, "tags", None) or []),
            "grading_points": list(getattr(q, "grading_points", None) or [])}
    if q.type == "essay" and getattr(q, "explanation", ""):
        data["explanation"] = q.explanation  # a GIFT essay has one feedback field: it holds the model answer
    moodle_tags = " ".join(f"[tag:{t}]" for t in map(str, data["tags"]) if t and not set("]<>`\n\r") & set(t))
    line = f"// fazhi: {json.dumps(data, ensure_ascii=False, default=str)}\n"
    return line + (f"// {moodle_tags}\n" if moodle_tags else "")  # so Moodle imports the tags too


def _question(q: Any) -> str:
    title = str(getattr(q, "title", "") or "")
    return (f"::{_esc(title, first=False)}::" if title else "") + _body(q)


def _body(q: Any) -> str:
    stem = str(q.stem or "")
    feedback = _esc(getattr(q, "explanation", ""))
    if q.type == "fill":
        # Each blank gets its own answer block where it stands. Moodle itself reads only one block per
        # question, so several-blank questions import into Moodle wrongly (they round-trip here).
        answers = q.answer if isinstance(q.answer, list) else [q.answer]
        pieces = stem.split(BLANK)
        out = [_esc(pieces[0])]
        for i, piece in enumerate(pieces[1:]):
            last = i == len(answers) - 1
            out.append(_fill_block(answers[i], feedback if last else "") if i < len(answers) else BLANK)
            out.append(_esc(piece, first=False))
        for i in range(len(pieces) - 1, len(answers)):  # more answers than blanks: keep them at the end
            out.append(_fill_block(answers[i], feedback if i == len(answers) - 1 else ""))
        return "".join(out)
    text = _esc(stem)
    if q.type in ("single", "multiple"):
        lines = _choice_block(q) + ([f"\t####{feedback}"] if feedback else [])
        return text + "{\n" + "\n".join(lines) + "\n}"
    if q.type == "judge":  # {TRUE#feedback when answered wrong#feedback when answered right}
        value = q.answer if isinstance(q.answer, bool) else parse_judge(str(q.answer))
        said = list(getattr(q, "option_feedback", None) or []) + ["", ""]
        right, wrong = (said[0], said[1]) if value else (said[1], said[0])
        both = f"#{_esc(wrong, first=False)}#{_esc(right, first=False)}" if right or wrong else ""
        return f"{text}{{{'TRUE' if value else 'FALSE'}{both}{f'####{feedback}' if feedback else ''}}}"
    answer = _esc(getattr(q, "answer", "") if isinstance(getattr(q, "answer", ""), str) else "")
    return f"{text}{{{f'####{answer}' if answer else ''}}}"  # essay


def left_out(q: Any) -> str | None:
    """Why a question cannot go to Moodle as GIFT with the same meaning (None: it can)."""
    if q.type == "fill" and isinstance(q.answer, list) and len(q.answer) > 1:
        return (f"填空题有 {len(q.answer)} 个空：Moodle 的 GIFT 每题只读一个答案块，其余会当作题目文字；"
                "请用 Moodle XML 格式导出（完形填空）")
    return None


def skipped(questions: Iterable[Any]) -> list[str]:
    """One line per question left out, with its place in the bank and the reason."""
    return [f"第 {i} 题（{_first_words(q.stem)}）：{why}"
            for i, q in enumerate(questions, 1) if (why := left_out(q)) is not None]


def _first_words(stem: Any) -> str:
    text = " ".join(str(stem or "").split())
    return text if len(text) <= 24 else text[:24] + "…"


def export(questions: Iterable[Any], bank: str | None = None) -> bytes:
    """GIFT text (UTF-8) for the questions; a bank name becomes a $CATEGORY line. Questions Moodle
    would read otherwise are left out and listed in the header."""
    questions = list(questions)
    parts = [HEADER]
    out = skipped(questions)
    if out:
        parts.append(f"// 未导出 {len(out)} 道题：\n" + "".join(f"//   {line}\n" for line in out))
    if bank:
        name = " ".join(str(bank).split()).replace("/", "//")
        parts.append(f"$CATEGORY: $course$/top/{name}\n")
    for q in questions:
        if left_out(q) is None:
            parts.append(_meta(q) + _question(q) + "\n")
    return "\n".join(parts).encode("utf-8")
