"""The learner's home says what to do today (issue 16): the exam open now with a big 开始考试, today's
集中学法 with 到场签到, online study due with the days left, and the last result."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Cohort
from tests.exam_fixtures import T0


def test_home_shows_the_exam_the_session_and_the_study_due_today(app, client, auth, world, make_exam, sit):
    from fazhi_exam.study.materials import create_material
    from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan
    from fazhi_exam.study.programmes import create_programme

    done = make_exam(title="2023年第一次镇村干部普法考试")
    sit(world["zhang"], done)  # last result: all right
    later = make_exam(title="2023年第二次镇村干部普法考试", opens_at=(T0 + timedelta(days=1)).isoformat(),
                      closes_at=(T0 + timedelta(days=1, hours=2)).isoformat())
    with app.app_context():
        plan = get_or_create_plan(None, 2023, "2023年学法计划")
        day = T0 + timedelta(days=1, hours=4)  # the same day, in the afternoon
        add_session(None, plan, SessionFields(day, day + timedelta(hours=2), "民法典学习", place="镇政府三楼会议室"))
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "村干部"))
        material = create_material(None, title="宪法要点", kind="text", minutes=5, body="宪法是根本法。")
        create_programme(None, title="村干部在线学习", year=2023, cohorts=[cohort], materials=[material],
                         closes_at=T0 + timedelta(days=11))
        db.session.commit()
    clock.freeze(T0 + timedelta(days=1, minutes=10))  # the second exam is open
    auth.login("zhang")
    home = client.get("/").get_data(as_text=True)
    today = home[home.index("今天要做的事"):]
    assert "2023年第二次镇村干部普法考试" in today and f'action="/exams/{later}/start"' in today and "开始考试" in today
    assert "集中学法：民法典学习" in today and "到场签到" in today and "镇政府三楼会议室" in today
    assert "在线学习：村干部在线学习" in today and "还剩 10 天" in today
    assert "最近一次成绩：2023年第一次镇村干部普法考试" in today


def test_review_summary_and_only_wrong(app, client, auth, world, make_exam, sit):
    exam_id = make_exam()
    sit(world["zhang"], exam_id, right=6)  # of the paper's 10 questions, the first 6 right
    auth.login("zhang")
    with app.app_context():
        from fazhi_exam.models import Attempt

        attempt_id = db.session.scalar(sa.select(Attempt.id).where(Attempt.exam_id == exam_id))
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "答对 <strong>6</strong> 题 · 答错 <strong class=\"result-wrong\">4</strong> 题 · 未答 <strong>0</strong> 题" in page
    assert page.count('class="card mb-3 review-item"') == 10 and 'href="#r-7"' in page
    wrong = client.get(f"/attempts/{attempt_id}?only=wrong").get_data(as_text=True)
    assert wrong.count('class="card mb-3 review-item"') == 4 and 'id="r-1"' not in wrong and "显示全部题目" in wrong
