"""Text in markup (HTML, Markdown) read as the plain text our questions hold, and the notes an
importer keeps of what reading one question changed or dropped (shown as warnings)."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# What reading the current question changed or dropped (each question is read in one call).
_notes: ContextVar[list[str]] = ContextVar("import_notes")


@contextmanager
def noting() -> Iterator[list[str]]:
    """Collect the notes made while reading one question."""
    notes: list[str] = []
    token = _notes.set(notes)
    try:
        yield notes
    finally:
        _notes.reset(token)


def note(message: str) -> None:
    notes = _notes.get(None)
    if notes is not None and message not in notes:
        notes.append(message)


def plain(text: str) -> str:
    """Words only, for a warning: markup and entities out."""
    return html.unescape(re.sub(r"<[^<>]*>", "", re.sub(r"^\s*\[\w+\]", "", text))).strip()


def own_title(title: str, stem: str) -> str:
    """A question name worth keeping: not the beginning of the question itself (Moodle names an
    untitled question by its first words, and so do we when writing Moodle XML)."""
    squeezed = "".join(title.rstrip("…. ").split())
    return "" if not squeezed or "".join(stem.split()).startswith(squeezed) else title.strip()[:255]


def short(text: str, n: int = 20) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


ACTIVE = re.compile(r"(?is)<(script|style|iframe|object|embed|template)\b[^>]*>.*?</\1\s*>")
LAYOUT = {"p", "br", "div", "span", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
          "table", "tbody", "thead"}
TAG_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)")


def html_to_text(text: str) -> str:
    """Moodle exports rich text as HTML; our questions are plain text with newlines. Scripts and the like
    go with their content; any markup beyond paragraphs and line breaks is named in a warning."""
    active = {m.group(1).lower() for m in ACTIVE.finditer(text)}
    if active:
        note(f"删除了 HTML 中的 {'、'.join(f'<{t}>' for t in sorted(active))} 及其内容（可能执行的代码不导入）")
        text = ACTIVE.sub("", text)
    dropped = {t.lower() for t in TAG_NAME.findall(text)} - LAYOUT
    if dropped:
        note(f"HTML 格式已转为纯文字（去掉了 {'、'.join(f'<{t}>' for t in sorted(dropped))} 等标记）")
    text = re.sub(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|tr)\s*>", "\n", text)
    text = html.unescape(re.sub(r"<[^<>]*>", "", text)).replace("\xa0", " ")  # [^<>]: one pass per "<"
    lines = (re.sub(r"[ \t]+", " ", ln).strip() for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln)


MARKDOWN = [(re.compile(r"!\[([^\]]*)\]\(([^)]*)\)"), r"\1"), (re.compile(r"\[([^\]]+)\]\(([^)]*)\)"), r"\1（\2）"),
            (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"), (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*"), r"\1"),
            (re.compile(r"`([^`]+)`"), r"\1"), (re.compile(r"(?m)^\s{0,3}#{1,6}\s+"), ""),
            (re.compile(r"(?m)^\s{0,3}>\s?"), "")]


def markdown_to_text(text: str) -> str:
    """[markdown] text as plain text: emphasis, headings, code marks and links become words (a link
    keeps its address in brackets); never HTML."""
    plain = text
    for pattern, repl in MARKDOWN:
        plain = pattern.sub(repl, plain)
    if plain != text:
        note("Markdown 格式已转为纯文字（加粗、标题、链接等标记去掉，文字保留）")
    if re.search(r"<[a-zA-Z/][^<>]*>", plain):
        plain = html_to_text(plain)
    return plain
