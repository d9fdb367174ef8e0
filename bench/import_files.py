"""Upload-sized files for bench_import_files: near the import limits or hostile, built directly
(raw zip and XML, so a 90 MB sheet takes a second to write, not a minute in openpyxl)."""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CT = "application/vnd.openxmlformats-officedocument"

_HAN = "法律条例规定行政处罚许可强制复议诉讼民事刑事婚姻继承合同物权侵权责任村民委员会人民调解劳动社会保障土地承包"


def _words(seed: int, n: int) -> str:
    """Chinese-looking text that does not repeat (so it compresses like a real bank, not like a bomb)."""
    out, x = [], seed * 2654435761 % 4294967296 or 1
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        out.append(_HAN[x % len(_HAN)])
    return "".join(out)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _column(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


STYLED = object()  # an empty cell that only carries a format, as Excel writes a formatted range


def xlsx(rows: Iterable[list], *, shared: bool = True, formats: int = 0, refs: bool = True) -> bytes:
    """A one-sheet workbook; str cells as shared strings (as Excel writes them) or inline; `formats`
    cell formats in the stylesheet (Excel allows 64,000; bloated office files come close)."""
    buffer = io.BytesIO()
    strings: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _XML + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.spreadsheetml.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
            '</Types>'))
        archive.writestr("_rels/.rels", _XML + (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", _XML + (
            f'<workbook xmlns="{_S}" xmlns:r="{_REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            '</sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", _XML + (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            f'Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" '
            f'Type="{_REL}/styles" Target="styles.xml"/></Relationships>'))
        xfs = "".join(f'<xf numFmtId="{(0, 14, 2, 49)[i % 4]}" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                      for i in range(max(formats, 2)))
        archive.writestr("xl/styles.xml", _XML + (
            f'<styleSheet xmlns="{_S}"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
            f'<cellXfs count="{max(formats, 2)}">{xfs}</cellXfs></styleSheet>'))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((_XML + f'<worksheet xmlns="{_S}"><sheetData>').encode())
            chunk: list[str] = []
            for r, row in enumerate(rows, 1):
                cells = []
                for c, value in enumerate(row):
                    ref = f"{_column(c)}{r}"
                    at = f' r="{ref}"' if refs else ""  # the cell reference is optional; some writers leave it out
                    if value is STYLED:
                        cells.append(f'<c{at} s="1"/>')
                        continue
                    if value is None or value == "":
                        continue
                    if isinstance(value, int | float):
                        cells.append(f'<c{at}><v>{value}</v></c>')
                    elif shared:
                        index = strings.setdefault(value, len(strings))
                        cells.append(f'<c{at} t="s"><v>{index}</v></c>')
                    else:
                        cells.append(f'<c{at} t="inlineStr"><is><t>{_esc(value)}</t></is></c>')
                chunk.append(f'<row r="{r}">{"".join(cells)}</row>')
                if len(chunk) >= 1000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as sst:
            sst.write((_XML + f'<sst xmlns="{_S}" uniqueCount="{len(strings)}">').encode())
            chunk = []
            for text in strings:
                chunk.append(f"<si><t>{_esc(text)}</t></si>")
                if len(chunk) >= 1000:
                    sst.write("".join(chunk).encode())
                    chunk = []
            sst.write(("".join(chunk) + "</sst>").encode())
    return buffer.getvalue()


def _word_styles() -> bytes:
    """Word's own style sheet (164 styles, 430 KB), as python-docx's template carries it."""
    import os

    import docx as python_docx

    with zipfile.ZipFile(os.path.join(os.path.dirname(python_docx.__file__), "templates", "default.docx")) as z:
        return z.read("word/styles.xml")


def docx(paragraphs: Iterable[str], *, styles: bool = True) -> bytes:
    """A Word document, one paragraph per string, with Word's style sheet; headings ("一、…") styled."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _XML + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{_CT}.wordprocessingml.document.main+xml"/>'
            f'<Override PartName="/word/styles.xml" ContentType="{_CT}.wordprocessingml.styles+xml"/>'
            '</Types>'))
        archive.writestr("_rels/.rels", _XML + (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="word/document.xml"/></Relationships>'))
        if styles:
            archive.writestr("word/_rels/document.xml.rels", _XML + (
                f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/styles" '
                'Target="styles.xml"/></Relationships>'))
            archive.writestr("word/styles.xml", _word_styles())
        with archive.open("word/document.xml", "w", force_zip64=True) as body:
            body.write((_XML + f'<w:document xmlns:w="{_W}"><w:body>').encode())
            chunk: list[str] = []
            for text in paragraphs:
                space = ' xml:space="preserve"' if text != text.strip() else ""
                heading = '<w:pPr><w:pStyle w:val="Heading2"/></w:pPr>' if styles and text.startswith("一、") else ""
                chunk.append(f"<w:p>{heading}<w:r><w:t{space}>{_esc(text)}</w:t></w:r></w:p>")
                if len(chunk) >= 2000:
                    body.write("".join(chunk).encode())
                    chunk = []
            body.write(("".join(chunk) + "<w:sectPr/></w:body></w:document>").encode())
    return buffer.getvalue()


# --- what the files hold ---------------------------------------------------------------------------

BANK_HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "法律依据", "难度", "标签"]


def bank_rows(n: int) -> Iterator[list]:
    yield BANK_HEADER
    for i in range(n):
        yield ["单选题", f"第{i}题：{_words(i, 40)}？", _words(i + 1, 8), _words(i + 2, 8), _words(i + 3, 8),
               _words(i + 4, 8), "ABCD"[i % 4], _words(i + 5, 30), "《中华人民共和国行政处罚法》第五条",
               1 + i % 5, "执法"]


def text_questions(n: int) -> Iterator[str]:
    """The usual pasted layout: a heading per thousand questions (numbers stay under 1,000, as in real
    files), numbered stems, options, answer and explanation lines."""
    for i in range(n):
        if i % 1000 == 0:
            yield "一、单项选择题"
        yield f"{i % 1000 + 1}. {_words(i, 40)}（  ）。"
        yield f"A. {_words(i + 1, 8)}  B. {_words(i + 2, 8)}"
        yield f"C. {_words(i + 3, 8)}  D. {_words(i + 4, 8)}"
        yield f"答案：{'ABCD'[i % 4]}"
        yield f"解析：{_words(i + 5, 30)}"
        yield ""


def gift_questions(n: int) -> Iterator[str]:
    for i in range(n):
        yield f"::第{i + 1}题:: {_words(i, 40)} {{={_words(i + 1, 8)} ~{_words(i + 2, 8)} ~{_words(i + 3, 8)}}}"
        yield ""


def native_questions(n: int) -> dict:
    return {"bank": "压测", "questions": [
        {"type": "single", "stem": f"第{i}题：{_words(i, 40)}？",
         "options": [_words(i + k, 8) for k in range(1, 5)], "answer": "ABCD"[i % 4],
         "explanation": _words(i + 5, 30), "basis": "《中华人民共和国行政处罚法》第五条", "difficulty": 3,
         "tags": ["执法"]} for i in range(n)]}


def roster_rows(n: int, units: list[str]) -> Iterator[list]:
    yield ["姓名", "用户名或手机号", "单位", "人员类别", "角色", "初始密码"]
    for i in range(n):
        yield [f"张{_words(i, 2)}", f"139{i:08d}", units[i % len(units)], "村干部", "学员", f"Pw@{i:06d}xy"]


def json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()
