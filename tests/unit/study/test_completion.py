"""One definition of a completed programme (study/completion.py): the figures' SQL and the learner's
progress() agree, person by person, on cases worked out by hand.

All are 法律明白人 of 王庄村. Programmes:
- 资料班 (two materials, no hours): both_done completed both; one_done only the first.
- 集中班 (one session, no material): present and made_up attended (出席 / 补学); on_leave was on 请假
  and nobody has no record at all — neither is complete.
- 学时班 (one 10-minute material, 0.5 hours): short completed it (10 minutes, short of 30);
  enough has 30 minutes on it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Attendance, Cohort, StudyTime, User
from fazhi_exam.stats import study as study_stats
from fazhi_exam.study.materials import create_material
from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan
from fazhi_exam.study.programmes import create_programme, progress

PEOPLE = ("both_done", "one_done", "present", "made_up", "on_leave", "nobody", "short", "enough")
START = datetime(2023, 9, 10, 1, 0, tzinfo=UTC)


def _user(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_sql_and_progress_agree(app, town, make_user):
    for name in PEOPLE:
        make_user(name, unit="王庄村", cohorts=["法律明白人"])
    clock.freeze(datetime(2023, 12, 1, 2, 0, tzinfo=UTC))
    try:
        with app.app_context():
            cohort = [db.session.scalar(sa.select(Cohort).where(Cohort.name == "法律明白人"))]
            first, second, long = (create_material(None, title=t, kind="text", minutes=m, body="正文")
                                   for t, m in (("资料一", 5), ("资料二", 5), ("长资料", 10)))
            plan = get_or_create_plan(None, 2023, "2023年度计划")
            session = add_session(None, plan, SessionFields(START, START + timedelta(hours=2), "民法典", cohorts=cohort))
            by_materials = create_programme(None, title="资料班", year=2023, cohorts=cohort,
                                            materials=[first, second])
            by_sessions = create_programme(None, title="集中班", year=2023, cohorts=cohort, materials=[],
                                           sessions=[session])
            by_hours = create_programme(None, title="学时班", year=2023, cohorts=cohort, materials=[long],
                                        required_hours=0.5)

            def studied(name, material, seconds, complete=True):
                db.session.add(StudyTime(user_id=_user(name).id, material_id=material.id, seconds=seconds,
                                         completed_at=clock.now() if complete else None))

            studied("both_done", first, 300)
            studied("both_done", second, 300)
            studied("one_done", first, 300)
            studied("one_done", second, 100, complete=False)
            studied("short", long, 600)
            studied("enough", long, 1800)
            for name, status in (("present", "present"), ("made_up", "makeup"), ("on_leave", "leave")):
                db.session.add(Attendance(session_id=session.id, user_id=_user(name).id, status=status,
                                          method="sheet", recorded_at=START))
            db.session.commit()

            expected = {by_materials: {"both_done"}, by_sessions: {"present", "made_up"}, by_hours: {"enough"}}
            for programme, complete in expected.items():
                rows = {p.username: p.done for p in study_stats.programme_people(programme, "all")}
                assert rows == {name: name in complete for name in PEOPLE}, programme.title
                assert {name for name in PEOPLE if progress(_user(name), programme).complete} == complete
                f = study_stats.programme_figures(programme)
                assert (f.members, f.completed) == (len(PEOPLE), len(complete))

            one = progress(_user("one_done"), by_materials)
            assert (one.done, one.total, one.minutes, one.complete) == (1, 2, 6.7, False)
            leave = progress(_user("on_leave"), by_sessions)
            assert (leave.sessions_attended, leave.sessions_total, leave.complete) == (0, 1, False)
            short = progress(_user("short"), by_hours)
            assert (short.done, short.total, short.minutes, short.complete) == (1, 1, 10, False)
    finally:
        clock.reset()
