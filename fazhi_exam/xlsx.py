"""Writing simple .xlsx sheets (streamed) and .csv tables from a header and rows; text is always
text (a name that starts with = + - @ never becomes a formula — in a .csv it gets a leading ')."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Percent:
    """A rate 0–1 written as a number shown as a percentage (0.933 → 93.3%); None: blank."""

    value: float | None


def text_cell(ws, value, *, bold: bool = False):
    """A value for a write-only row. Plain values go as they are (openpyxl stores a str as text
    unless it starts with "="); a cell object only where text must be forced, or for a format."""
    if isinstance(value, Percent):
        cell = WriteOnlyCell(ws, value=value.value)
        cell.number_format = "0.0%"
        return cell
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not bold and not value.startswith("="):
            return value
    elif not bold:
        return value
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """sheets: (title, header, rows) for each sheet."""
    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append([text_cell(ws, h, bold=True) for h in header])
        for row in rows:
            ws.append([text_cell(ws, v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM (so Excel opens it as UTF-8); formula-like text is prefixed with '."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_value(value):
    if isinstance(value, Percent):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
