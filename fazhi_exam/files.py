"""Reading uploaded tables (.xlsx, .csv) safely: the limits of limits.py, zip-bomb checks, defused
XML, Excel's habits (numbers for phone numbers, GBK-encoded CSV, blank trailing rows)."""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from . import limits
from .errors import ValidationError


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


def check_zip(content: bytes, filename: str) -> zipfile.ZipFile:
    """The archive of an .xlsx/.docx, once its directory is within the limits and no XML part has a DTD.
    zipfile itself stops at each member's stated size, so the stated sizes are the real ones."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(f"文件“{filename}”不是有效的 .xlsx/.docx 文件（无法解压）。") from exc
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if len(infos) > limits.MAX_MEMBERS:
        raise ValidationError(f"文件“{filename}”解压后过大：包含 {limits.n(len(infos))} 个文件，"
                              f"超过 {limits.n(limits.MAX_MEMBERS)} 个的上限，已拒绝处理。")
    if total > limits.MAX_UNPACKED:
        raise ValidationError(f"文件“{filename}”解压后过大：有 {limits.megabytes(total)}，超过每个文件 "
                              f"{limits.megabytes(limits.MAX_UNPACKED)} 的上限，{limits.SPLIT}")
    if total / packed > limits.MAX_RATIO:
        raise ValidationError(f"文件“{filename}”解压后过大：压缩比 {total / packed:.0f} 倍，超过 {limits.MAX_RATIO} "
                              "倍的上限（正常的 Office 文件不会这样），已拒绝处理。")
    # Office files never carry DTDs; one here can only be an entity-expansion or XXE attack.
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and _has_dtd(archive, info):
            raise ValidationError(f"文件“{filename}”包含不允许的 XML 声明（DOCTYPE/ENTITY），已拒绝处理。")
    return archive


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
    from . import xlsx_reader

    archive = check_zip(content, filename)
    try:
        rows = list(xlsx_reader.rows(archive, filename))
    except ValidationError:
        raise
    except Exception as exc:  # lxml, zipfile and broken parts raise many types
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
    rows, cells = [], 0
    reader = csv.reader(io.StringIO(text))
    try:
        for number, values in enumerate(reader, 1):
            values = [v.strip() for v in values]
            while values and not values[-1]:
                values.pop()
            if not values:
                continue
            if len(values) > limits.MAX_COLUMNS:
                raise ValidationError(f"文件“{filename}”第 {number} 行有 {len(values)} 列，超过每行 "
                                      f"{limits.MAX_COLUMNS} 列的上限，已拒绝处理（请删去多余的列）。")
            cells += sum(1 for v in values if v)
            if cells > limits.MAX_CELLS:
                raise ValidationError(limits.too_many(filename, cells, "个有内容的单元格", limits.MAX_CELLS,
                                                      at_least=True))
            rows.append((number, values))
            if len(rows) > limits.MAX_ROWS + 1:  # the header is not counted
                raise ValidationError(limits.too_many(filename, len(rows) - 1, "行数据", limits.MAX_ROWS,
                                                      at_least=True))
    except csv.Error as exc:  # a field over csv's own limit (128 KB)
        raise ValidationError(f"无法读取 CSV 文件“{filename}”第 {reader.line_num} 行：单元格过长"
                              "（超过 131,072 个字）或引号不配对。") from exc
    return _to_table(filename, rows)


def _to_table(filename: str, rows: list[tuple[int, list[str]]]) -> Table:
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if not rows:
        raise ValidationError(f"文件“{filename}”是空的。")
    (_, header), data = rows[0], rows[1:]
    return Table([normalise_header(h) for h in header], data)
