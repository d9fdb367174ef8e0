"""Study figures on a small case: attendance per session and the online study rate of a programme."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Cohort, OrgUnit, StudyTime, User
from fazhi_exam.stats import study
from fazhi_exam.study.attendance import record
from fazhi_exam.study.materials import create_material
from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan
from fazhi_exam.study.programmes import create_programme

T = datetime(2023, 3, 8, 7, 0, tzinfo=UTC)


def _cohort(name):
    return db.session.scalar(sa.select(Cohort).where(Cohort.name == name))


def _user(name):
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_attendance_rates_and_names(app, town, make_user):
    for name, unit in (("aa", "王庄村"), ("bb", "王庄村"), ("cc", "李庄村"), ("dd", "李庄村")):
        make_user(name, unit=unit, cohorts=["村干部"])
    make_user("ee", unit="李庄村", cohorts=["法律明白人"])
    with app.app_context():
        plan = get_or_create_plan(None, 2023, "2023年度学法计划")
        village = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "王庄村"))
        first = add_session(None, plan, SessionFields(T, T + timedelta(hours=2), "宪法", cohorts=[_cohort("村干部")]))
        second = add_session(None, plan, SessionFields(T + timedelta(days=30), T + timedelta(days=30, hours=2),
                                                       "民法典", cohorts=[_cohort("村干部")], org_units=[village]))
        add_session(None, plan, SessionFields(datetime(2024, 1, 3, tzinfo=UTC), datetime(2024, 1, 3, 2, tzinfo=UTC),
                                              "下一年"))
        record(None, first, _user("aa"), "present", "rollcall")
        record(None, first, _user("bb"), "present", "rollcall")
        record(None, first, _user("cc"), "leave", "rollcall", reason="病假")
        record(None, first, _user("ee"), "present", "rollcall")  # came though not expected: counted
        record(None, second, _user("aa"), "makeup", "makeup")
        db.session.commit()
        rows = {r.session.topic: r for r in study.session_rows(2023)}
        assert set(rows) == {"宪法", "民法典"}
        r = rows["宪法"]
        assert (r.expected, r.present, r.leave, r.makeup, r.absent) == (4, 3, 1, 0, 1)  # 请假 not in 应到
        assert r.rate == 3 / 4 and r.excused == 1
        assert [(p.username, p.reason) for p in study.session_people(first, "leave")] == [("cc", "病假")]
        assert "cc" not in {p.username for p in study.session_people(first, "expected")}
        r = rows["民法典"]
        assert (r.expected, r.present, r.makeup, r.absent) == (2, 0, 1, 1)
        assert [p.username for p in study.session_people(first, "absent")] == ["dd"]
        assert sorted(p.username for p in study.session_people(first, "present")) == ["aa", "bb", "ee"]
        assert study.attendance_by_month(2023) == [(3, 4, 3), (4, 2, 0)]
        units = {u.label: (u.expected, u.present, u.leave, u.makeup, u.absent) for u in study.attendance_by_unit(2023)}
        assert units == {"王庄村": (4, 2, 0, 1, 1), "李庄村": (2, 1, 1, 0, 1)}
        people = {p.username: (p.expected, p.present) for p in study.attendance_by_person(2023, unit_id=village.id)}
        assert people == {"aa": (2, 1), "bb": (2, 1)}
        scoped = {r.session.topic: r.expected for r in study.session_rows(2023, scope=village.path)}
        assert scoped == {"宪法": 2, "民法典": 2}


def test_online_study_rate(app, town, make_user):
    for name, unit in (("m1", "王庄村"), ("m2", "王庄村"), ("m3", "李庄村")):
        make_user(name, unit=unit, cohorts=["法律明白人"])
    make_user("lead", unit="李庄村", cohorts=["法律带头人", "法律明白人"])
    make_user("cadre", unit="李庄村", cohorts=["村干部"])
    with app.app_context():
        materials = [create_material(None, title=f"资料{i}", kind="text", minutes=10, body="正文") for i in range(2)]
        programme = create_programme(None, title="明白人培训", year=2023, cohorts=[_cohort("法律明白人"),
                                     _cohort("法律带头人")], materials=materials, required_hours=0.25)
        done = clock.now()

        def studied(name, material, seconds, complete=True):
            db.session.add(StudyTime(user_id=_user(name).id, material_id=material.id, seconds=seconds,
                                     completed_at=done if complete else None))

        for m in materials:
            studied("m1", m, 600)
            studied("lead", m, 600)
        studied("m2", materials[0], 600)  # one of two materials
        studied("m3", materials[0], 600)
        studied("m3", materials[1], 200, complete=False)
        db.session.commit()
        f = study.programme_figures(programme)
        assert (f.members, f.completed, f.unfinished) == (4, 2, 2) and f.rate == 0.5
        units = {u.label: (u.members, u.completed) for u in study.programme_by_unit(programme)}
        assert units == {"王庄村": (2, 1), "李庄村": (2, 1)}
        cohorts = {c.label: (c.members, c.completed) for c in study.programme_by_cohort(programme)}
        assert cohorts == {"法律带头人": (1, 1), "法律明白人": (4, 2)}  # lead in both: 1 + 4 = 4 + 1
        assert study.programme_overlap(programme) == 1
        assert sorted(p.username for p in study.programme_people(programme, "unfinished")) == ["m2", "m3"]
        programme.required_hours = 1  # 20 minutes of material cannot reach an hour
        assert study.programme_figures(programme).completed == 0


def test_cohort_rows_add_up_without_overlap(app, town, make_user):
    for name, cohort in (("m1", "法律明白人"), ("m2", "法律明白人"), ("lead", "法律带头人")):
        make_user(name, unit="王庄村", cohorts=[cohort])
    with app.app_context():
        material = create_material(None, title="资料", kind="text", minutes=10, body="正文")
        programme = create_programme(None, title="明白人培训", year=2023, cohorts=[_cohort("法律明白人"),
                                     _cohort("法律带头人")], materials=[material])
        db.session.add(StudyTime(user_id=_user("lead").id, material_id=material.id, seconds=600,
                                 completed_at=clock.now()))
        db.session.commit()
        rows = study.programme_by_cohort(programme)
        total = study.programme_figures(programme)
        assert [(r.label, r.members, r.completed) for r in rows] == [("法律带头人", 1, 1), ("法律明白人", 2, 0)]
        assert (sum(r.members for r in rows), sum(r.completed for r in rows)) == (total.members, total.completed)
        assert study.programme_overlap(programme) == 0
