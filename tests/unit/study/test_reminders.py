"""Who is behind, 补学 by finishing a missed session's material online, and the reminder sheet."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Attendance, StudySession, User
from fazhi_exam.study.materials import create_material, heartbeat
from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan
from tests.conftest import Auth


def test_missed_session_listed_then_made_up_online(app, town, make_user):
    make_user("aa", name="=HYPERLINK(1)", unit="王庄村", cohorts=["村干部"], phone="13800000001")
    make_user("bb", name="李四", unit="李庄村", cohorts=["村干部"])
    make_user("peixun", roles={"trainer"})
    start = datetime(2023, 3, 8, 7, 0, tzinfo=UTC)
    with app.app_context():
        plan = get_or_create_plan(None, 2023, "2023年度集中学法计划")
        from fazhi_exam.models import Cohort

        cadres = list(db.session.scalars(sa.select(Cohort).where(Cohort.name == "村干部")))
        session = add_session(None, plan, SessionFields(start, start + timedelta(hours=2), "宪法学习", cohorts=cadres))
        material = create_material(None, title="宪法学习资料", kind="text", minutes=1, body="第一条")
        session.materials = [material]
        b = db.session.scalar(sa.select(User).where(User.username == "bb"))
        db.session.add(Attendance(session_id=session.id, user_id=b.id, status="present", method="code",
                                  recorded_at=start))
        db.session.commit()
        plan_id, session_id, material_id = plan.id, session.id, material.id
    clock.freeze(start + timedelta(days=2))
    try:
        trainer = app.test_client()
        Auth(trainer).login("peixun")
        page = trainer.get(f"/study/manage/reminders?plan={plan_id}").get_data(as_text=True)
        for expected in ("共 1 人", "王庄村", "13800000001", "缺席未补学：3月8日 宪法学习"):
            assert expected in page, expected
        sheet = trainer.get(f"/study/manage/reminders.xlsx?plan={plan_id}")
        ws = openpyxl.load_workbook(io.BytesIO(sheet.data)).active
        assert ws["B2"].value == "=HYPERLINK(1)" and ws["B2"].data_type == "s"  # text, not a formula
        notice = trainer.get(f"/study/manage/reminders/notice?plan={plan_id}&unit=王庄村").get_data(as_text=True)
        assert "通　知" in notice and "宪法学习" in notice
        with app.app_context():  # the learner studies the session's material online: 补学
            user = db.session.scalar(sa.select(User).where(User.username == "aa"))
            from fazhi_exam.models import StudyMaterial

            material = db.session.get(StudyMaterial, material_id)
            for _ in range(3):
                heartbeat(user, material)
                clock.advance(timedelta(seconds=30))
            db.session.commit()
            mark = db.session.get(Attendance, (session_id, user.id))
            assert (mark.status, mark.method) == ("makeup", "makeup")
            assert db.session.get(StudySession, session_id) is not None
        assert "没有需要补学的人员" in trainer.get(f"/study/manage/reminders?plan={plan_id}").get_data(as_text=True)
    finally:
        clock.reset()


def test_programme_reminders_say_days_left(app, world):
    from fazhi_exam.models import Cohort
    from fazhi_exam.study.programmes import create_programme
    from fazhi_exam.study.reminders import programme_behind

    with app.app_context():
        material = create_material(None, title="资料一", kind="text", minutes=5, body="正文")
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "村干部"))
        programme = create_programme(None, title="村干部培训", year=2023, cohorts=[cohort], materials=[material],
                                     closes_at=clock.now() + timedelta(days=10, hours=1))
        rows = programme_behind(programme)
        assert {r.user.username for r in rows} == {"zhang", "li"}
        assert "已完成 0/1 份资料，距截止还有 10 天" in rows[0].items[0]
