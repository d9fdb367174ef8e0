"""Statistics over the web: the API, the pages with the names behind each number, the exports
(opened with openpyxl, cell by cell), formula injection, the CLI, and who may see what."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.conftest import Api


@pytest.fixture
def scores(app, world, make_user, make_exam, sit):
    """王庄村: zhang 13 (pass), li 0; 李庄村: "=1+2" never starts (a name that looks like a formula)."""
    ids = dict(world)
    ids["formula"] = make_user("formula", name="=1+2", unit="李庄村", cohorts=["村干部"])
    ids["admin"] = make_user("boss", roles={"admin"})
    ids["village"] = make_user("cunguan", roles={"admin"}, unit="王庄村", scope="王庄村")
    exam_id = make_exam()
    sit(ids["zhang"], exam_id)
    sit(ids["li"], exam_id, right=0)
    return ids, exam_id


def _api(app, username):
    api = Api(app.test_client())
    assert api.login(username).status_code == 200
    return api


def test_exam_stats_api(app, scores, client):
    ids, exam_id = scores
    assert client.get(f"/api/v1/exams/{exam_id}/stats").status_code == 401
    assert _api(app, "zhang").call("GET", f"/api/v1/exams/{exam_id}/stats").status_code == 403
    trainer = _api(app, "peixun")
    assert trainer.call("GET", "/api/v1/exams/9999/stats").status_code == 404
    data = trainer.call("GET", f"/api/v1/exams/{exam_id}/stats").get_json()
    t = data["total"]
    assert (t["expected"], t["took"], t["missed"], t["passed"], t["failed"]) == (3, 2, 1, 1, 1)
    assert t["took_rate"] == pytest.approx(2 / 3) and t["pass_rate"] == 0.5
    assert (t["mean"], t["max"], t["min"]) == (6.5, 13, 0)
    units = {u["unit"]: (u["expected"], u["took"], u["passed"]) for u in data["by_unit"]}
    assert units == {"王庄村": (2, 2, 1), "李庄村": (1, 0, 0)}
    assert [c["cohort"] for c in data["by_cohort"]] == ["村干部"]
    assert sum(b["count"] for b in data["score_bands"]) == 2
    year = trainer.call("GET", "/api/v1/stats/years/2023").get_json()
    assert [(e["id"], e["expected"], e["passed"]) for e in year["exams"]] == [(exam_id, 3, 1)]
    assert year["groups"]["cadre"]["exams"] == 1
    assert trainer.call("GET", "/api/v1/stats?year=2023").get_json() == year
    items = trainer.call("GET", f"/api/v1/exams/{exam_id}/items").get_json()["items"]
    assert items and all(0 <= i["facility"] <= 1 for i in items)


def test_village_admin_sees_only_the_village(app, scores):
    _, exam_id = scores
    data = _api(app, "cunguan").call("GET", f"/api/v1/exams/{exam_id}/stats").get_json()
    assert data["scope"] == "王庄村"
    assert (data["total"]["expected"], data["total"]["took"]) == (2, 2)
    assert [u["unit"] for u in data["by_unit"]] == ["王庄村"]


def test_village_admin_export_has_no_item_analysis(app, scores, auth, client):
    """Item analysis shows the keys; it is for town trainers and admins, not in a village's export."""
    auth.login("cunguan")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/stats/export?year=2023").data), read_only=True)
    assert "试题分析" not in book.sheetnames and "成绩明细" in book.sheetnames
    assert client.get("/stats/export?year=2023&format=csv&table=items").status_code == 404
    assert "试题分析.csv" not in client.get("/stats/?year=2023").get_data(as_text=True)
    auth.logout()
    auth.login("boss")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/stats/export?year=2023").data), read_only=True)
    assert "试题分析" in book.sheetnames


def test_pages_link_numbers_to_names(app, scores, auth, client):
    _, exam_id = scores
    auth.login("peixun")
    page = client.get(f"/stats/exams/{exam_id}").get_data(as_text=True)
    assert f"/stats/exams/{exam_id}/people?who=passed" in page and "<svg" in page
    missed = client.get(f"/stats/exams/{exam_id}/people?who=missed").get_data(as_text=True)
    assert "=1+2" in missed and "测试zhang" not in missed
    passed = client.get(f"/stats/exams/{exam_id}/people?who=passed").get_data(as_text=True)
    assert "测试zhang" in passed and "测试li" not in passed
    assert client.get(f"/stats/exams/{exam_id}/people?who=nobody").status_code == 404
    assert client.get(f"/stats/exams/{exam_id}/items").status_code == 200
    auth.logout()
    auth.login("zhang")
    assert client.get(f"/stats/exams/{exam_id}").status_code == 403


