"""Bulk user import: the whole file or nothing, every bad row named, real file quirks."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa

from fazhi_exam.accounts import user_import
from fazhi_exam.errors import ValidationError
from fazhi_exam.extensions import db
from fazhi_exam.models import User
from tests.unit.test_passwords import PERSON, RULE_CASES

HEADER = ["姓名", "用户名或手机号", "单位", "人员类别", "角色", "初始密码"]


def people(n: int) -> list[list]:
    rows = []
    for i in range(n):
        village = "王庄村" if i % 2 else "李庄村"
        cohorts = "法律明白人" if i % 3 else "村干部、党员"
        rows.append([f"村民{i:03d}", 13700000000 + i, village, cohorts, "学员", "Chushi@123"])
    return rows


def xlsx(rows: list[list], header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.append([])  # blank trailing rows, as Excel files have
    ws.append([None, None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


@pytest.fixture
def villages(town):
    return town


def test_200_rows_with_three_bad_imports_nothing_and_names_them(ctx, villages):
    rows = people(200)
    rows[9][2] = "不存在村"          # file row 11: unknown village
    rows[49][1] = rows[48][1]        # file row 51: duplicate username within the file
    rows[149][0] = ""                # file row 151: empty name
    content = xlsx(rows)
    report = user_import.check_file(None, "名单.xlsx", content)
    assert not report.ok
    messages = [str(e) for e in report.errors]
    assert len(messages) == 3, messages
    assert messages[0].startswith("第 11 行「单位」") and "不存在村" in messages[0]
    assert messages[1].startswith("第 51 行「用户名或手机号」") and "与第 50 行重复" in messages[1]
    assert messages[2].startswith("第 151 行「姓名」") and "不能为空" in messages[2]
    before = user_count()
    with pytest.raises(ValidationError):
        user_import.apply_file(None, "名单.xlsx", content)
    db.session.rollback()
    assert user_count() == before

    fixed = xlsx(people(200))
    report = user_import.apply_file(None, "名单.xlsx", fixed)
    db.session.commit()
    assert report.created == 200
    assert user_count() == before + 200
    user = db.session.scalar(sa.select(User).where(User.username == "13700000000"))
    assert user.phone == "13700000000"  # a number cell read as the text people typed
    assert user.must_change_password and user.org_unit.name == "李庄村"
    assert {c.name for c in user.cohorts} == {"村干部", "党员"}


def test_existing_username_and_unknown_cohort_and_role(ctx, villages, make_user):
    make_user("13700000001")
    rows = people(3)
    rows[2][3] = "网红"
    rows[0][4] = "站长"
    report = user_import.check_file(None, "a.xlsx", xlsx(rows))
    text = "\n".join(map(str, report.errors))
    assert "第 3 行「用户名或手机号」" in text and "已被系统中的其他账号使用" in text
    assert "第 4 行「人员类别」：未知的人员类别“网红”" in text
    assert "第 2 行「角色」：未知的角色“站长”" in text


def test_missing_column_is_reported_by_name(ctx, villages):
    report = user_import.check_file(None, "a.xlsx", xlsx([["张三", "zs", "王庄村"]],
                                                         header=["姓名", "用户名", "单位"]))
    assert [str(e) for e in report.errors][0].startswith("表头「人员类别」：缺少")


def test_csv_in_gbk_with_fullwidth_and_commas(ctx, villages):
    text = ("姓名,用户名或手机号,单位,人员类别,角色,初始密码\n"
            "张三,１３６００００００００,王庄村,\"村干部，党员\",学员、培训管理员,Chushi@123\n")
    report = user_import.apply_file(None, "名单.csv", text.encode("gb18030"))
    db.session.commit()
    assert report.created == 1
    user = db.session.scalar(sa.select(User).where(User.username == "13600000000"))
    assert {c.name for c in user.cohorts} == {"村干部", "党员"}
    assert user.roles == {"learner", "trainer"}
    assert user.scope_org_unit.name == "王庄村"  # a village trainer manages the village


def test_utf8_bom_csv(ctx, villages):
    text = "\ufeff姓名,用户名或手机号,单位,人员类别,角色,初始密码\n李四,lisi,大张楼镇/王庄村,法律明白人,,Chushi@123\n"
    assert user_import.apply_file(None, "x.csv", text.encode("utf-8")).created == 1


@pytest.mark.parametrize("name, content, expected", [
    ("x.xlsx", b"PK\x03\x04 not really a zip", "不是有效的"),
    ("x.xlsx", b"", "不是有效的"),
    ("x.xls", b"\xd0\xcf\x11\xe0", "另存为"),
    ("x.pdf", b"%PDF-1.4", "不支持的文件类型"),
    ("x.csv", b"", "是空的"),
])
def test_malformed_files_get_a_clear_message(ctx, name, content, expected):
    report = user_import.check_file(None, name, content)
    assert not report.ok and expected in str(report.errors[0])


def test_zip_bomb_is_refused_before_parsing(ctx):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<x/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (150 * 1024 * 1024))
    report = user_import.check_file(None, "bomb.xlsx", buf.getvalue())
    assert not report.ok and "解压后过大" in str(report.errors[0])


def test_xml_entity_attack_is_refused(ctx):
    wb = openpyxl.Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    evil = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</workbook>')
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            z.writestr(item, evil if item.filename == "xl/workbook.xml" else src.read(item))
    report = user_import.check_file(None, "evil.xlsx", out.getvalue())
    assert not report.ok and "DOCTYPE" in str(report.errors[0])


def test_cli_import_dry_run_then_real(app, runner, villages, tmp_path):
    bad = tmp_path / "bad.xlsx"
    rows = people(5)
    rows[1][2] = "外星村"
    bad.write_bytes(xlsx(rows))
    result = runner.invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 1
    assert "第 3 行「单位」" in result.output and "未导入任何人员" in result.output
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(people(5)))
    result = runner.invoke(args=["users", "import", str(good), "--dry-run"])
    assert result.exit_code == 0 and "将导入 5 名人员" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.name == "村民000")) is None
    result = runner.invoke(args=["users", "import", str(good)])
    assert result.exit_code == 0 and "已导入 5 名人员" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.name == "村民000")) is not None


def test_web_import_preview_then_confirm(app, client, auth, make_user, villages):
    make_user("admin", roles={"admin"})
    auth.login("admin")
    template = client.get("/admin/users/import/template.xlsx")
    assert template.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(template.data)).active["A1"].value == "姓名"
    rows = people(4)
    rows[3][2] = "外星村"
    token = auth.csrf("/admin/users/import")
    page = client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(xlsx(rows)), "名单.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "未导入任何人员" in page and "第 5 行「单位」" in page and "确认导入" not in page
    page = client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(xlsx(people(4))), "名单.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "将导入 <strong>4</strong> 名人员" in page
    import re
    action = re.search(r'action="(/admin/users/import/[^"]+)"', page).group(1)
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.name == "村民000")) is None
    response = client.post(action, data={"csrf_token": token})
    assert response.status_code == 302
    assert "已导入 4 名人员" in client.get("/admin/users").get_data(as_text=True)
    assert client.post(action, data={"csrf_token": token}).status_code == 404  # used up


def test_oversize_upload_gets_413_and_changes_nothing(app, client, auth, make_user):
    make_user("admin", roles={"admin"})
    auth.login("admin")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = client.post("/admin/users/import", data={
        "csrf_token": auth.csrf(), "file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "big.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert "不能超过 1 MB" in response.get_data(as_text=True)


def test_each_weak_initial_password_is_named_by_row_with_its_rule(ctx, villages):
    rows = []
    for password, _ in RULE_CASES:
        # the phone cases need the phone as the account, the others the username
        account = PERSON["phone"] if "1380000" in password or "0000831" in password \
            else PERSON["username"]
        rows.append([PERSON["name"], account, "王庄村", "法律明白人", "学员", password])
    report = user_import.check_file(None, "名单.xlsx", xlsx(rows))
    assert not report.ok and not report.rows
    found = {(e.row, e.column): e.message for e in report.errors}
    for number, (password, message) in enumerate(RULE_CASES, start=2):
        assert message in found.get((number, "初始密码"), ""), (number, password, found)
    before = user_count()
    with pytest.raises(ValidationError):
        user_import.apply_file(None, "名单.xlsx", xlsx(rows))
    db.session.rollback()
    assert user_count() == before


def test_template_example_passwords_follow_the_rule(ctx, villages):
    wb = openpyxl.load_workbook(io.BytesIO(user_import.template_workbook()))
    examples = [[str(c.value) for c in row] for row in wb["人员名单"].iter_rows(min_row=2)]
    errors = user_import.check_file(None, "模板.xlsx", xlsx(examples)).errors
    assert len(examples) == 2 and [e for e in errors if e.column == "初始密码"] == []
    assert any("至少 8 位" in str(r[0].value) for r in wb["填写说明"].iter_rows())


def test_optional_join_date_column_dates_the_roster(app, runner, villages, tmp_path):
    """入册日期 may be an Excel date, 2023/7/10 or 2023年7月10日; empty means the day of the import;
    an unreadable or future date is named by row, and nothing is imported."""
    from datetime import UTC, date, datetime

    from fazhi_exam import clock
    from fazhi_exam.accounts import roster

    clock.freeze(datetime(2024, 3, 1, 2, 0, tzinfo=UTC))
    header = HEADER + ["入册日期"]
    rows = [r + [d] for r, d in zip(people(4), [datetime(2023, 1, 1), "2023/7/10", "2023年7月10日", None],
                                    strict=True)]
    bad = [r[:] for r in rows]
    bad[1][6], bad[2][6] = "去年夏天", "2024-03-02"
    path = tmp_path / "dated.xlsx"
    path.write_bytes(xlsx(bad, header))
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert "第 3 行「入册日期」：日期“去年夏天”无法识别" in result.output
    assert "第 4 行「入册日期」：入册日期 2024-03-02 晚于今天" in result.output
    path.write_bytes(xlsx(rows, header))
    dry = runner.invoke(args=["users", "import", str(path), "--dry-run"])
    assert "入册日期 2023-07-10" in dry.output and "入册日期 导入当天" in dry.output
    assert runner.invoke(args=["users", "import", str(path)]).exit_code == 0
    with app.app_context():
        ids = [db.session.scalar(sa.select(User.id).where(User.name == f"村民{i:03d}"))
               for i in range(4)]
        begins = [min(m.begins_on for m in roster.history(uid)) for uid in ids]
        assert begins == [date(2023, 1, 1), date(2023, 7, 10), date(2023, 7, 10), date(2024, 3, 1)]
        assert roster.unit_on(ids[1], date(2023, 7, 9)) is None


def test_template_has_the_join_date_column(ctx):
    wb = openpyxl.load_workbook(io.BytesIO(user_import.template_workbook()))
    assert [c.value for c in wb.active[1]][-1] == "入册日期"
    assert any("入册日期" in (row[0].value or "") for row in wb["填写说明"].iter_rows())


def test_web_preview_shows_each_join_date(app, client, auth, make_user, villages):
    make_user("admin", roles={"admin"})
    auth.login("admin")
    rows = [people(2)[0] + ["2023-07-10"], people(2)[1] + [""]]
    page = client.post("/admin/users/import", data={
        "csrf_token": auth.csrf("/admin/users/import"),
        "file": (io.BytesIO(xlsx(rows, HEADER + ["入册日期"])), "名单.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "将导入 <strong>2</strong> 名人员" in page
    assert "<td>2023-07-10</td>" in page and "<td>导入当天</td>" in page
