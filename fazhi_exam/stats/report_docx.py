"""The annual report section as a Word document: title, the sentences, the tables they come from and
the definitions (report.py words them)."""
from __future__ import annotations

import io
from datetime import datetime

from .report import Table, definitions, generated_line, paragraphs, tables, title
from .year import YearSummary


def _font(run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def _docx_table(doc, table: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    heading = doc.add_paragraph()
    _font(heading.add_run(table.title), "黑体", 12)
    grid = doc.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    head = grid.rows[0]
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(head.cells, table.header, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), "黑体", 9)
    if not table.rows:
        row = grid.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        _font(merged.paragraphs[0].add_run("（本年度无记录）"), "宋体", 9)
    for values in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _font(cell.paragraphs[0].add_run(text), "宋体", 9)
    doc.add_paragraph()


def docx_bytes(summary: YearSummary, unit_name: str, *, generated_at: datetime | None = None) -> bytes:
    """Title, the sentences, the tables (on landscape pages), the definitions and when it was made."""
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    doc.core_properties.title = title(summary.year, unit_name)
    doc.core_properties.author = "法治学考"
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.6))
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "仿宋")

    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(title(summary.year, unit_name)), "黑体", 18, bold=True)
    for text in paragraphs(summary):
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(28)
        p.paragraph_format.line_spacing = 1.5
        _font(p.add_run(text), "仿宋", 14)

    tables_section = doc.add_section(WD_SECTION.NEW_PAGE)
    tables_section.orientation = WD_ORIENT.LANDSCAPE
    tables_section.page_width, tables_section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(tables_section, side, Cm(1.8))
    heading = doc.add_paragraph()
    _font(heading.add_run("附表：上述数据的来源"), "黑体", 14, bold=True)
    for table in tables(summary):
        _docx_table(doc, table)

    heading = doc.add_paragraph()
    _font(heading.add_run("统计口径说明"), "黑体", 12, bold=True)
    for i, text in enumerate(definitions(), 1):
        _font(doc.add_paragraph().add_run(f"{i}. {text}"), "宋体", 10)
    _font(doc.add_paragraph().add_run(generated_line(generated_at)), "宋体", 10)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
