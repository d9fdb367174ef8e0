"""Study time from heartbeats through the clock seam, completion, programme progress and the exam gate."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Cohort, Exam, User
from fazhi_exam.study.markdown import render
from fazhi_exam.study.materials import create_material, heartbeat
from fazhi_exam.study.programmes import create_programme, progress
from tests.conftest import Api


def test_heartbeats_credit_only_active_time_and_cap(app, ctx, make_user):
    uid = make_user("mingbai")
    user = db.session.get(User, uid)
    material = create_material(None, title="民法典婚姻家庭编要点", kind="text", minutes=2, body="# 结婚\n- 自愿")
    clock.freeze(clock.now())
    assert heartbeat(user, material).seconds == 0  # the first beat starts a stretch
    clock.advance(timedelta(seconds=30))
    assert heartbeat(user, material).seconds == 30
    clock.advance(timedelta(seconds=5))  # beats faster than 30 s earn only the real time
    assert heartbeat(user, material).seconds == 35
    clock.advance(timedelta(minutes=10))  # hidden or idle tab: no beats, the gap earns nothing
    assert heartbeat(user, material).seconds == 35
    for _ in range(6):
        clock.advance(timedelta(seconds=75))  # each beat credits at most 60 s
        row = heartbeat(user, material)
    assert row.seconds == 120 and row.completed_at is not None  # capped at the material's minutes
    clock.reset()


def test_programme_progress_and_exam_gate(app, world, make_exam):
    exam_id = make_exam()
    with app.app_context():
        material = create_material(None, title="行政处罚法解读", kind="link", minutes=1, url="https://example.org/a")
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "村干部"))
        create_programme(None, title="2023年度村干部培训", year=2023, cohorts=[cohort],
                                     materials=[material], exam=db.session.get(Exam, exam_id))
        db.session.commit()
        material_id = material.id
    api = Api(app.test_client())
    api.login("zhang")
    gated = api.call("POST", f"/api/v1/exams/{exam_id}/attempts")
    assert gated.status_code == 403 and "请先完成“2023年度村干部培训”的学习" in gated.get_json()["message"]
    for _ in range(3):
        beat = api.call("POST", f"/api/v1/materials/{material_id}/heartbeat")
        clock.advance(timedelta(seconds=30))
    assert beat.get_json()["seconds"] == 60 and beat.get_json()["completed"] is True
    assert api.call("POST", f"/api/v1/exams/{exam_id}/attempts").status_code == 201
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "zhang"))
        from fazhi_exam.models import Programme

        assert progress(user, db.session.scalar(sa.select(Programme))).complete


def test_study_pages(app, client, auth, world):
    with app.app_context():
        material = create_material(None, title="反诈要点", kind="text", minutes=5,
                                   body="# 不出租银行卡\n<script>alert(1)</script> **重要**")
        db.session.commit()
        material_id = material.id
    auth.login("zhang")
    page = client.get(f"/study/materials/{material_id}").get_data(as_text=True)
    assert "<h2>不出租银行卡</h2>" in page and "&lt;script&gt;" in page and "<strong>重要</strong>" in page
    assert client.get("/study/programmes").status_code == 200
    assert client.get("/study/manage/materials").status_code == 403


def test_markdown_is_safe():
    html = render('# 标题\n<img src=x onerror=alert(1)>\n- 一\n- **二**')
    assert "<img" not in html and "&lt;img" in html and "<li><strong>二</strong></li>" in html


def test_programme_requires_its_sessions(app, world):
    from datetime import UTC, datetime

    from fazhi_exam.models import Attendance
    from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan

    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "村干部"))
        start = datetime(2023, 5, 1, 7, tzinfo=UTC)
        session = add_session(None, get_or_create_plan(None, 2023, "计划"),
                              SessionFields(start, start + timedelta(hours=2), "集中学习"))
        programme = create_programme(None, title="只要参加集中学习", year=2023, cohorts=[cohort], materials=[],
                                     sessions=[session])
        user = db.session.scalar(sa.select(User).where(User.username == "zhang"))
        assert not progress(user, programme).complete
        db.session.add(Attendance(session_id=session.id, user_id=user.id, status="makeup", method="makeup",
                                  recorded_at=start))
        db.session.flush()
        p = progress(user, programme)
        assert p.complete and (p.sessions_attended, p.sessions_total) == (1, 1)


def test_check_quiz_completes_the_material(app, client, auth, world):
    import re

    from fazhi_exam.models import Bank, StudyTime

    with app.app_context():
        bank_id = db.session.scalar(sa.select(Bank.id).where(Bank.name == "测试库"))
        material = create_material(None, title="有小测的资料", kind="text", minutes=1, body="正文",
                                   quiz_bank_id=bank_id, quiz_count=3, quiz_pass=3)
        db.session.commit()
        material_id = material.id
    auth.login("zhang")
    api = Api(client)
    for _ in range(3):  # the minutes are reached...
        api.call("POST", f"/api/v1/materials/{material_id}/heartbeat", headers={"X-CSRFToken": auth.csrf()})
        clock.advance(timedelta(seconds=30))
    with app.app_context():
        row = db.session.scalar(sa.select(StudyTime))
        assert row.seconds == 60 and row.completed_at is None  # ...but the quiz is not passed yet
    page = client.get(f"/study/materials/{material_id}/quiz").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ids = [int(x) for x in re.findall(r'name="version_ids" value="(\d+)"', page)]
    assert len(ids) == 3
    from fazhi_exam.models import QuestionVersion

    def form(right: bool) -> dict:
        data = {"csrf_token": token, "version_ids": [str(i) for i in ids]}
        with app.app_context():
            for vid in ids:
                v = db.session.get(QuestionVersion, vid)
                data[f"type_{vid}"] = v.type
                if v.type == "judge":
                    data[f"q{vid}"] = str(v.answer if right else not v.answer).lower()
                elif v.type == "multiple":
                    data[f"q{vid}"] = list(v.answer) if right else ["B"]
                else:
                    data[f"q{vid}"] = v.answer if right else ("A" if v.answer != "A" else "B")
        return data

    failed = client.post(f"/study/materials/{material_id}/quiz", data=form(False), follow_redirects=True)
    assert "需答对 3 题" in failed.get_data(as_text=True)
    passed = client.post(f"/study/materials/{material_id}/quiz", data=form(True), follow_redirects=True)
    assert "小测通过" in passed.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(StudyTime)).completed_at is not None
