"""免考 / 请假 / 免学 through the pages, the API and the export, as a trainer and as a village admin.

Audience 村干部: zhang (took the exam), li (王庄村), zhao (李庄村); cunguan is 王庄村's village admin."""
from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from fazhi_exam.extensions import db
from fazhi_exam.models import Attendance, Exemption
from tests.conftest import Auth


@pytest.fixture
def site(exemption_case):
    return exemption_case


def _as(app, username: str):
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(username).status_code == 302
    return client, auth


def _excuse(client, auth, kind, object_id, user_id, reason, back="/"):
    return client.post("/study/exemptions", data={"csrf_token": auth.csrf("/"), "kind": kind, "object_id": object_id,
                                                  "user_id": user_id, "reason": reason, "next": back},
                       follow_redirects=True)


def _live(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.kind, e.user.username) for e in db.session.scalars(
            sa.select(Exemption).where(Exemption.revoked_at.is_(None)).order_by(Exemption.id))]


def test_trainer_excuses_from_the_exam_page_and_the_figures_follow(app, site):
    ids, exam_id, _, _ = site
    client, auth = _as(app, "peixun")
    page = client.get(f"/stats/exams/{exam_id}").get_data(as_text=True)
    pick = re.search(r'<select[^>]*name="user_id".*?</select>', page, re.S).group(0)
    assert "测试zhao" in pick and "测试li" in pick and "测试zhang" not in pick  # zhang took it
    assert "登记免考</button>" in page
    done = _excuse(client, auth, "exam", exam_id, ids["zhao"], "住院治疗", f"/stats/exams/{exam_id}")
    page = done.get_data(as_text=True)
    assert "已为测试zhao登记免考" in page and "免考 1 人" in page and "住院治疗" in page
    names = client.get(f"/stats/exams/{exam_id}/people?who=excused").get_data(as_text=True)
    assert "免考人员（1 人）" in names and "免考（住院治疗）" in names
    assert "登记免考</button>" in client.get(f"/manage/exams/{exam_id}").get_data(as_text=True)

    total = client.get(f"/api/v1/exams/{exam_id}/stats").get_json()["total"]
    assert (total["expected"], total["excused"], total["took"], total["missed"]) == (2, 1, 1, 1)
    summary = list(csv.reader(io.StringIO(client.get("/stats/export?year=2023&format=csv")
                                          .data.decode("utf-8-sig"))))
    assert summary[0][-1] == "免考人数" and summary[-1][1] == "合计" and summary[-1][2] == "2"
    assert summary[-1][-1] == "1"
    scores = client.get("/stats/export?year=2023&format=csv&table=scores").data.decode("utf-8-sig")
    assert "测试zhao,zhao,,免考（住院治疗）" in scores

    learner, _ = _as(app, "zhao")
    assert "您已免考（住院治疗）" in learner.get("/exams").get_data(as_text=True)

    with app.app_context():
        row_id = db.session.scalar(sa.select(Exemption.id))
    revoked = client.post(f"/study/exemptions/{row_id}/revoke", data={"csrf_token": auth.csrf("/")},
                          follow_redirects=True).get_data(as_text=True)
    assert "已撤销测试zhao的免考" in revoked and _live(app) == []
    assert client.get(f"/api/v1/exams/{exam_id}/stats").get_json()["total"]["expected"] == 3


def test_trainer_excuses_from_a_programme(app, site):
    ids, _, _, programme_id = site
    client, auth = _as(app, "peixun")
    assert "登记免学</button>" in client.get(f"/study/manage/programmes/{programme_id}").get_data(as_text=True)
    page = _excuse(client, auth, "programme", programme_id, ids["li"], "长期外出务工",
                   f"/study/manage/programmes/{programme_id}").get_data(as_text=True)
    assert "已为测试li登记免学" in page and "长期外出务工" in page
    stats = client.get(f"/stats/programmes/{programme_id}").get_data(as_text=True)
    assert "免学 1 人" in stats and "应学 2 人" in stats
    year = client.get("/api/v1/stats/years/2023").get_json()
    assert [(p["members"], p["excused"]) for p in year["programmes"]] == [(2, 1)]
    learner, _ = _as(app, "li")
    assert "已免学（长期外出务工）" in learner.get("/study/programmes").get_data(as_text=True)


def test_village_admin_gives_leave_to_own_people_only(app, site):
    ids, exam_id, session_id, programme_id = site
    client, auth = _as(app, "cunguan")
    page = client.get(f"/stats/exams/{exam_id}").get_data(as_text=True)
    assert "登记免考</button>" not in page and "撤销</button>" not in page  # no 免考 form for a village admin
    refused = _excuse(client, auth, "exam", exam_id, ids["li"], "病假").get_data(as_text=True)
    assert "村级管理员只能登记请假" in refused
    refused = _excuse(client, auth, "programme", programme_id, ids["li"], "病假").get_data(as_text=True)
    assert "村级管理员只能登记请假" in refused
    assert _excuse(client, auth, "session", session_id, ids["zhao"], "病假").status_code == 404  # another village
    assert _live(app) == []

    done = _excuse(client, auth, "session", session_id, ids["li"], "防汛值班", f"/study/sessions/{session_id}")
    assert "已为测试li登记请假" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attendance, (session_id, ids["li"])).status == "leave"
    assert _live(app) == [("session", "li")]
    names = client.get(f"/stats/sessions/{session_id}/people?who=leave").get_data(as_text=True)
    assert "测试li" in names and "防汛值班" in names

    # a trainer's 免考 for 李庄村's zhao: out of reach for 王庄村's admin
    trainer, trainer_auth = _as(app, "peixun")
    _excuse(trainer, trainer_auth, "exam", exam_id, ids["zhao"], "住院治疗")
    with app.app_context():
        other = db.session.scalar(sa.select(Exemption.id).where(Exemption.kind == "exam"))
    assert client.post(f"/study/exemptions/{other}/revoke", data={"csrf_token": auth.csrf("/")}).status_code == 404
    assert _live(app) == [("session", "li"), ("exam", "zhao")]
