"""The paragraphs of a .docx body as text, streamed in bounded memory.

python-docx builds the whole document tree first (a 4.6 MB file of 1.5 million short paragraphs took
it past 1.2 GB); here the paragraphs are counted in the raw XML before anything is built, then read
one at a time with python-docx's own element classes (so a paragraph's text is exactly
`Paragraph.text`) and dropped as soon as they are read. Word's automatic list numbers are rebuilt
by word_lists.ListLabels."""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator

from lxml import etree

from ... import limits
from ...errors import ValidationError
from ...files import check_zip
from ...opc import drop, of_type, read_part, relationships
from .base import FormatError
from .word_lists import ListLabels

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PARAGRAPH, RUN, HYPERLINK = f"{W}p", f"{W}r", f"{W}hyperlink"
RUN_TEXT = {f"{W}{tag}" for tag in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab")}


class Unreadable(Exception):
    """Not a Word document this reader understands; the caller says the file is broken."""


def paragraphs(content: bytes, filename: str) -> Iterator[tuple[int, str]]:
    """(paragraph number, its list label and text) for each paragraph of the body, as
    `enumerate(docx.Document(...).paragraphs, 1)` would give them (tables are not read)."""
    try:
        archive = check_zip(content, filename)
    except ValidationError as exc:
        raise FormatError(exc.message) from exc
    main = _main_part(archive, filename)
    count = _count_paragraphs(archive, main)
    if count > limits.MAX_PARAGRAPHS:
        raise FormatError(limits.too_many(filename, count, "段", limits.MAX_PARAGRAPHS))
    labels = _labels(archive, main, filename)
    number = depth = parts = chars = 0
    in_paragraph = False
    for event, element in _events(archive, main):
        if event == "start":
            depth += 1
            if depth == 3 and element.tag == PARAGRAPH:  # w:document/w:body/w:p
                in_paragraph, parts = True, 0
            elif in_paragraph:
                parts += 1
                if parts > limits.MAX_ELEMENTS_PER_ITEM:
                    raise FormatError(f"文件“{filename}”第 {number + 1} 段结构异常（XML 元素过多），已拒绝处理。")
            continue
        depth -= 1
        if depth == 2 and element.tag == PARAGRAPH:
            in_paragraph = False
            number += 1
            if number > limits.MAX_PARAGRAPHS:  # a prefix the raw count did not know
                raise FormatError(limits.too_many(filename, number, "段", limits.MAX_PARAGRAPHS, at_least=True))
            text = labels.label(element) + paragraph_text(element)
            chars += len(text)
            if chars > limits.MAX_CHARS:
                raise FormatError(limits.too_many(filename, chars, "个字", limits.MAX_CHARS, at_least=True))
            yield number, text
        elif in_paragraph:
            continue  # part of the paragraph being read
        drop(element)


def paragraph_text(p) -> str:
    """python-docx's `Paragraph.text` (runs and hyperlinked runs; tabs, breaks and hyphens as its element
    classes write them), walking the children instead of compiling two XPaths per paragraph."""
    pieces = []
    for child in p:
        if child.tag == RUN:
            pieces += [str(e) for e in child if e.tag in RUN_TEXT]
        elif child.tag == HYPERLINK:
            pieces += [str(e) for run in child if run.tag == RUN for e in run if e.tag in RUN_TEXT]
    return "".join(pieces)


def _events(archive: zipfile.ZipFile, name: str):
    import docx  # noqa: F401 - registers python-docx's element classes
    from docx.oxml.parser import element_class_lookup

    # The settings of python-docx's own parser; check_zip has refused any DOCTYPE already.
    parser = etree.XMLPullParser(events=("start", "end"), remove_blank_text=True, resolve_entities=False,
                                 no_network=True, huge_tree=False)
    parser.set_element_class_lookup(element_class_lookup)
    with archive.open(name) as member:
        while chunk := member.read(1 << 16):
            parser.feed(chunk)
            yield from parser.read_events()
    parser.close()
    yield from parser.read_events()


def _count_paragraphs(archive: zipfile.ZipFile, name: str) -> int:
    """Paragraph start tags in the raw XML (body and tables): a pass at the speed of unzipping."""
    with archive.open(name) as member:
        chunk = member.read(1 << 16)
        found = re.search(rb'xmlns(?::([A-Za-z_][\w.-]*))?="' + re.escape(W_NS.encode()) + rb'"', chunk)
        prefix = (found.group(1) + b":" if found.group(1) else b"") if found else b"w:"
        tag = re.compile(rb"<" + re.escape(prefix) + rb"p[\s/>]")
        count, tail = 0, b""
        while chunk:
            window = tail + chunk
            # A match ending inside the carried-over tail was counted with the previous chunk.
            count += sum(1 for m in tag.finditer(window) if m.end() > len(tail))
            tail = window[-(len(prefix) + 3):]
            chunk = member.read(1 << 20)
        return count


def _whole(archive: zipfile.ZipFile, name: str, filename: str):
    from docx.oxml.parser import parse_xml  # python-docx's element classes, for its Styles

    return parse_xml(read_part(archive, name, filename))


def _main_part(archive: zipfile.ZipFile, filename: str) -> str:
    main = of_type(relationships(archive, "", filename), "officeDocument")
    if main is None or main not in archive.NameToInfo:
        raise Unreadable("no main document part")
    types = _whole(archive, "[Content_Types].xml", filename)
    declared = {o.get("PartName", "").lower(): o.get("ContentType") for o in types.iter(f"{TYPES}Override")}
    by_extension = {d.get("Extension", "").lower(): d.get("ContentType") for d in types.iter(f"{TYPES}Default")}
    kind = declared.get("/" + main.lower()) or by_extension.get(main.rsplit(".", 1)[-1].lower())
    if kind != DOCUMENT_TYPE:  # as python-docx: .docm, .dotx and others are refused
        raise Unreadable("not a Word document")
    return main


def _labels(archive: zipfile.ZipFile, main: str, filename: str) -> ListLabels:
    rels = relationships(archive, main, filename)
    numbering, styles = of_type(rels, "numbering"), of_type(rels, "styles")
    numbering = _whole(archive, numbering, filename) if numbering in archive.NameToInfo else None
    if styles in archive.NameToInfo:
        from docx.styles.styles import Styles

        styles = Styles(_whole(archive, styles, filename))
    else:
        styles = None
    return ListLabels(numbering=numbering, styles=styles)
