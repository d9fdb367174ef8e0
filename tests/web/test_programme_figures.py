"""Issue 13 point 4: one programme, one figure, on every page that shows it.

2023年度法律明白人培训 (法律明白人 and 法律带头人), one material and one required session (09-10),
deadline 2023-09-30:
- outsider (李庄村): studied the material and attended the session — complete.
- mover (王庄村, moved to 李庄村 on 10-10, after the deadline): material, session made up — complete,
  counted in 王庄村.
- both (王庄村, 法律明白人 and 法律带头人): studied the material, missed the session — not complete;
  one person in two cohorts.
- gone (李庄村): deactivated on 10-15, after the deadline — in the figure, not complete.
- excused (王庄村): 免学 — apart.
- left (李庄村): left the cohort on 08-01, before the deadline — not in it.
- late (李庄村): joined on 2024-01-05 — not in it, nor in the year's 在册 count.
- zhang (王庄村 村干部): opened the material for a minute — not in it.
应学 4, 完成 2 (50.0 %), 免学 1; 王庄村 2 / 1, 李庄村 2 / 1; unfinished: both, gone.
"""
from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Attendance, Cohort, OrgUnit, StudyTime, User
from tests.conftest import Api, Auth

SESSION_START = datetime(2023, 9, 10, 1, 0, tzinfo=UTC)
UNFINISHED = ["测试both", "测试gone"]


def _user(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


@pytest.fixture
def programme(app, world, make_user):
    from fazhi_exam.accounts import roster
    from fazhi_exam.accounts.users import set_active
    from fazhi_exam.study.exemptions import excuse
    from fazhi_exam.study.materials import create_material, heartbeat
    from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan
    from fazhi_exam.study.programmes import create_programme

    for name, unit in (("mover", "王庄村"), ("excused", "王庄村"), ("gone", "李庄村"), ("left", "李庄村")):
        make_user(name, unit=unit, cohorts=["法律明白人"])
    make_user("both", unit="王庄村", cohorts=["法律明白人", "法律带头人"])
    make_user("cunguan", roles={"admin"}, unit="王庄村", scope="王庄村")
    clock.freeze(datetime(2024, 1, 10, 2, 0, tzinfo=UTC))
    make_user("late", unit="李庄村", cohorts=["法律明白人"], joined=date(2024, 1, 5))
    with app.app_context():
        cohorts = list(db.session.scalars(sa.select(Cohort).where(Cohort.name.in_(["法律明白人", "法律带头人"]))))
        material = create_material(None, title="民法典解读", kind="text", minutes=1, body="正文")
        plan = get_or_create_plan(None, 2023, "2023年度法律明白人学习计划")
        session = add_session(None, plan, SessionFields(SESSION_START, SESSION_START + timedelta(hours=2),
                                                        "民法典进农村", cohorts=cohorts))
        programme = create_programme(None, title="2023年度法律明白人培训", year=2023, cohorts=cohorts,
                                     materials=[material], sessions=[session],
                                     closes_at=datetime(2023, 9, 30, 15, 59, tzinfo=UTC))
        for name in ("outsider", "mover", "both"):
            db.session.add(StudyTime(user_id=_user(name).id, material_id=material.id, seconds=60,
                                     completed_at=datetime(2023, 9, 1, tzinfo=UTC)))
        for name, status in (("outsider", "present"), ("mover", "makeup")):
            db.session.add(Attendance(session_id=session.id, user_id=_user(name).id, status=status, method="sheet",
                                      recorded_at=SESSION_START))
        zhang = _user("zhang")
        for _ in range(3):  # a minute on the material: study time does not make a member
            heartbeat(zhang, material)
            clock.advance(timedelta(seconds=30))
        excuse(_user("peixun"), _user("excused"), programme, "外出务工")
        mover = _user("mover")
        lizhuang = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "李庄村"))
        roster.set_membership(mover, lizhuang, mover.cohorts, date(2023, 10, 10))
        left = _user("left")
        roster.set_membership(left, left.org_unit, [], date(2023, 8, 1))
        set_active(None, _user("gone"), False, effective=date(2023, 10, 15))
        db.session.commit()
        return programme.id


