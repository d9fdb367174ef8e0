"""Sign-in rules, roll call, imports of plans and paper sheets, and a learner's own plan."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Attendance, AuditEvent, StudySession
from tests.conftest import Api

T = datetime(2023, 3, 8, 7, 0, tzinfo=UTC)  # 15:00 Beijing


def xlsx(header, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


PLAN = xlsx(["日期", "开始时间", "结束时间", "学习主题", "学习法律", "主讲人", "地点", "参学对象", "是否必学"], [
    ["2023-03-08", "15:00", "17:00", "宪法学习", "宪法", "镇长", "会议室", "村干部", "是"],
    [datetime(2023, 3, 22), "15:00", "17:00", "民法典学习", "民法典", "所长", "会议室", "村干部、镇干部", ""],
    ["2023年4月5日", "9:00", "", "选学：反诈", "反电信网络诈骗法", "", "", "", "否"],
])


def setup(app, runner, make_user, tmp_path):
    make_user("cadre", unit="王庄村", cohorts=["村干部"])
    make_user("other", unit="李庄村", cohorts=["法律明白人"])
    make_user("peixun", roles={"trainer"})
    path = tmp_path / "plan.xlsx"
    path.write_bytes(PLAN)
    result = runner.invoke(args=["study", "import-plan", str(path)])
    assert result.exit_code == 0, result.output
    assert "已导入 3 条学习场次" in result.output
    with app.app_context():
        return {s.topic: (s.id, s.signin_code) for s in db.session.scalars(sa.select(StudySession))}


def test_sign_in_rules(app, runner, town, make_user, tmp_path):
    sessions = setup(app, runner, make_user, tmp_path)
    _, code = sessions["宪法学习"]
    cadre, other = app.test_client(), app.test_client()
    from tests.conftest import Auth

    Auth(cadre).login("cadre")
    Auth(other).login("other")

    def sign(client, value):
        token = Auth(client).csrf("/study/sign-in")
        return client.post("/study/sign-in", data={"csrf_token": token, "code": value})

    clock.freeze(T - timedelta(hours=2))
    early = sign(cadre, code)
    assert early.status_code == 403 and "还没有开始" in early.get_data(as_text=True)
    clock.freeze(T + timedelta(minutes=5))
    wrong = sign(cadre, "000000")
    assert wrong.status_code == 404 and "签到码不正确" in wrong.get_data(as_text=True)
    assert sign(cadre, f" {code[:3]} {code[3:]} ").status_code == 302  # spaces typed on a phone are fine
    twice = sign(cadre, code)
    assert twice.status_code == 409 and "已经签到过了" in twice.get_data(as_text=True)
    not_mine = sign(other, code)  # someone else's session code
    assert not_mine.status_code == 403 and "不在您的参学范围内" in not_mine.get_data(as_text=True)
    clock.freeze(T + timedelta(hours=3))  # after the session
    late = sign(other, code)
    assert late.status_code == 403 and "已经结束" in late.get_data(as_text=True)
    future = sign(other, sessions["选学：反诈"][1])  # 4月5日's code on 3月8日
    assert future.status_code == 403 and "还没有开始" in future.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(sa.select(Attendance)).all()
        assert [(r.status, r.method) for r in rows] == [("present", "code")]
        assert "attendance_changed" in db.session.scalars(sa.select(AuditEvent.action)).all()
    clock.freeze(T + timedelta(days=30))
    plan = cadre.get("/study/?year=2023").get_data(as_text=True)
    assert "已参加" in plan and "缺席，须补学" in plan  # 宪法 attended, 民法典 missed


def test_roll_call_and_sheet_import(app, runner, town, make_user, tmp_path):
    sessions = setup(app, runner, make_user, tmp_path)
    trainer = app.test_client()
    from tests.conftest import Auth

    auth = Auth(trainer)
    auth.login("peixun")
    sid, code = sessions["宪法学习"]
    page = trainer.get(f"/study/sessions/{sid}").get_data(as_text=True)
    assert code in page and "测试cadre" in page and "测试other" not in page  # only the expected people
    with app.app_context():
        cadre_id = db.session.scalar(sa.text("SELECT id FROM users WHERE username = 'cadre'"))
    refused = trainer.post(f"/study/sessions/{sid}", data={"csrf_token": auth.csrf(f"/study/sessions/{sid}"),
                                                           f"u{cadre_id}": "leave"}, follow_redirects=True)
    assert "请填写测试cadre请假的原因" in refused.get_data(as_text=True)  # 请假 carries a reason
    with app.app_context():
        assert db.session.get(Attendance, (sid, cadre_id)) is None
    trainer.post(f"/study/sessions/{sid}", data={"csrf_token": auth.csrf(f"/study/sessions/{sid}"),
                                                 f"u{cadre_id}": "leave", f"r{cadre_id}": "外出开会"})
    with app.app_context():
        assert db.session.get(Attendance, (sid, cadre_id)).status == "leave"
    assert "外出开会" in trainer.get(f"/study/sessions/{sid}").get_data(as_text=True)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(["日期", "学习主题", "姓名", "用户名或手机号", "出勤"], [
        ["2023-03-22", "", "测试cadre", "cadre", "出席"],
        ["2023-03-23", "", "测试cadre", "cadre", "出席"],
        ["2023-03-22", "", "张三", "cadre", "出席"],
        ["2023-03-22", "", "测试cadre", "nobody", "出席"],
        ["2023-03-22", "", "测试cadre", "cadre", "迟到"],
    ]))
    result = runner.invoke(args=["study", "import-attendance", str(bad)])
    assert result.exit_code == 1 and "未导入任何签到记录" in result.output
    for expected in ("第 3 行「日期」：2023-03-23 这一天没有学习场次", "第 4 行「姓名」", "第 5 行「用户名或手机号」",
                     "第 6 行「出勤」"):
        assert expected in result.output, expected
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(["日期", "学习主题", "姓名", "用户名或手机号", "出勤"], [
        ["2023-03-22", "民法典学习", "测试cadre", "cadre", "√"]]))
    assert runner.invoke(args=["study", "import-attendance", str(good)]).exit_code == 0
    with app.app_context():
        row = db.session.get(Attendance, (sessions["民法典学习"][0], cadre_id))
        assert (row.status, row.method) == ("present", "sheet")


def test_bad_plan_imports_nothing(app, runner, town, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx(["日期", "开始时间", "学习主题", "参学对象"], [
        ["2023-02-30", "15:00", "宪法", ""], ["2023-03-01", "下午", "民法典", ""], ["2023-03-02", "15:00", "", "外星人"]]))
    result = runner.invoke(args=["study", "import-plan", str(path)])
    assert result.exit_code == 1
    for expected in ("第 2 行「日期」", "第 3 行「开始时间」", "第 4 行「学习主题」", "第 4 行「参学对象」：未知的人员类别“外星人”"):
        assert expected in result.output, expected
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StudySession)) == 0


def test_learners_cannot_manage_study(app, client, auth, make_user):
    make_user("xueyuan")
    auth.login("xueyuan")
    assert client.get("/study/plans").status_code == 403
    assert client.get("/study/").status_code == 200
    assert Api(app.test_client()).login("xueyuan").status_code == 200


def test_qr_code_template_and_progress_pages(app, runner, town, make_user, tmp_path):
    sessions = setup(app, runner, make_user, tmp_path)
    from tests.conftest import Auth

    trainer = app.test_client()
    Auth(trainer).login("peixun")
    sid, code = sessions["宪法学习"]
    qr = trainer.get(f"/study/sessions/{sid}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    template = trainer.get("/study/manage/plan-template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(template.data))
    assert [c.value for c in wb["学法计划"][1]][:4] == ["日期", "开始时间", "结束时间", "学习主题"]
    learner = app.test_client()
    Auth(learner).login("cadre")
    assert learner.get(f"/study/sessions/{sid}/qr.svg").status_code == 403


def test_trainer_builds_and_edits_the_plan(app, client, auth, town, make_user):
    make_user("peixun", roles={"trainer"})
    auth.login("peixun")
    token = auth.csrf("/study/plans")
    created = client.post("/study/plans", data={"csrf_token": token, "year": "2023", "title": "2023年度集中学法计划"})
    plan_url = created.headers["Location"]
    with app.app_context():
        from fazhi_exam.models import OrgUnit

        wang = db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.name == "王庄村"))
    client.post(plan_url, data={"csrf_token": token, "date": "2023-05-10", "start": "15:00", "end": "17:00",
                                "topic": "宪法学习", "laws": "宪法", "cohorts": ["村干部"], "org_units": [str(wang)],
                                "required": "1"})
    bad = client.post(plan_url, data={"csrf_token": token, "date": "2023-05-10", "start": "17:00", "end": "15:00",
                                      "topic": "倒过来的时间"}, follow_redirects=True)
    assert "结束时间应晚于开始时间" in bad.get_data(as_text=True)
    with app.app_context():
        session = db.session.scalar(sa.select(StudySession))
        assert [u.name for u in session.org_units] == ["王庄村"] and session.cohorts[0].name == "村干部"
        sid, code = session.id, session.signin_code
    form = client.get(f"/study/sessions/{sid}/edit").get_data(as_text=True)
    assert 'value="2023-05-10"' in form and 'value="15:00"' in form
    client.post(f"/study/sessions/{sid}/edit", data={"csrf_token": token, "date": "2023-05-11", "start": "09:00",
                                                     "end": "11:00", "topic": "宪法学习（改期）", "required": "1"})
    with app.app_context():
        session = db.session.get(StudySession, sid)
        assert session.topic == "宪法学习（改期）" and session.signin_code == code and session.org_units == []
