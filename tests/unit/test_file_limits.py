"""Tables (.xlsx, .csv) within the limits of fazhi_exam/limits.py: each limit refuses with its Chinese
message before the rows are checked, a file at a realistic limit is read, and the streaming .xlsx
reader gives the values openpyxl gives."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest
import sqlalchemy as sa

from fazhi_exam import files, limits
from fazhi_exam.accounts import user_import
from fazhi_exam.errors import ValidationError
from fazhi_exam.extensions import db
from fazhi_exam.models import StudySession, User
from fazhi_exam.study import importing as study_import

HEADER = ["姓名", "用户名或手机号", "单位", "人员类别", "角色", "初始密码"]


def roster(n: int) -> list[list]:
    return [[f"村民{i}", f"137{i:08d}", "王庄村" if i % 2 else "李庄村", "法律明白人", "学员", "Chushi@123"]
            for i in range(n)]


def xlsx(rows: list[list], header=HEADER) -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        files.read_table(name, content)
    return caught.value.message


def test_a_roster_of_exactly_the_row_limit_is_checked_and_one_more_row_is_refused(ctx, town):
    """The real limit (20,000 people below the header), not a shrunken one."""
    rows = roster(limits.MAX_ROWS)
    report = user_import.check_file(None, "全县名单.xlsx", xlsx(rows))
    assert report.ok and len(report.rows) == limits.MAX_ROWS
    over = user_import.check_file(None, "全县名单.xlsx", xlsx(rows + roster(limits.MAX_ROWS + 1)[-1:]))
    assert [str(e) for e in over.errors] == [
        "表头：文件“全县名单.xlsx”至少有 20,001 行数据，超过每个文件 20,000 行数据的上限，已拒绝处理（请拆分成几个文件）。"]


def test_too_many_rows_refused_for_users_and_study_sheets_writing_nothing(ctx, town, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 50)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    content = xlsx(roster(60))
    report = user_import.check_file(None, "名单.xlsx", content)
    assert [e.message for e in report.errors] == [
        "文件“名单.xlsx”至少有 51 行数据，超过每个文件 50 行数据的上限，已拒绝处理（请拆分成几个文件）。"]
    with pytest.raises(ValidationError):
        user_import.apply_file(None, "名单.xlsx", content)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before
    plan = xlsx([[f"2026-03-0{1 + i % 9}", "09:00", "", f"第{i}次"] for i in range(60)],
                header=["日期", "开始时间", "结束时间", "学习主题"])
    report = study_import.import_plan(None, "计划.xlsx", plan)
    assert "至少有 51 行数据" in str(report.errors[0])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StudySession)) == 0
    csv = ("\n".join([",".join(HEADER)] + [",".join(r) for r in roster(60)])).encode()
    assert "至少有 51 行数据" in refusal("名单.csv", csv)


def test_blank_rows_do_not_count_toward_the_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    rows = [r if i % 2 else [None] * 6 for i, r in enumerate(roster(10))]  # 5 people, 5 blank rows
    assert len(files.read_table("x.xlsx", xlsx(rows)).rows) == 5


def test_columns_and_cells_over_the_limit(monkeypatch):
    far = [["张三"] + [None] * limits.MAX_COLUMNS + ["远处的字"]]
    assert refusal("x.xlsx", xlsx(far)) == (
        "文件“x.xlsx”第 2 行第 102 列有内容，超过每行 100 列的上限，已拒绝处理（请删去多余的列）。")
    assert "第 2 行有 102 列" in refusal("x.csv", ("a\n" + ",".join(["张三"] * 102)).encode())
    monkeypatch.setattr(limits, "MAX_CELLS", 100)
    assert refusal("x.xlsx", xlsx(roster(20))) == (
        "文件“x.xlsx”至少有 101 个有内容的单元格，超过每个文件 100 个有内容的单元格的上限，已拒绝处理（请拆分成几个文件）。")


def test_a_csv_cell_over_csvs_own_limit_is_a_message_not_a_crash():
    content = b'a,b\n"' + b"x" * 200_000 + b'",1\n'
    assert "第 2 行：单元格过长" in refusal("x.csv", content)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_unpacked_size_ratio_and_part_limits(monkeypatch):
    assert refusal("x.xlsx", _zip({"xl/worksheets/sheet1.xml": b"0" * 2_000_000})).startswith(
        "文件“x.xlsx”解压后过大：压缩比 ")  # "… 倍，超过 100 倍的上限（正常的 Office 文件不会这样），已拒绝处理。"
    monkeypatch.setattr(limits, "MAX_UNPACKED", 1024 * 1024)
    noise = "".join(f"{i * 2654435761 % 4294967296:08x}" for i in range(200_000)).encode()  # 1.6 MB, ratio ~2
    assert refusal("x.xlsx", _zip({"a.xml": noise})) == (
        "文件“x.xlsx”解压后过大：有 1.5 MB，超过每个文件 1.0 MB 的上限，已拒绝处理（请拆分成几个文件）。")
    monkeypatch.setattr(limits, "MAX_PART", 100)
    assert refusal("x.xlsx", xlsx(roster(3))) == "文件“x.xlsx”中的 _rels/.rels 超过 100 字节，已拒绝处理。"


def test_the_stylesheet_is_read_for_dates_only_not_loaded_by_openpyxl(monkeypatch):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "入册日期", "时间", "编号"])
    ws.append(["张三", date(2023, 7, 10), time(9, 30), 13800000000])
    ws["B2"].number_format = "yyyy\"年\"m\"月\"d\"日\""  # a custom date format
    ws.append(["李四", datetime(2024, 1, 2), None, 1.5])
    buf = io.BytesIO()
    wb.save(buf)
    monkeypatch.setattr(openpyxl, "load_workbook", None)  # the reader must not need it
    table = files.read_table("x.xlsx", buf.getvalue())
    assert table.rows == [(2, ["张三", "2023-07-10T00:00:00", "09:30:00", "13800000000"]),
                          (3, ["李四", "2024-01-02T00:00:00", "", "1.5"])]


def _openpyxl_rows(content: bytes) -> list[tuple[int, list[str]]]:
    """What files.read_table gave before the streaming reader: openpyxl's read-only mode."""
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = []
    for number, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), 1):
        cells = [files.cell_text(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append((number, cells))
    wb.close()
    return rows


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_streamed_values_are_openpyxls(epoch_1904):
    wb = openpyxl.Workbook()
    if epoch_1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["姓名", "日期（必填）", "数", "布尔", None, "时间"])
    ws.append(["张三", date(2023, 7, 10), 13800000000, True, None, time(9, 30)])
    ws.append(["李四", datetime(2023, 7, 10, 8, 0), 1.5, False, "x", None])
    ws["B4"], ws["C4"], ws["D4"] = 45000, 45000, "=SUM(C2:C3)"
    ws["B4"].number_format, ws["C4"].number_format = "yyyy/mm/dd", "0.00"
    ws["H9"], ws["A12"], ws["C13"] = "远处", "  有空格  ", "<&>"
    wb.create_sheet("第二页").append(["不读"])
    buf = io.BytesIO()
    wb.save(buf)
    expected = _openpyxl_rows(buf.getvalue())
    table = files.read_table("x.xlsx", buf.getvalue())
    assert table.header == [files.normalise_header(h) for h in expected[0][1]]
    assert table.rows == expected[1:]


def test_inline_and_rich_shared_strings():
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>用户名</t></is></c></row>'
             '<row r="3"><c r="A3" t="s"><v>1</v></c><c t="str"><v>公式结果</v></c><c t="e"><v>#N/A</v></c>'
             '<c r="E3" s="1"/><c><v>7</v></c></row>'
             '</sheetData></worksheet>')
    strings = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>姓名</t></si>'
               '<si><r><t>张</t></r><r><rPr><b/></rPr><t>三</t></r><rPh><t>zhang</t></rPh></si></sst>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s" '
            'Target="%s"/>%s</Relationships>')
    content = _zip({
        "_rels/.rels": (rels % ("officeDocument", "xl/workbook.xml", "")).encode(),
        "xl/workbook.xml": b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                           b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                           b'<sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": (rels % ("worksheet", "worksheets/sheet1.xml",
                                               '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                                               'officeDocument/2006/relationships/sharedStrings" '
                                               'Target="/xl/sharedStrings.xml"/>')).encode(),
        "xl/worksheets/sheet1.xml": sheet.encode(),
        "xl/sharedStrings.xml": strings.encode(),
    })
    table = files.read_table("x.xlsx", content)
    assert table.header == ["姓名", "用户名"]
    assert table.rows == [(3, ["张三", "公式结果", "#N/A", "", "", "7"])]


def test_too_many_shared_strings(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 10)
    assert "至少有 11 个有内容的单元格" in refusal("x.xlsx", xlsx([[f"不同的字{i}"] for i in range(20)]))
