"""Word's automatic list numbers ("1." "A." "一、"), which are not in a paragraph's text."""
from __future__ import annotations

import re

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class ListLabels:
    """Word's automatic list numbers ("1." "A.") are not in the paragraph text; rebuild them so that
    questions and options typed as numbered lists are still recognised.

    numbering: the numbering part's root element; styles: python-docx's Styles of the document (a
    "List Number" style carries its own numbering). Or document: a python-docx Document, for both."""

    def __init__(self, document=None, *, numbering=None, styles=None):
        self.nums: dict[str, tuple[str, dict[int, tuple[str, str, int]], dict[int, int]]] = {}
        self.counts: dict[str, list[int]] = {}
        self.started: set[str] = set()
        self.styles = styles
        self.style_numbering: dict[str | None, object] = {}  # style id → its numPr (or None), looked up once
        if document is not None:
            from docx.opc.constants import RELATIONSHIP_TYPE as RT

            self.styles = document.styles
            try:
                numbering = document.part.part_related_by(RT.NUMBERING).element
            except KeyError:
                numbering = None
        if numbering is not None:
            self._read(numbering)

    def _read(self, root) -> None:
        abstract = {}
        for node in root.iter(f"{_W}abstractNum"):
            levels = {}
            for lvl in node.iter(f"{_W}lvl"):
                fmt, text, start = (lvl.find(f"{_W}{tag}") for tag in ("numFmt", "lvlText", "start"))
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                    fmt.get(f"{_W}val", "") if fmt is not None else "decimal",
                    text.get(f"{_W}val", "") if text is not None else "",
                    int(start.get(f"{_W}val", "1")) if start is not None else 1)
            abstract[node.get(f"{_W}abstractNumId")] = levels
        for node in root.iter(f"{_W}num"):
            ref = node.find(f"{_W}abstractNumId")
            if ref is not None and ref.get(f"{_W}val") in abstract:
                # Lists sharing an abstract definition share its count; "restart at 1" is a new num
                # with a startOverride, applied when that num is first used.
                restarts = {int(o.get(f"{_W}ilvl", "0")): int(s.get(f"{_W}val", "1"))
                            for o in node.iter(f"{_W}lvlOverride") if (s := o.find(f"{_W}startOverride")) is not None}
                self.nums[node.get(f"{_W}numId")] = (ref.get(f"{_W}val"), abstract[ref.get(f"{_W}val")], restarts)

    def _style_num_pr(self, p):
        """The numbering a paragraph's style gives it (the document's default paragraph style when it names
        none), resolved once per style id: python-docx's `paragraph.style` searches the styles part every time."""
        style = p.find(f"{_W}pPr/{_W}pStyle")
        style_id = style.get(f"{_W}val") if style is not None else None
        if style_id not in self.style_numbering:
            from docx.enum.style import WD_STYLE_TYPE

            found = self.styles.get_by_id(style_id, WD_STYLE_TYPE.PARAGRAPH) if self.styles is not None else None
            self.style_numbering[style_id] = found.element.find(f"{_W}pPr/{_W}numPr") if found is not None else None
        return self.style_numbering[style_id]

    def label(self, paragraph) -> str:
        """The label Word shows before a paragraph (a python-docx Paragraph or its w:p element), or ""."""
        p = getattr(paragraph, "_p", paragraph)
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        if num_pr is None:  # "List Number" style carries its own numPr
            num_pr = self._style_num_pr(p)
        num_id = num_pr.find(f"{_W}numId") if num_pr is not None else None
        key = num_id.get(f"{_W}val") if num_id is not None else None
        if key not in self.nums:
            return ""
        ilvl = num_pr.find(f"{_W}ilvl")
        level = min(max(int(ilvl.get(f"{_W}val", "0")) if ilvl is not None else 0, 0), 8)
        abstract_id, levels, restarts = self.nums[key]
        counts = self.counts.setdefault(abstract_id, [0] * 9)
        if key not in self.started:
            self.started.add(key)
            for k, start in restarts.items():
                if 0 <= k < 9:
                    counts[k] = start - levels.get(k, ("", "", 1))[2]
        counts[level] += 1
        counts[level + 1:] = [0] * (8 - level)

        def shown(match: re.Match) -> str:
            k = int(match.group(1)) - 1
            fmt, _, start = levels.get(k, ("decimal", "", 1))
            value = _format_number(fmt, counts[k] + start - 1) if k <= level else None
            return "\x00" if value is None else value  # a bullet or unknown format: show no label

        text = re.sub(r"%([1-9])", shown, levels.get(level, ("", "", 1))[1])
        return "" if not text or "\x00" in text else text + " "


def _format_number(fmt: str, n: int) -> str | None:
    if fmt in ("decimal", "decimalZero"):
        return str(n)
    if fmt in ("upperLetter", "lowerLetter") and 1 <= n <= 26:
        letter = chr(ord("A") + n - 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt.startswith(("chineseCounting", "ideographDigital", "taiwaneseCounting")) and 1 <= n <= 99:
        digits = "零一二三四五六七八九"
        tens, ones = divmod(n, 10)
        return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")
    return None  # bullets and formats a question number never uses