def _cells(html: str) -> list[list[list[str]]]:
    """Every table of the page as rows of cell texts."""
    def text(cell: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", cell).split())

    return [[[text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
            for table in re.findall(r"<table.*?</table>", html, re.S)]


def _table(html: str, first_header: str) -> list[list[str]]:
    return next(t for t in _cells(html) if t and t[0][0] == first_header)[1:]


def test_every_page_shows_the_same_figure(app, client, programme):
    auth = Auth(client)
    auth.login("peixun")
    stats = client.get(f"/stats/programmes/{programme}?who=unfinished").get_data(as_text=True)
    assert "在线学习率 <strong>50.0%</strong>（已完成 2 / 应学 4 人）" in stats and "免学 1 人" in stats
    by_unit = _table(stats, "单位")
    assert by_unit == [["王庄村", "2 (免学 1)", "1", "50.0%"], ["李庄村", "2", "1", "50.0%"]]
    by_cohort = _table(stats, "人员类别")
    assert by_cohort == [["法律带头人", "1", "0", "0.0%"], ["法律明白人", "4", "2", "50.0%"]]
    assert "其中 1 人同属两个以上人群，在各人群中分别计入，故各行相加多于合计。" in stats
    assert [row[2] for row in _table(stats, "#")] == UNFINISHED

    manage = client.get(f"/study/manage/programmes/{programme}").get_data(as_text=True)
    assert _table(manage, "单位") == by_unit
    assert "未完成的人员（2 人）" in manage
    assert "测试both · both" in manage and "测试gone（已停用）" in manage
    for outside in ("测试zhang", "测试left", "测试late"):
        assert outside not in manage

    reminders = client.get(f"/study/manage/reminders?programme={programme}").get_data(as_text=True)
    assert "共 2 人" in reminders
    assert [row[0] for row in _cells(reminders)[0] + _cells(reminders)[1]] == ["测试both", "测试gone（已停用）"]
    assert "集中学习未参加：0/1 场，已过截止日期" in reminders

    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/stats/export?year=2023&format=xlsx").data))
    study = [[c.value for c in row] for row in sheet["在线学习进度"].iter_rows(min_row=2)]
    assert sorted((name, state) for _, _, name, _, state in study) == [
        ("测试both", "未完成"), ("测试excused", "免学（外出务工）"), ("测试gone", "未完成"),
        ("测试mover", "已完成"), ("测试outsider", "已完成")]
    assert [unit for _, unit, name, _, _ in study if name == "测试mover"] == ["王庄村"]

    report = client.get("/stats/report?year=2023").get_data(as_text=True)
    assert ("现有法律带头人1名、法律明白人4名，开展“2023年度法律明白人培训”在线学习，应学4人（另有免学1人）、"
            "完成2人，在线学习率50.0%。") in report
    assert "本年度最后一天" in report

    api = Api(client)
    api.login("peixun")
    year = api.call("GET", "/api/v1/stats/years/2023").get_json()
    assert [(p["members"], p["completed"], p["excused"]) for p in year["programmes"]] == [(4, 2, 1)]
    assert (year["cohorts"]["法律明白人"], year["cohorts"]["法律带头人"]) == (4, 1)


def test_a_village_admin_sees_the_people_of_the_deadline_day(client, programme):
    Auth(client).login("cunguan")
    stats = client.get(f"/stats/programmes/{programme}?who=unfinished").get_data(as_text=True)
    assert "（已完成 1 / 应学 2 人）" in stats
    assert _table(stats, "单位") == [["王庄村", "2 (免学 1)", "1", "50.0%"]]
    assert _table(stats, "人员类别") == [["法律带头人", "1", "0", "0.0%"], ["法律明白人", "2", "1", "50.0%"]]
    assert "其中 1 人同属两个以上人群" in stats
    manage = client.get(f"/study/manage/programmes/{programme}").get_data(as_text=True)
    assert _table(manage, "单位") == [["王庄村", "2 (免学 1)", "1", "50.0%"]]
    reminders = client.get(f"/study/manage/reminders?programme={programme}").get_data(as_text=True)
    assert "共 1 人" in reminders and "测试both" in reminders and "测试gone" not in reminders
