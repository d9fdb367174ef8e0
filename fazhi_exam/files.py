"""Reading uploaded tables (.xlsx, .csv) safely: size and zip-bomb limits, defused XML,
Excel's habits (numbers for phone numbers, GBK-encoded CSV, blank trailing rows)."""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from .errors import ValidationError

MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 5000
MAX_ROWS = 100_000


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the user sees it, cells)


def cell_text(value) -> str:
    """A cell as the text a person sees: 13800000000.0 → '13800000000'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    for bracket in ("(", "["):
        if bracket in text:
            text = text[: text.index(bracket)]
    return "".join(text.split()).strip("*：:")


def check_zip(content: bytes, filename: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(f"文件“{filename}”不是有效的 .xlsx/.docx 文件（无法解压）。") from exc
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if len(infos) > MAX_MEMBERS or total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise ValidationError(f"文件“{filename}”解压后过大或结构异常，已拒绝处理。")
    # Office files never carry DTDs; one here can only be an entity-expansion or XXE attack.
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and _has_dtd(archive, info):
            raise ValidationError(f"文件“{filename}”包含不允许的 XML 声明（DOCTYPE/ENTITY），已拒绝处理。")


def _has_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(1 << 16):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = chunk[-16:]
    return False


def read_table(filename: str, content: bytes) -> Table:
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(filename, content)
    if name.endswith(".csv"):
        return _read_csv(filename, content)
    if name.endswith(".xls"):
        raise ValidationError("暂不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再上传。")
    raise ValidationError(f"不支持的文件类型“{filename}”，请上传 .xlsx 或 .csv 文件。")


def _read_xlsx(filename: str, content: bytes) -> Table:
    check_zip(content, filename)
    import openpyxl  # uses defusedxml when installed (it is a dependency)

    rows = []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            for number, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), 1):
                if number > MAX_ROWS + 1:
                    raise ValidationError(f"文件“{filename}”超过 {MAX_ROWS} 行，请分批导入。")
                rows.append((number, [cell_text(v) for v in values]))
        finally:
            wb.close()
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl and defusedxml raise many types for broken files
        raise ValidationError(f"无法读取 Excel 文件“{filename}”：文件已损坏或格式不对。") from exc
    return _to_table(filename, rows)


def _read_csv(filename: str, content: bytes) -> Table:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationError(f"无法识别文件“{filename}”的编码，请保存为 UTF-8 或 GBK。")
    if "\x00" in text:
        raise ValidationError(f"文件“{filename}”不是文本格式的 CSV 文件。")
    reader = csv.reader(io.StringIO(text))
    rows = []
    for number, values in enumerate(reader, 1):
        if number > MAX_ROWS + 1:
            raise ValidationError(f"文件“{filename}”超过 {MAX_ROWS} 行，请分批导入。")
        rows.append((number, [v.strip() for v in values]))
    return _to_table(filename, rows)


def _to_table(filename: str, rows: list[tuple[int, list[str]]]) -> Table:
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if not rows:
        raise ValidationError(f"文件“{filename}”是空的。")
    (_, header), data = rows[0], rows[1:]
    return Table([normalise_header(h) for h in header], data)
