"""个人学法档案 and 合格证书: a learner's own record with sessions, hours, exams and scores; who may
see whose record and certificate; no certificate for a failed, unfinished or not yet published result.

Scenario (clock at 2023-06-01 09:05 Beijing): zhang (王庄村, 村干部) attended 宪法 in person (2 h) and
missed 民法典; finished the material 行政处罚法解读 online (30 min); so 2.5 学时 in all. In the formal
exam (pass 8 of 13) zhang scored 13, li 0."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Attempt, Cohort, StudyTime, User
from fazhi_exam.stats import records
from fazhi_exam.study.attendance import record as mark
from fazhi_exam.study.materials import create_material
from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan
from fazhi_exam.study.programmes import create_programme, progress
from tests.exam_fixtures import T0

EXAM_TITLE = "2023年第一次镇村干部普法考试"


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _attempt_id(user_id: int, exam_id: int) -> int:
    return db.session.scalar(sa.select(Attempt.id).where(Attempt.user_id == user_id, Attempt.exam_id == exam_id))


@pytest.fixture
def scenario(app, world, make_exam, sit):
    ids = dict(world)
    with app.app_context():
        cadres = db.session.scalar(sa.select(Cohort).where(Cohort.name == "村干部"))
        plan = get_or_create_plan(None, 2023, "2023年度学法计划")
        start = T0 - timedelta(days=30)
        attended = add_session(None, plan, SessionFields(start, start + timedelta(hours=2), "学习宪法",
                                                         cohorts=[cadres]))
        add_session(None, plan, SessionFields(start + timedelta(days=7), start + timedelta(days=7, hours=2),
                                              "学习民法典", cohorts=[cadres]))
        add_session(None, plan, SessionFields(T0 + timedelta(days=30), T0 + timedelta(days=30, hours=2),
                                              "学习未来的法律", cohorts=[cadres]))  # not held yet
        mark(None, attended, _user("zhang"), "present", "rollcall")
        material = create_material(None, title="行政处罚法解读", kind="text", minutes=30, body="正文")
        db.session.add(StudyTime(user_id=ids["zhang"], material_id=material.id, seconds=1800,
                                 last_beat_at=T0 - timedelta(days=1), completed_at=T0 - timedelta(days=1)))
        create_programme(None, title="2023年度村干部学法", year=2023, cohorts=[cadres], materials=[material],
                         sessions=[attended], required_hours=0.5)
        db.session.commit()
    ids["exam"] = make_exam()
    assert sit(ids["zhang"], ids["exam"]) == 13
    assert sit(ids["li"], ids["exam"], right=0) == 0
    clock.freeze(T0 + timedelta(minutes=30))
    with app.app_context():
        ids["zhang_attempt"] = _attempt_id(ids["zhang"], ids["exam"])
        ids["li_attempt"] = _attempt_id(ids["li"], ids["exam"])
    return ids


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_own_record_shows_sessions_hours_exams_and_scores(client, auth, scenario):
    auth.login("zhang")
    response = client.get("/records/me")
    assert response.status_code == 200
    page = _text(response)
    assert "个人学法档案" in page and "测试zhang" in page and "王庄村" in page
    sessions = page[page.index('id="sessions"'):page.index('id="online"')]
    assert re.search(r"学习宪法</td> <td[^>]*>2</td> <td[^>]*>出席", sessions)
    assert re.search(r"学习民法典</td> <td[^>]*>—</td> <td[^>]*>缺席", sessions)
    assert "学习未来的法律" not in sessions  # not held yet, no mark
    assert "应参加 2 次，参加 1 次" in page
    assert "行政处罚法解读" in page and "30 / 30" in page and "已完成（2023-05-31）" in page
    assert '<dd id="sum-hours"><strong>2.5</strong> 学时' in page
    assert "2023年度村干部学法" in page
    exams = page[page.index('id="exams"'):]
    assert EXAM_TITLE in exams and "13 分" in exams and ">合格" in exams
    assert f'href="/records/certificates/{scenario["zhang_attempt"]}"' in exams
    assert "参加 1 场，合格 1 场" in page
    assert "print.css" in page and "print.js" in page and "data-print" in page


def test_record_of_one_year(client, auth, scenario):
    auth.login("zhang")
    page = _text(client.get("/records/me?year=2022"))
    assert "2022年度" in page and "学习宪法" not in page and EXAM_TITLE not in page
    assert '<dd id="sum-hours"><strong>0</strong> 学时' in page
    page = _text(client.get("/records/me?year=2023"))
    assert "2023年度" in page and "学习宪法" in page and EXAM_TITLE in page


def test_failed_learner_sees_fail_and_gets_no_certificate(client, auth, scenario):
    auth.login("li")
    page = _text(client.get("/records/me"))
    assert "0 分" in page and "不合格" in page and "/records/certificates/" not in page
    assert client.get(f"/records/certificates/{scenario['li_attempt']}").status_code == 404
    history = client.get("/results").get_data(as_text=True)
    assert 'href="/records/me"' in history and "证书" not in history


def test_certificate_of_a_passed_exam(app, client, auth, scenario):
    auth.login("zhang")
    history = client.get("/results").get_data(as_text=True)
    assert 'href="/records/me"' in history
    assert f'href="/records/certificates/{scenario["zhang_attempt"]}"' in history
    response = client.get(f"/records/certificates/{scenario['zhang_attempt']}")
    assert response.status_code == 200
    page = _text(response)
    assert "合格证书" in page
    assert re.search(rf"测试zhang</span> 同志：</p> <p[^>]*>参加「{EXAM_TITLE}」，成绩 13 分，考试合格，特发此证。", page)
    assert f"证书编号：FZ2023-{scenario['zhang_attempt']:06d}" in page
    assert "大张楼镇人民政府" in page and "2023年6月1日" in page
    again = _text(client.get(f"/records/certificates/{scenario['zhang_attempt']}"))
    assert f"FZ2023-{scenario['zhang_attempt']:06d}" in again  # same number every time
    app.config["CERTIFICATE_ISSUER"] = "大张楼镇普法依法治理领导小组"  # FAZHI_CERTIFICATE_ISSUER
    assert "大张楼镇普法依法治理领导小组" in _text(client.get(f"/records/certificates/{scenario['zhang_attempt']}"))


def test_another_learner_gets_404(client, auth, scenario):
    auth.login("li")
    assert client.get(f"/records/users/{scenario['zhang']}").status_code == 404
    assert client.get(f"/records/certificates/{scenario['zhang_attempt']}").status_code == 404
    assert client.get("/records/certificates/999999").status_code == 404
    own = client.get(f"/records/users/{scenario['li']}")
    assert own.status_code == 302 and own.headers["Location"].endswith("/records/me")


def test_login_required(client, scenario):
    for path in ("/records/me", f"/records/users/{scenario['zhang']}",
                 f"/records/certificates/{scenario['zhang_attempt']}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_trainer_in_scope_and_village_admin_out_of_scope(client, auth, make_user, scenario):
    make_user("lizhuang_admin", roles={"admin"}, unit="李庄村", scope="李庄村")
    make_user("wangzhuang_admin", roles={"admin"}, unit="王庄村", scope="王庄村")
    auth.login("peixun")
    page = _text(client.get(f"/records/users/{scenario['zhang']}"))
    assert "测试zhang" in page and "学习宪法" in page and "13 分" in page
    assert client.get(f"/records/certificates/{scenario['zhang_attempt']}").status_code == 200
    auth.logout()
    auth.login("lizhuang_admin")
    assert client.get(f"/records/users/{scenario['zhang']}").status_code == 404
    assert client.get(f"/records/certificates/{scenario['zhang_attempt']}").status_code == 404
    assert client.get(f"/records/users/{scenario['outsider']}").status_code == 200
    auth.logout()
    auth.login("wangzhuang_admin")
    assert client.get(f"/records/users/{scenario['zhang']}").status_code == 200
    assert client.get(f"/records/certificates/{scenario['zhang_attempt']}").status_code == 200


def test_no_certificate_for_an_unfinished_attempt(app, client, auth, make_user, make_exam, sit):
    make_user("wang", unit="王庄村", cohorts=["村干部"])
    exam_id = make_exam()
    with app.app_context():
        wang = _user("wang").id
    sit(wang, exam_id, finish_attempt=False)
    with app.app_context():
        attempt_id = _attempt_id(wang, exam_id)
    auth.login("wang")
    assert client.get(f"/records/certificates/{attempt_id}").status_code == 404
    assert EXAM_TITLE not in _text(client.get("/records/me"))  # only finished attempts are on record


def test_score_and_certificate_hidden_until_the_exam_closes(app, client, auth, make_exam, sit, world):
    exam_id = make_exam(show_score="after_close")
    assert sit(world["zhang"], exam_id) == 13
    with app.app_context():
        attempt_id = _attempt_id(world["zhang"], exam_id)
    clock.freeze(T0 + timedelta(minutes=30))  # the exam is still open
    auth.login("zhang")
    exams = _text(client.get("/records/me"))
    exams = exams[exams.index('id="exams"'):]
    assert EXAM_TITLE in exams and "成绩未公布" in exams and "13 分" not in exams
    assert "/records/certificates/" not in exams
    assert client.get(f"/records/certificates/{attempt_id}").status_code == 404
    assert "/records/certificates/" not in client.get("/results").get_data(as_text=True)
    auth.logout()
    auth.login("peixun")  # staff see the score, marked as not yet published; still no certificate
    staff = _text(client.get(f"/records/users/{world['zhang']}"))
    assert "13 分" in staff and "成绩尚未向本人公布" in staff
    assert client.get(f"/records/certificates/{attempt_id}").status_code == 404
    auth.logout()
    clock.freeze(T0 + timedelta(hours=2, minutes=1))  # closed: the score is published
    auth.login("zhang")
    assert "13 分" in _text(client.get("/records/me"))
    assert client.get(f"/records/certificates/{attempt_id}").status_code == 200


def test_makeup_pass_is_shown_as_such(app, client, auth, make_exam, sit, scenario):
    makeup = make_exam(title="2023年第一次镇村干部普法考试（补考）", kind="makeup", makeup_of=scenario["exam"],
                       audience={"cohorts": [], "org_units": []},
                       opens_at=(T0 + timedelta(days=7)).isoformat(),
                       closes_at=(T0 + timedelta(days=7, hours=2)).isoformat())
    assert sit(scenario["li"], makeup) == 13
    with app.app_context():
        attempt_id = _attempt_id(scenario["li"], makeup)
    auth.login("li")
    page = _text(client.get("/records/me"))
    assert "合格（补考）" in page and "不合格" in page and "参加 2 场，合格 1 场" in page
    cert = _text(client.get(f"/records/certificates/{attempt_id}"))
    assert "成绩 13 分，补考合格，特发此证。" in cert


def test_mock_exam_has_no_certificate(app, client, auth, make_exam, sit, world):
    exam_id = make_exam(title="模拟考试", kind="mock")
    assert sit(world["zhang"], exam_id) == 13
    with app.app_context():
        attempt_id = _attempt_id(world["zhang"], exam_id)
    auth.login("zhang")
    assert client.get(f"/records/certificates/{attempt_id}").status_code == 404
    assert "模拟考试" in _text(client.get("/records/me"))


def test_programme_progress_matches_the_study_pages(app, scenario):
    with app.app_context():
        zhang = db.session.get(User, scenario["zhang"])
        [line] = records.programmes(zhang.id, 2023)
        p = progress(zhang, line.programme)
        assert (line.materials_done, line.materials_total, line.minutes, line.sessions_attended,
                line.sessions_total, line.complete) == (p.done, p.total, p.minutes, p.sessions_attended,
                                                         p.sessions_total, p.complete) == (1, 1, 30, 1, 1, True)


def test_record_queries_do_not_grow_with_attempts(app, make_exam, sit, scenario):
    def statements() -> int:
        seen = []
        with app.app_context():
            listener = lambda *args: seen.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                user = db.session.get(User, scenario["zhang"])
                seen.clear()
                r = records.record(user, None)
                assert r.exams
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = statements()
    for i in range(3):
        exam_id = make_exam(title=f"第{i}场考试", opens_at=(T0 + timedelta(days=i + 1)).isoformat(),
                            closes_at=(T0 + timedelta(days=i + 1, hours=2)).isoformat())
        sit(scenario["zhang"], exam_id)
    assert statements() == before
