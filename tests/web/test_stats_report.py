"""The report page, its .docx download and `fazhi-exam report`, for the town and for a village admin.

One cadre exam (audience 村干部): zhang passes and li fails (王庄村), wang passes (李庄村) →
town 合格率 2/3 = 66.7 %, 王庄村 1/2 = 50.0 %."""
from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import quote

import docx
import pytest

from fazhi_exam import clock

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TOWN_SENTENCE = "应考3人、参考3人，合格2人，合格率66.7%"
VILLAGE_SENTENCE = "应考2人、参考2人，合格1人，合格率50.0%"


@pytest.fixture
def year_2023(app, world, make_user, make_exam, sit):
    ids = dict(world)
    ids["wang"] = make_user("wang", unit="李庄村", cohorts=["村干部"])
    ids["cunguan"] = make_user("cunguan", roles={"admin"}, unit="王庄村", scope="王庄村")
    exam = make_exam()
    sit(ids["zhang"], exam)
    sit(ids["li"], exam, right=0)
    sit(ids["wang"], exam)
    clock.freeze(datetime(2024, 1, 10, 2, 0, tzinfo=UTC))
    return ids


def _paragraphs(response) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]


def test_trainer_sees_the_sentences_tables_and_definitions(client, auth, year_2023):
    auth.login("peixun")
    page = client.get("/stats/report?year=2023")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "大张楼镇2023年度学法考法工作情况（法治政府建设报告材料）" in html
    assert TOWN_SENTENCE in html
    assert "本年度未组织行政执法人员考试。" in html
    assert "集中学法情况" in html and "考试情况" in html and "在线学习情况" in html
    assert "合格率 = 合格人数 ÷ 参考人数（通行口径）。" in html
    assert 'href="/stats/report.docx?year=2023"' in html and "下载 Word 文档" in html
    assert '<option value="2023" selected>2023年</option>' in html
    assert "<script>" not in html and " style=" not in html  # the CSP allows neither


def test_learner_is_refused(client, auth, year_2023):
    auth.login("zhang")
    assert client.get("/stats/report?year=2023").status_code == 403
    assert client.get("/stats/report.docx?year=2023").status_code == 403


def test_download_is_a_word_document_with_a_chinese_name(client, auth, year_2023):
    auth.login("peixun")
    for url in ("/stats/report.docx?year=2023", "/stats/report?year=2023&format=docx"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == DOCX
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=UTF-8''{quote('大张楼镇2023年度学法考法工作情况.docx')}" in disposition
        texts = _paragraphs(response)
        assert texts[0] == "大张楼镇2023年度学法考法工作情况（法治政府建设报告材料）"
        assert any(TOWN_SENTENCE in t for t in texts)


def test_village_admin_sees_only_their_village(client, auth, year_2023):
    auth.login("cunguan")
    html = client.get("/stats/report?year=2023").get_data(as_text=True)
    assert "王庄村2023年度学法考法工作情况" in html
    assert VILLAGE_SENTENCE in html
    assert "66.7%" not in html
    response = client.get("/stats/report.docx?year=2023")
    assert quote("王庄村2023年度学法考法工作情况.docx") in response.headers["Content-Disposition"]
    texts = _paragraphs(response)
    assert any(VILLAGE_SENTENCE in t for t in texts)
    assert not any("66.7%" in t for t in texts)


def test_cli_prints_the_paragraphs_and_writes_the_file(app, runner, year_2023, tmp_path):
    result = runner.invoke(args=["report", "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert TOWN_SENTENCE in result.output
    assert result.output.startswith("2023年，未组织镇村干部集中学法。")

    target = tmp_path / "年度报告.docx"
    result = runner.invoke(args=["report", "--year", "2023", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    texts = [p.text for p in docx.Document(str(target)).paragraphs]
    assert any(TOWN_SENTENCE in t for t in texts)

    result = runner.invoke(args=["report", "--year", "2023", "--unit", "王庄村"])
    assert VILLAGE_SENTENCE in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["report"], "请用 --year 指定年度"),
    (["report", "--year", "明年"], "不是有效的年份"),
    (["report", "--year", "1999"], "超出范围"),
    (["report", "--year", "2023", "-o", "报告.txt"], "须以 .docx 结尾"),
    (["report", "--year", "2023", "-o", "/no/such/dir/报告.docx"], "不存在"),
])
def test_cli_refuses_a_bad_year_or_path_in_chinese(runner, year_2023, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "错误：" in result.output and message in result.output
