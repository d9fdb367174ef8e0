"""Kept item analyses (stats/item_store.py): an ended exam's analysis is worked out once and read
back — and never read back after its answers changed: a regrade-like change, a reopened attempt,
or a change committed while the analysis was being worked out."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from fazhi_exam import clock
from fazhi_exam.exam.attempts import reopen
from fazhi_exam.extensions import db
from fazhi_exam.models import Attempt, Exam, KeptItemAnalysis, User
from fazhi_exam.stats import item_store, items


@pytest.fixture
def sat(app, world, make_user, make_exam, sit):
    """An exam 24 people sat, and the clock after its end."""
    exam_id = make_exam(max_attempts=1)
    rng = random.Random(5)
    for i in range(24):
        sit(make_user(f"k{i:02d}", unit="王庄村", cohorts=["村干部"]), exam_id, right=rng.randint(0, 10))
    with app.app_context():
        clock.freeze(db.session.get(Exam, exam_id).closes_at + timedelta(hours=1))
    return exam_id


def _figures(analysis):
    return [(i.question_id, i.n, i.facility, i.discrimination, i.point_biserial, dict(i.choices), i.unanswered,
             i.flags) for i in analysis]


def _kept(exam_id):
    return db.session.get(KeptItemAnalysis, exam_id)


def test_ended_exam_is_worked_out_once_and_read_back_the_same(app, sat, monkeypatch):
    with app.app_context():
        exam = db.session.get(Exam, sat)
        first = item_store.analysis(exam)
        assert _kept(sat).content is not None
        monkeypatch.setattr(item_store, "item_analysis", lambda _exam: pytest.fail("worked out again"))
        again = item_store.analysis(db.session.get(Exam, sat))
    assert _figures(again) == _figures(first) and len(first) >= 5


def test_open_exam_is_never_kept(app, world, make_user, make_exam, sit):
    exam_id = make_exam(max_attempts=1)
    sit(make_user("early", unit="王庄村", cohorts=["村干部"]), exam_id, right=3)
    with app.app_context():  # the clock is still inside the exam
        assert item_store.analysis(db.session.get(Exam, exam_id))
        assert _kept(exam_id) is None


def test_a_changed_answer_after_the_end_empties_what_was_kept(app, sat):
    with app.app_context():
        before = _figures(item_store.analysis(db.session.get(Exam, sat)))
        attempt = db.session.scalars(select_first_attempt(sat)).first()
        aq = next(q for q in attempt.questions if q.answer is not None and q.answer.score)
        aq.answer.score = 0.0  # as a regrade would: one answer no longer scores
        attempt.score = round(attempt.score - aq.points, 2)
        db.session.commit()
        assert _kept(sat).content is None and _kept(sat).revision == 1
        after = _figures(item_store.analysis(db.session.get(Exam, sat)))
        assert after == _figures(items.item_analysis(db.session.get(Exam, sat)))
    assert after != before


def test_reopened_attempt_stops_keeping_until_it_is_finished(app, sat):
    with app.app_context():
        item_store.analysis(db.session.get(Exam, sat))
        attempt = db.session.scalars(select_first_attempt(sat)).first()
        trainer = db.session.scalars(db.select(User).where(User.username == "outsider")).one()
        reopen(trainer, attempt, 30)
        db.session.commit()
        assert _kept(sat).content is None
        item_store.analysis(db.session.get(Exam, sat))  # one attempt is open again: worked out, not kept
        assert _kept(sat).content is None


def test_a_change_committed_while_working_out_wins(app, sat):
    with app.app_context():
        worked = item_store.work_out(db.session.get(Exam, sat))
        db.session.rollback()
        attempt = db.session.scalars(select_first_attempt(sat)).first()
        aq = next(q for q in attempt.questions if q.answer is not None and q.answer.score)
        aq.answer.score = 0.0
        attempt.score = round(attempt.score - aq.points, 2)
        db.session.commit()  # committed after the analysis was worked out, before it is kept
        assert item_store.keep(worked) is False
        db.session.rollback()
        assert _kept(sat).content is None


def select_first_attempt(exam_id):
    return db.select(Attempt).where(Attempt.exam_id == exam_id).order_by(Attempt.id)
