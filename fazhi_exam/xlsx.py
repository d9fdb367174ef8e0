"""Writing simple .xlsx sheets (streamed) and .csv tables from a header and rows; text is always
text (a name that starts with = + - @ never becomes a formula — in a .csv it gets a leading ')."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import xlsx_writer

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"  # Flask adds "; charset=utf-8" to text/ types itself
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Percent:
    """A rate 0–1 written as a number shown as a percentage (0.933 → 93.3%); None: blank."""

    value: float | None


def workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """sheets: (title, header, rows) for each sheet; written by xlsx_writer (header frozen, widths set)."""
    return xlsx_writer.write(sheets, Percent)


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
