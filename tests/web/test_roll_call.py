"""Roll call for a large session (issue 16): filter by unit, and 全部出席 for everyone shown who has no
mark yet — a mark already made (缺席, 请假) stays as it was, and nobody outside the filter is touched."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from fazhi_exam.extensions import db
from fazhi_exam.models import Attendance, Cohort, OrgUnit
from tests.exam_fixtures import T0


def test_roll_call_by_unit_with_all_present(app, client, auth, world, make_user):
    from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan

    other = make_user("lizhuang1", unit="李庄村", cohorts=["村干部"])
    make_user("trainer", roles={"trainer"})
    with app.app_context():
        plan = get_or_create_plan(None, 2023, "2023年学法计划")
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "村干部"))
        session = add_session(None, plan, SessionFields(T0 + timedelta(days=1), T0 + timedelta(days=1, hours=2),
                                                        "宪法学习", cohorts=[cohort]))
        db.session.commit()
        session_id = session.id
        wang = db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.name == "王庄村"))
    auth.login("trainer")
    page = client.get(f"/study/sessions/{session_id}?unit={wang}").get_data(as_text=True)
    assert "测试zhang" in page and "测试li" in page and "lizhuang1" not in page
    token = auth.csrf(f"/study/sessions/{session_id}")
    client.post(f"/study/sessions/{session_id}?unit={wang}",
                data={"csrf_token": token, f"u{world['li']}": "absent"})  # li marked absent first
    client.post(f"/study/sessions/{session_id}?unit={wang}", data={"csrf_token": token, "all_present": "1"})
    with app.app_context():
        marks = dict(db.session.execute(sa.select(Attendance.user_id, Attendance.status)
                                        .where(Attendance.session_id == session_id)).all())
    assert marks == {world["zhang"]: "present", world["li"]: "absent"}  # 李庄村 untouched
    assert other not in marks
