"""DESIGN §5 exam figures on a small case worked out by hand.

Audience 村干部 (pass mark 8 of 13 points):
  zhang 王庄村 all right 13 · li 王庄村 all wrong 0 · wang 李庄村 (村干部 and 法律明白人) 0, then 13
  in the 补考 · zhao 李庄村 never starts · gone (村干部, deactivated, never started) is not counted ·
  outsider (法律明白人 only) is not in the audience.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from fazhi_exam.accounts.users import set_active
from fazhi_exam.extensions import db
from fazhi_exam.models import Exam, User
from fazhi_exam.stats import exams as stats
from tests.exam_fixtures import T0


@pytest.fixture
def case(app, world, make_user, make_exam, sit):
    ids = dict(world)
    ids["wang"] = make_user("wang", unit="李庄村", cohorts=["村干部", "法律明白人"])
    ids["zhao"] = make_user("zhao", unit="李庄村", cohorts=["村干部"])
    ids["gone"] = make_user("gone", unit="李庄村", cohorts=["村干部"])
    with app.app_context():
        set_active(None, db.session.get(User, ids["gone"]), False)  # leaves on the exam's day
        db.session.commit()
    formal = make_exam()
    assert sit(ids["zhang"], formal) == 13
    assert sit(ids["li"], formal, right=0) == 0
    assert sit(ids["wang"], formal, right=0) == 0
    makeup = make_exam(title="补考", kind="makeup", makeup_of=formal, audience={"cohorts": [], "org_units": []},
                       opens_at=(T0 + timedelta(days=7)).isoformat(),
                       closes_at=(T0 + timedelta(days=7, hours=2)).isoformat())
    assert sit(ids["wang"], makeup) == 13
    return ids, formal, makeup


def test_figures_with_makeup_counted(app, case):
    ids, formal, _ = case
    with app.app_context():
        f = stats.figures(db.session.get(Exam, formal))
    assert (f.expected, f.took, f.passed, f.via_makeup, f.pending) == (4, 3, 2, 1, 0)
    assert f.took_rate == pytest.approx(0.75)
    assert f.pass_rate == pytest.approx(2 / 3)
    assert f.pass_rate_expected == pytest.approx(0.5)
    assert (f.mean, f.high, f.low) == (pytest.approx(26 / 3, abs=0.01), 13, 0)


def test_figures_with_makeup_not_counted(app, case):
    _, formal, _ = case
    with app.app_context():
        db.session.get(Exam, formal).count_makeup = False
        db.session.commit()
        f = stats.figures(db.session.get(Exam, formal))
    assert (f.expected, f.took, f.passed, f.via_makeup) == (4, 3, 1, 0)
    assert (f.mean, f.high, f.low) == (pytest.approx(13 / 3, abs=0.01), 13, 0)


def test_makeup_exam_own_figures(app, case):
    """The 补考's audience: the formal audience less those who passed it (li, wang, zhao)."""
    _, _, makeup = case
    with app.app_context():
        f = stats.figures(db.session.get(Exam, makeup))
    assert (f.expected, f.took, f.passed) == (3, 1, 1)


def test_breakdowns_person_in_two_cohorts(app, case):
    _, formal, _ = case
    with app.app_context():
        exam = db.session.get(Exam, formal)
        units = {f.label: (f.expected, f.took, f.passed) for f in stats.by_unit(exam)}
        cohorts = {f.label: (f.expected, f.took, f.passed) for f in stats.by_cohort(exam)}
        bands = stats.bands(exam)
    assert units == {"王庄村": (2, 2, 1), "李庄村": (2, 1, 1)}
    assert cohorts == {"村干部": (4, 3, 2), "法律明白人": (1, 1, 1)}
    assert bands == [1, 0, 0, 0, 0, 0, 0, 0, 0, 2]


def test_names_behind_each_figure(app, case):
    _, formal, _ = case
    with app.app_context():
        exam = db.session.get(Exam, formal)

        def names(who, **kw):
            return sorted(p.username for p in stats.people(exam, who, **kw))

        assert names("expected") == ["li", "wang", "zhang", "zhao"]
        assert names("took") == ["li", "wang", "zhang"]
        assert names("passed") == ["wang", "zhang"]
        assert names("failed") == ["li"]
        assert names("missed") == ["zhao"]
        assert names("makeup") == ["wang"]
        unit = next(f.key for f in stats.by_unit(exam) if f.label == "李庄村")
        assert names("expected", unit_id=unit) == ["wang", "zhao"]
        wang = next(p for p in stats.people(exam, "passed") if p.username == "wang")
        assert wang.result == "合格（补考）" and wang.score == 13


def test_last_attempt_policy_and_pending_essay(app, world, make_exam, sit):
    """score_policy last: the later, worse attempt counts; an attempt waiting for marking counts as
    参考 but neither 合格 nor in the mean."""
    exam_id = make_exam(max_attempts=2, score_policy="last")
    sit(world["zhang"], exam_id)
    sit(world["zhang"], exam_id, right=0)
    essay = make_exam(title="含简答", paper=[{"bank": "测试库", "type": "essay", "count": 1, "points": 10}],
                      pass_score=5)
    sit(world["li"], essay)
    with app.app_context():
        f = stats.figures(db.session.get(Exam, exam_id))
        assert (f.took, f.passed, f.high) == (1, 0, 0)
        db.session.get(Exam, exam_id).score_policy = "best"
        assert stats.figures(db.session.get(Exam, exam_id)).passed == 1
        e = stats.figures(db.session.get(Exam, essay))
        assert (e.expected, e.took, e.passed, e.pending, e.mean) == (2, 1, 0, 1, None)
        assert [p.username for p in stats.people(db.session.get(Exam, essay), "pending")] == ["li"]


def test_scope_limits_to_a_village(app, case):
    _, formal, _ = case
    with app.app_context():
        exam = db.session.get(Exam, formal)
        path = next(u.org_unit.path for u in db.session.query(User).filter_by(username="zhao"))
        f = stats.figures(exam, scope=path)
    assert (f.expected, f.took, f.passed) == (2, 1, 1)

