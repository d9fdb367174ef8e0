"""Questions written as Moodle XML (the format Moodle exports by default): 单选/多选 → multichoice
with fractions, 判断 → truefalse, one-blank 填空 → shortanswer, several-blank 填空 → cloze
(multianswer, one {n:SHORTANSWER:…} per blank), 简答 → essay with the model answer as grader info.
Texts go as plain text; an XML comment per question ("fazhi: {json}") keeps the basis, difficulty,
tags and grading points for our own importer (Moodle ignores comments and reads the tags as tags)."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 (writing only)
from collections.abc import Iterable
from typing import Any

from ..importers.base import BLANK, LETTERS, parse_judge, parse_letters

PLAIN = "plain_text"
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CLOZE_SPECIAL = "\\}#~/\"{"


def _weight(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")  # as Moodle writes fractions: 33.3333333, -50


def _clean(text: str) -> str:
    """XML 1.0 cannot hold control characters (other than tab and newline)."""
    return ILLEGAL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = PLAIN) -> ET.Element:
    node = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(node, "text").text = _clean(text)
    return node


def _answer(parent: ET.Element, text: str, fraction: float, feedback: str = "") -> None:
    node = ET.SubElement(parent, "answer", {"fraction": _weight(fraction), "format": PLAIN})
    ET.SubElement(node, "text").text = _clean(text)
    _text(node, "feedback", feedback)


def _comment(q: Any) -> ET.Element:
    data = {"basis": getattr(q, "basis", "") or "", "difficulty": getattr(q, "difficulty", 3),
            "tags": list(getattr(q, "tags", None) or []),
            "grading_points": list(getattr(q, "grading_points", None) or [])}
    text = json.dumps(data, ensure_ascii=False, default=str).replace("-", "\\u002d")  # "--" cannot be in a comment
    return ET.Comment(f" fazhi: {_clean(text)} ")


def _cloze_answer(variants: list[str]) -> str:
    def esc(v: str) -> str:
        return "".join("\\" + ch if ch in CLOZE_SPECIAL else ch for ch in v)
    return "~".join(f"%100%{esc(v)}" for v in variants)


def _body(q: Any) -> tuple[str, ET.Element]:
    kind = {"single": "multichoice", "multiple": "multichoice", "judge": "truefalse", "essay": "essay"}.get(q.type)
    answers = q.answer if isinstance(q.answer, list) else []
    if q.type == "fill":
        kind = "multianswer" if len(answers) > 1 else "shortanswer"
    node = ET.Element("question", {"type": kind})
    name = str(getattr(q, "title", "") or "") or " ".join(str(q.stem or "").split())[:50]
    _text(node, "name", name, None)
    stem = str(q.stem or "")
    if kind == "multianswer":
        pieces = stem.split(BLANK)
        stem = pieces[0] + "".join(f"{{{i}:SHORTANSWER:{_cloze_answer(answers[i - 1])}}}{piece}"
                                   for i, piece in enumerate(pieces[1:], 1))
    _text(node, "questiontext", stem)
    _text(node, "generalfeedback", str(getattr(q, "explanation", "") or ""))
    ET.SubElement(node, "defaultgrade").text = "1.0000000"
    ET.SubElement(node, "penalty").text = "0.3333333"
    ET.SubElement(node, "hidden").text = "0"
    return kind, node


def _question(q: Any) -> ET.Element:
    kind, node = _body(q)
    options = list(getattr(q, "options", None) or [])
    said = list(getattr(q, "option_feedback", None) or []) + [""] * len(LETTERS)
    if kind == "multichoice":
        right = set(parse_letters(str(q.answer or "")) or "") & set(LETTERS[:len(options)])
        single = q.type == "single"
        ET.SubElement(node, "single").text = "true" if single else "false"
        ET.SubElement(node, "shuffleanswers").text = "true"
        ET.SubElement(node, "answernumbering").text = "ABCD"
        good = 100 if single else 100 / max(len(right), 1)
        bad = 0 if single else -100 / max(len(options) - len(right), 1)  # as in our GIFT export
        for i, (letter, text) in enumerate(zip(LETTERS, options, strict=False)):
            _answer(node, text, good if letter in right else bad, said[i])
    elif kind == "truefalse":
        value = q.answer if isinstance(q.answer, bool) else parse_judge(str(q.answer))
        _answer(node, "true", 100 if value else 0, said[0])
        _answer(node, "false", 0 if value else 100, said[1])
    elif kind == "shortanswer":
        ET.SubElement(node, "usecase").text = "0"
        for variant in q.answer[0]:
            _answer(node, variant, 100)
    elif kind == "essay":
        ET.SubElement(node, "responseformat").text = "editor"
        ET.SubElement(node, "responserequired").text = "1"
        ET.SubElement(node, "responsefieldlines").text = "15"
        ET.SubElement(node, "attachments").text = "0"
        _text(node, "graderinfo", str(q.answer or ""))
        _text(node, "responsetemplate", "")
    tags = [str(t) for t in getattr(q, "tags", None) or [] if str(t).strip()]
    if tags:
        holder = ET.SubElement(node, "tags")
        for tag in tags:
            ET.SubElement(ET.SubElement(holder, "tag"), "text").text = tag
    node.insert(0, _comment(q))
    return node


def export(questions: Iterable[Any], bank: str | None = None) -> bytes:
    root = ET.Element("quiz")
    root.append(ET.Comment(" 法治学考导出的 Moodle XML 题库，可在 Moodle“题库 → 导入 → Moodle XML 格式”中导入。"
                           "多选题各正确选项权重相同、合计 100%，错误选项按 -100%/错误选项数 扣分；"
                           "多空填空题为完形填空（Cloze）。 "))
    if bank:
        category = ET.SubElement(root, "question", {"type": "category"})
        name = " ".join(str(bank).split()).replace("/", "//")
        _text(category, "category", f"$course$/top/{name}", None)
    for q in questions:
        root.append(_question(q))
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
