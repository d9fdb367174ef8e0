"""Every audience as of its date (issue 13 point 2, DESIGN §5), by hand.

Exam (村干部, 2023-06-01): zhang passes, li fails; quit (村干部 since 2020) is deactivated on
2023-06-10, after the exam; late joins 王庄村 村干部 on 2023-06-02, after it. 应考 = zhang, li,
quit; late sees neither the exam nor its 补考 in 我的考试; the 补考 is li's and quit's.

Sessions (imported plan): 宪法学习 2023-03-08 (村干部), 民法典学习 2023-03-22 (村干部、镇干部),
选学：反诈 2023-04-05 (everyone). cadre 王庄村 all year; left (王庄村) leaves on 2023-03-15;
mover moves 王庄村 → 李庄村 on 2023-03-15; other 李庄村 法律明白人.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.accounts import roster
from fazhi_exam.accounts.users import set_active
from fazhi_exam.exam.audience import in_audience
from fazhi_exam.exam.views import my_exams
from fazhi_exam.extensions import db
from fazhi_exam.models import Exam, OrgUnit, StudyPlan, StudySession, User
from fazhi_exam.stats import exams as exam_stats
from fazhi_exam.stats import study as study_stats
from fazhi_exam.study.plans import expected_users, my_plan
from fazhi_exam.study.reminders import plan_behind
from tests.exam_fixtures import T0
from tests.unit.study.test_attendance import setup as import_plan

AFTER = T0 + timedelta(days=30)


def _user(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_exam_audience_at_its_close(app, world, make_user, make_exam, sit):
    quit_id = make_user("quit", unit="王庄村", cohorts=["村干部"])
    formal = make_exam()
    assert sit(world["zhang"], formal) == 13
    assert sit(world["li"], formal, right=0) == 0
    makeup = make_exam(title="补考", kind="makeup", makeup_of=formal, audience={"cohorts": [], "org_units": []},
                       opens_at=(T0 + timedelta(days=40)).isoformat(),
                       closes_at=(T0 + timedelta(days=40, hours=2)).isoformat())
    clock.freeze(AFTER)
    make_user("late", unit="王庄村", cohorts=["村干部"], joined=date(2023, 6, 2))
    with app.app_context():
        set_active(None, db.session.get(User, quit_id), False, effective=date(2023, 6, 10))
        db.session.commit()
        exam = db.session.get(Exam, formal)
        f = exam_stats.figures(exam)
        assert (f.expected, f.took, f.missed) == (3, 2, 1)  # zhang, li, quit — not late
        assert [p.username for p in exam_stats.people(exam, "missed")] == ["quit"]
        late, li, zhang = _user("late"), _user("li"), _user("zhang")
        assert my_exams(late) == []  # no 缺考, no 补考 for a newcomer
        assert {r["title"]: r["state"] for r in my_exams(li)} == {"补考": "upcoming",
                                                                 "2023年第一次镇村干部普法考试": "finished"}
        quit_rows = {r["title"]: r["state"] for r in my_exams(db.session.get(User, quit_id))}
        assert quit_rows["2023年第一次镇村干部普法考试"] == "missed"
        formal_exam, makeup_exam = db.session.get(Exam, formal), db.session.get(Exam, makeup)
        assert not in_audience(late, formal_exam) and not in_audience(late, makeup_exam)
        assert in_audience(li, makeup_exam) and not in_audience(zhang, makeup_exam)
        assert exam_stats.figures(makeup_exam).expected == 2  # li and quit (who still counts)


def _sessions(app) -> dict[str, StudySession]:
    return {s.topic: s for s in db.session.scalars(sa.select(StudySession))}


def test_session_audience_on_its_day(app, runner, town, make_user, tmp_path):
    import_plan(app, runner, make_user, tmp_path)
    left = make_user("left", unit="王庄村", cohorts=["村干部"])
    mover = make_user("mover", unit="王庄村", cohorts=["村干部"])
    clock.freeze(datetime(2023, 4, 30, 2, 0, tzinfo=UTC))
    try:
        with app.app_context():
            set_active(None, db.session.get(User, left), False, effective=date(2023, 3, 15))
            m = db.session.get(User, mover)
            lizhuang = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "李庄村"))
            roster.set_membership(m, lizhuang, m.cohorts, date(2023, 3, 15))
            db.session.commit()
            s = _sessions(app)
            before, after = s["宪法学习"], s["民法典学习"]
            assert {u.username for u in expected_users(before)} == {"cadre", "left", "mover"}
            assert {u.username for u in expected_users(after)} == {"cadre", "mover"}
            rows = {r.session.topic: r.expected for r in study_stats.session_rows(2023)}
            assert (rows["宪法学习"], rows["民法典学习"]) == (3, 2)
            # the unit of the day: mover counts in 王庄村 on 03-08, in 李庄村 afterwards
            by_unit = {t.label: t.expected for t in study_stats.attendance_by_unit(2023)}
            assert by_unit == {"王庄村": 3 + 1 + 1, "李庄村": 1 + 2}
            assert [p.unit for p in study_stats.session_people(before) if p.username == "mover"] == ["王庄村"]
            assert [p.unit for p in study_stats.session_people(after) if p.username == "mover"] == ["李庄村"]
            topics = {r.session.topic for r in my_plan(db.session.get(User, left), 2023)}
            assert "宪法学习" in topics and "民法典学习" not in topics
            plan = db.session.scalar(sa.select(StudyPlan))
            behind = {b.user.username: b.items for b in plan_behind(plan)}
            assert not any("民法典" in item for item in behind.get("left", []))
    finally:
        clock.reset()


def test_programme_audience_at_its_deadline(app, world, make_user):
    """法律明白人 programme closing 2023-09-30: outsider counts; zhang (村干部) studied its material
    but is not in it; mb_left left the cohort on 08-01; mb_gone was deactivated on 10-15, after the
    deadline, and still counts; mb_late joined on 10-01."""
    for name in ("mb_left", "mb_gone"):
        world[name] = make_user(name, unit="李庄村", cohorts=["法律明白人"])
    clock.freeze(datetime(2023, 11, 1, 2, 0, tzinfo=UTC))
    world["mb_late"] = make_user("mb_late", unit="李庄村", cohorts=["法律明白人"], joined=date(2023, 10, 1))
    from fazhi_exam.models import Cohort
    from fazhi_exam.study.materials import create_material, heartbeat
    from fazhi_exam.study.programmes import create_programme, in_programme

    with app.app_context():
        mb_left = db.session.get(User, world["mb_left"])
        roster.set_membership(mb_left, mb_left.org_unit, [], date(2023, 8, 1))
        set_active(None, db.session.get(User, world["mb_gone"]), False, effective=date(2023, 10, 15))
        material = create_material(None, title="民法典解读", kind="link", minutes=1, url="https://example.org/m")
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "法律明白人"))
        programme = create_programme(None, title="2023年度法律明白人培训", year=2023, cohorts=[cohort],
                                     materials=[material], closes_at=datetime(2023, 9, 30, 15, 0, tzinfo=UTC))
        heartbeat(_user("zhang"), material)
        db.session.commit()
        from fazhi_exam.models import StudyTime
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StudyTime)) == 1  # zhang's
        people = {p.username for p in study_stats.programme_people(programme, "members")}
        assert people == {"outsider", "mb_gone"}
        assert study_stats.programme_figures(programme).members == 2
        assert [(r.label, r.members) for r in study_stats.programme_by_cohort(programme)] == [("法律明白人", 2)]
        assert [in_programme(_user(n), programme) for n in ("outsider", "mb_gone", "mb_left", "mb_late", "zhang")] \
            == [True, True, False, False, False]


def test_head_counts_at_the_years_end(app, town, make_user):
    """在册 per cohort on Dec 31 (this year: today), by the unit of that day: aa (王庄村) all along;
    bb (李庄村) deactivated on 2023-06-01; cc (李庄村) joined on 2024-02-01; dd (法律带头人) moved
    王庄村 → 李庄村 on 2024-01-15. Today is 2024-03-01."""
    from fazhi_exam.stats.year import cohort_sizes

    for name, unit in (("aa", "王庄村"), ("bb", "李庄村")):
        make_user(name, unit=unit, cohorts=["法律明白人"])
    make_user("dd", unit="王庄村", cohorts=["法律带头人"])
    clock.freeze(datetime(2024, 3, 1, 2, 0, tzinfo=UTC))
    try:
        make_user("cc", unit="李庄村", cohorts=["法律明白人"], joined=date(2024, 2, 1))
        with app.app_context():
            set_active(None, _user("bb"), False, effective=date(2023, 6, 1))
            dd = _user("dd")
            lizhuang = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "李庄村"))
            roster.set_membership(dd, lizhuang, dd.cohorts, date(2024, 1, 15))
            db.session.commit()
            wangzhuang = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "王庄村")).path
            assert cohort_sizes(2022) == {"法律明白人": 2, "法律带头人": 1}
            assert cohort_sizes(2023) == {"法律明白人": 1, "法律带头人": 1}
            assert cohort_sizes(2023, wangzhuang) == {"法律明白人": 1, "法律带头人": 1}
            assert cohort_sizes(2023, lizhuang.path) == {}
            assert cohort_sizes(2024) == {"法律明白人": 2, "法律带头人": 1}
            assert cohort_sizes(2024, lizhuang.path) == {"法律明白人": 1, "法律带头人": 1}
    finally:
        clock.reset()


def test_a_villages_exam_figures_use_the_unit_of_the_exams_day(app, world, make_user, make_exam, sit):
    """A village's figures (a village admin's pages, a closed year's village view) count people by
    the unit they were in on the exam's day: mover sat the exam in 王庄村 and moved to 李庄村 a month
    later; newcomer joined 王庄村 afterwards. The village's own figures equal its row in the town's
    by-unit table."""
    mover = make_user("mover", unit="王庄村", cohorts=["村干部"])
    formal = make_exam()
    assert sit(world["zhang"], formal) == 13
    assert sit(world["li"], formal, right=0) == 0
    assert sit(mover, formal) == 13
    clock.freeze(AFTER)
    make_user("newcomer", unit="王庄村", cohorts=["村干部"], joined=date(2023, 6, 20))
    with app.app_context():
        units = {u.name: u for u in db.session.scalars(sa.select(OrgUnit))}
        m = db.session.get(User, mover)
        roster.set_membership(m, units["李庄村"], m.cohorts, date(2023, 7, 1))
        db.session.commit()
        exam = db.session.get(Exam, formal)
        wz, lz = units["王庄村"].path, units["李庄村"].path
        f = exam_stats.figures(exam, scope=wz)
        assert (f.expected, f.took, f.passed, f.mean) == (3, 3, 2, round(26 / 3, 2))
        row = next(r for r in exam_stats.by_unit(exam) if r.label == "王庄村")
        assert (row.expected, row.took, row.passed, row.mean) == (f.expected, f.took, f.passed, f.mean)
        assert [r.label for r in exam_stats.by_unit(exam, scope=wz)] == ["王庄村"]
        assert {p.username: p.result for p in exam_stats.people(exam, "all", scope=wz)} == {
            "li": "不合格", "mover": "合格", "zhang": "合格"}
        assert exam_stats.figures(exam, scope=lz).expected == 0
        assert exam_stats.people(exam, "all", scope=lz) == []
        assert sum(exam_stats.bands(exam, scope=wz)) == 3