def test_xlsx_export_cell_by_cell(app, scores, auth, client):
    _, exam_id = scores
    auth.login("boss")
    response = client.get("/stats/export?year=2023&format=xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''2023" in response.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["成绩汇总表", "成绩明细", "集中学法出勤", "出勤明细", "在线学习进度", "试题分析"]
    rows = list(wb["成绩汇总表"].iter_rows(values_only=True))
    assert rows[0] == ("考试", "单位", "应考人数", "参考人数", "参考率", "合格人数", "其中补考合格", "合格率", "平均分",
                       "最高分", "最低分", "免考人数")
    title = "2023年第一次镇村干部普法考试"
    assert rows[1] == (title, "王庄村", 2, 2, 1, 1, 0, 0.5, 6.5, 13, 0, 0)  # the page's 最高分 / 最低分 too
    assert rows[2] == (title, "李庄村", 1, 0, 0, 0, 0, None, None, None, None, 0)
    assert rows[3][:4] == (title, "合计", 3, 2) and rows[3][4] == pytest.approx(2 / 3)
    assert wb["成绩汇总表"]["H2"].number_format == "0.0%"
    people = {r[2]: r for r in wb["成绩明细"].iter_rows(min_row=2, values_only=True)}
    assert people["测试zhang"][4:] == (13, "合格") and people["测试li"][4:] == (0, "不合格")
    formula = wb["成绩明细"].cell(row=[r[2] for r in wb["成绩明细"].iter_rows(values_only=True)].index("=1+2") + 1,
                                  column=3)
    assert formula.value == "=1+2" and formula.data_type == "s"  # text, never a formula


def test_csv_export_has_bom_and_defuses_formulas(app, scores, auth, client):
    auth.login("boss")
    response = client.get("/stats/export?year=2023&format=csv&table=scores")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["考试", "单位", "姓名", "账号", "成绩", "结果"]
    formula = next(r for r in rows if r[3] == "formula")
    assert formula[2:] == ["'=1+2", "formula", "", "缺考"]
    summary = list(csv.reader(io.StringIO(client.get("/stats/export?year=2023&format=csv").data.decode("utf-8-sig"))))
    assert summary[1][4:] == ["100%", "1", "0", "50.0%", "6.5", "13.0", "0.0", "0"]
    assert client.get("/stats/export?year=2023&format=csv&table=nope").status_code == 404


def test_cli_export(app, runner, scores, tmp_path):
    out = tmp_path / "统计.xlsx"
    result = runner.invoke(args=["stats", "export", "--year", "2023", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 场正式考试" in result.output
    assert openpyxl.load_workbook(out)["成绩汇总表"]["C4"].value == 3
    bad = runner.invoke(args=["stats", "export", "--year", "2023", "-o", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0 and "应以 .xlsx 或 .csv 结尾" in bad.output


def test_dashboard_for_the_year(app, scores, auth, client):
    _, exam_id = scores
    auth.login("peixun")
    page = client.get("/stats/?year=2023").get_data(as_text=True)
    assert "2023年学法考法统计" in page and "2023年第一次镇村干部普法考试" in page
    assert f'href="/stats/exams/{exam_id}/people?who=passed' in page  # the number links to the names
    assert "<svg" in page and "cdn" not in page.lower()
    assert 'title="合格率 = 合格人数 ÷ 参考人数（通行口径）。"' in page  # the definition as a tooltip
    assert client.get("/stats/attendance?year=2023").status_code == 200
    empty = client.get("/stats/?year=2022").get_data(as_text=True)
    assert "本年度没有正式考试" in empty
    auth.logout()
    auth.login("zhang")
    assert client.get("/stats/?year=2023").status_code == 403


def test_one_word_for_each_figure_in_page_export_and_report(app, scores, auth, client):
    """The page's column heads, the export's and the report's are the glossary's names for the same
    figures, and no avoided word (及格, 实考 …) is in any of them."""
    import docx

    from fazhi_exam import glossary

    _, exam_id = scores
    auth.login("boss")
    page = client.get(f"/stats/exams/{exam_id}").get_data(as_text=True)
    heads = [glossary.short(k) for k in ("expected", "took", "took_rate", "passed", "pass_rate", "mean", "high")]
    assert all(f">{h}</th>" in page for h in heads), heads
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/stats/export?year=2023&format=xlsx").data))
    cells = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    summary_head = next(wb["成绩汇总表"].iter_rows(values_only=True))
    assert summary_head[2:] == tuple(glossary.name(k) for k in (
        "expected", "took", "took_rate", "passed", "via_makeup", "pass_rate", "mean", "high", "low", "excused"))
    report = docx.Document(io.BytesIO(client.get("/stats/report.docx?year=2023").data))
    words = [p.text for p in report.paragraphs] + [c.text for t in report.tables for r in t.rows for c in r.cells]
    assert glossary.short("via_makeup") in words and glossary.name("study_rate") in " ".join(words)
    found = {text: glossary.avoided_in(text) for text in [page, *cells, *words] if glossary.avoided_in(text)}
    assert found == {}
