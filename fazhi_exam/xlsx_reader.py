"""The rows of an .xlsx's first worksheet, streamed in bounded memory.

openpyxl's read-only mode still loads the whole stylesheet as objects (a 5 MB styles part of 64,000
cell formats — Excel's own maximum — costs it 130 MB) and every shared string up front; here the
styles part yields only which formats are dates, each part is read as a stream and dropped as it
goes, and the limits of limits.py are counted on the way. Cell values come out as openpyxl's gave
them (the same number casts and date rules), so files read as they always have."""
from __future__ import annotations

import zipfile
from collections.abc import Iterator

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from . import limits
from .errors import ValidationError
from .opc import drop, of_type, parse_part, relationships

S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
ROW, CELL, VALUE, INLINE, TEXT, RUN = (f"{S}{t}" for t in ("row", "c", "v", "is", "t", "r"))


class Unreadable(Exception):
    """Not a workbook this reader understands; the caller says the file is broken."""


def _events(archive: zipfile.ZipFile, name: str):
    # check_zip has refused any DOCTYPE already; entities and the network stay off all the same.
    return etree.iterparse(archive.open(name), events=("start", "end"), resolve_entities=False,
                           no_network=True, huge_tree=False)


def rows(archive: zipfile.ZipFile, filename: str) -> Iterator[tuple[int, list[str]]]:
    """(row number as Excel shows it, cell texts) for every row with content, in order."""
    from .files import cell_text

    book = of_type(relationships(archive, "", filename), "officeDocument") or "xl/workbook.xml"
    if book not in archive.NameToInfo:
        raise Unreadable(book)
    root = parse_part(archive, book, filename)
    rels = relationships(archive, book, filename)
    sheet = next((rels[s.get(R_ID)][1] for s in root.iter(f"{S}sheet")
                  if rels.get(s.get(R_ID), ("", ""))[0].endswith("/worksheet")), None)
    if sheet is None or sheet not in archive.NameToInfo:
        raise Unreadable("no worksheet")
    props = root.find(f"{S}workbookPr")
    epoch = MAC_EPOCH if props is not None and props.get("date1904") in ("1", "true") else WINDOWS_EPOCH
    strings_part, styles_part = of_type(rels, "sharedStrings"), of_type(rels, "styles")
    strings = _shared_strings(archive, strings_part, filename) if strings_part in archive.NameToInfo else []
    dates, spans = _date_styles(archive, styles_part) if styles_part in archive.NameToInfo else (set(), set())

    count = cells = 0
    number, inside, parts = 0, False, 0
    last_ref, offset, row = None, 0, {}
    for event, element in _events(archive, sheet):
        tag = element.tag
        if event == "start":
            if tag == ROW:
                number = _row_number(element.get("r"), number)
                last_ref, offset, row = None, 0, {}
            elif tag == CELL:
                inside, parts = True, 0
            elif inside:
                parts += 1
                if parts > limits.MAX_ELEMENTS_PER_ITEM:
                    raise ValidationError(f"文件“{filename}”第 {number} 行有一个单元格结构异常，已拒绝处理。")
            continue
        if tag == CELL:
            inside = False
            ref = element.get("r")
            if ref:
                last_ref, offset = ref, 0
            else:
                offset += 1  # no reference: the column after the previous cell's
            # An empty cell (a formatted blank, Excel writes many) has no children: no value to read.
            text = cell_text(_value(element, strings, dates, spans, epoch)) if len(element) else ""
            if text:
                column = (coordinate_to_tuple(last_ref)[1] if last_ref else 0) + offset
                if column > limits.MAX_COLUMNS:
                    raise ValidationError(
                        f"文件“{filename}”第 {number} 行第 {column} 列有内容，超过每行 {limits.MAX_COLUMNS} 列的上限，"
                        "已拒绝处理（请删去多余的列）。")
                cells += 1
                if cells > limits.MAX_CELLS:
                    raise ValidationError(limits.too_many(filename, cells, "个有内容的单元格", limits.MAX_CELLS,
                                                          at_least=True))
                row[column] = text
        elif tag == ROW:
            if row:
                count += 1
                if count > limits.MAX_ROWS + 1:  # the header is not counted
                    raise ValidationError(limits.too_many(filename, count - 1, "行数据", limits.MAX_ROWS,
                                                          at_least=True))
                values = [""] * max(row)
                for at, text in row.items():
                    values[at - 1] = text
                yield number, values
        elif inside:
            continue  # a cell's value: read when the cell ends
        drop(element)


def _row_number(text: str | None, previous: int) -> int:
    if not text:
        return previous + 1
    value = float(text)  # openpyxl accepts "7.0"
    if not value.is_integer():
        raise Unreadable(f"row {text}")
    return int(value)


def _value(cell, strings: list[str], dates: set[int], spans: set[int], epoch):
    """A cell's value as openpyxl's read-only, data-only mode gives it."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        found = cell.find(INLINE)
        return None if found is None else _text(found)
    value = cell.findtext(VALUE) or None
    if value is None:
        return None
    style = int(cell.get("s") or 0)
    if kind == "n":
        value = float(value) if "." in value or "E" in value or "e" in value else int(value)
        if style in dates:
            try:
                return from_excel(value, epoch, timedelta=style in spans)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return value
    if kind == "s":
        return strings[int(value)]
    if kind == "b":
        return bool(int(value))
    if kind == "d":
        return from_ISO8601(value)
    return value  # "str" (a formula's text) and "e" (an error such as #N/A) as written


def _text(element) -> str:
    """A string item: its plain text and the text of its formatted runs (phonetic guides left out)."""
    plain = element.find(TEXT)
    pieces = [plain.text or ""] if plain is not None else []
    pieces += [run.findtext(TEXT) or "" for run in element.iterfind(RUN)]
    return "".join(pieces)


def _shared_strings(archive: zipfile.ZipFile, name: str, filename: str) -> list[str]:
    strings: list[str] = []
    inside, parts = False, 0
    for event, element in _events(archive, name):
        if event == "start":
            if element.tag == f"{S}si":
                inside, parts = True, 0
            elif inside:
                parts += 1
                if parts > limits.MAX_ELEMENTS_PER_ITEM:
                    raise ValidationError(f"文件“{filename}”的第 {len(strings) + 1} 个单元格文字结构异常，已拒绝处理。")
            continue
        if element.tag == f"{S}si":
            inside = False
            if len(strings) >= limits.MAX_CELLS:
                raise ValidationError(limits.too_many(filename, len(strings) + 1, "个有内容的单元格",
                                                      limits.MAX_CELLS, at_least=True))
            strings.append(_text(element).replace("x005F_", ""))  # as openpyxl reads them
        elif inside:
            continue
        drop(element)
    return strings


def _date_styles(archive: zipfile.ZipFile, name: str) -> tuple[set[int], set[int]]:
    """Which cell formats (by index) show dates, and which of those durations — all openpyxl needs
    of a stylesheet to read values."""
    custom: dict[int, str] = {}
    kinds: dict[int, tuple[bool, bool]] = {}
    dates: set[int] = set()
    spans: set[int] = set()
    index, in_cell_formats = 0, False
    for event, element in _events(archive, name):
        tag = element.tag
        if tag == f"{S}cellXfs":
            in_cell_formats = event == "start"
        if event == "start":
            continue
        if tag == f"{S}numFmt":
            custom[int(element.get("numFmtId") or 0)] = element.get("formatCode") or ""
        elif tag == f"{S}xf" and in_cell_formats:
            number = int(element.get("numFmtId") or 0)
            if number not in kinds:
                code = custom[number] if number in custom else BUILTIN_FORMATS.get(number)
                kinds[number] = (is_date_format(code), is_timedelta_format(code))
            is_date, is_span = kinds[number]
            if is_date:
                dates.add(index)
            if is_span:
                spans.add(index)
            index += 1
        drop(element)
    return dates, spans
