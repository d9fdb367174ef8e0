"""Item analysis against a plain reference computation, and the trainer's flags."""
from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from fazhi_exam import clock
from fazhi_exam.exam.attempts import finish, start_or_resume
from fazhi_exam.exam.demo import _respond
from fazhi_exam.extensions import db
from fazhi_exam.models import Answer, Attempt, Exam, User
from fazhi_exam.stats.items import item_analysis

LETTERS = "ABCDEFGH"


def _reference(exam_id: int) -> dict[int, tuple[float, float, float | None]]:
    """P, D and corrected r per question, straight from the rows (one graded attempt per person)."""
    attempts = db.session.query(Attempt).filter_by(exam_id=exam_id, status="graded").all()
    scores = {a.id: {aq.question_id: (aq.answer.score if aq.answer and aq.answer.score else 0.0, aq.points)
                     for aq in a.questions} for a in attempts}
    totals = {a.id: a.score for a in attempts}
    ranked = sorted(totals, key=lambda aid: (-totals[aid], aid))
    k = max(1, math.floor(0.27 * len(ranked) + 0.5))
    top, bottom = set(ranked[:k]), set(ranked[-k:])
    out = {}
    for qid in {q for s in scores.values() for q in s}:
        rows = [(aid, *scores[aid][qid]) for aid in scores if qid in scores[aid]]
        p = sum(x / pts for _, x, pts in rows) / len(rows)

        def group_p(group, rows=rows):
            sel = [x / pts for aid, x, pts in rows if aid in group]
            return sum(sel) / len(sel) if sel else None

        d = None if group_p(top) is None or group_p(bottom) is None else group_p(top) - group_p(bottom)
        xs = [x for _, x, _ in rows]
        ys = [totals[aid] - x for aid, x, _ in rows]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        vx = sum((x - mx) ** 2 for x in xs)
        vy = sum((y - my) ** 2 for y in ys)
        r = None if vx < 1e-12 or vy < 1e-12 else \
            sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(vx * vy)
        out[qid] = (p, d, r)
    return out


@pytest.fixture
def crowd(app, world, make_user):
    return [make_user(f"c{i:02d}", unit="王庄村", cohorts=["村干部"]) for i in range(24)]


def test_item_statistics_agree_with_reference(app, crowd, make_exam, sit):
    exam_id = make_exam(max_attempts=1)
    rng = random.Random(7)
    for uid in crowd:
        sit(uid, exam_id, right=rng.randint(0, 10))
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        items = item_analysis(exam)
        reference = _reference(exam_id)
        assert {i.question_id for i in items} == set(reference)
        for item in items:
            p, d, r = reference[item.question_id]
            assert item.facility == pytest.approx(p, abs=5e-4)
            assert (item.discrimination is None) == (d is None)
            if d is not None:
                assert item.discrimination == pytest.approx(d, abs=5e-4)
            if r is None:
                assert item.point_biserial is None
            else:
                assert item.point_biserial == pytest.approx(r, abs=5e-4)
            if item.type in ("single", "judge"):
                assert sum(item.choices.values()) + item.unanswered == item.n


def test_wrong_key_and_negative_discrimination_are_flagged(app, crowd, make_exam):
    """Everyone able picks option C of one single-choice question whose key says A; the weak
    examinees pick the key: the flags tell the trainer to check the key."""
    exam_id = make_exam(paper=[{"bank": "测试库", "type": "single", "count": 12, "points": 1}],
                        shuffle_options=True, pass_score=6)
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        target = None
        for n, uid in enumerate(crowd):
            clock.freeze(exam.opens_at + timedelta(minutes=1))
            attempt, _ = start_or_resume(db.session.get(User, uid), exam)
            strong = n < 17
            for seq, aq in enumerate(attempt.questions, 1):
                version = aq.version
                if target is None and version.answer == "A":
                    target = aq.question_id
                if aq.question_id == target:
                    original = "C" if strong else "A"
                    shown = LETTERS[aq.option_order.index(LETTERS.index(original))]
                    aq.answer = Answer(response=shown, seq=seq, saved_at=clock.now())
                else:
                    aq.answer = Answer(response=_respond(aq, strong, random.Random(seq)), seq=seq,
                                       saved_at=clock.now())
            db.session.flush()
            finish(attempt, "submitted", clock.now())
        db.session.commit()
        item = next(i for i in item_analysis(db.session.get(Exam, exam_id)) if i.question_id == target)
    assert item.choices["C"] == 17 and item.choices["A"] == 7
    assert item.facility == pytest.approx(7 / 24)
    assert item.discrimination < 0
    assert any("多数人选了同一个错误选项（C，71%）" in f for f in item.flags)
    assert any("区分度为负" in f for f in item.flags)


def test_several_exams_at_once_give_each_exams_own_analysis(app, crowd, make_exam, sit, monkeypatch):
    """The export analyses the year's exams in parallel threads (item_analyses); each exam must get
    exactly what item_analysis gives it alone, in the order asked."""
    from fazhi_exam.stats import item_store

    monkeypatch.setattr(item_store.os, "cpu_count", lambda: 2)  # parallel even on a one-core runner
    first, second = make_exam(max_attempts=1), make_exam(title="第二场", max_attempts=1)
    rng = random.Random(11)
    for uid in crowd:
        sit(uid, first, right=rng.randint(0, 10))
        sit(uid, second, right=10 - rng.randint(0, 10))
    with app.app_context():
        exams = [db.session.get(Exam, second), db.session.get(Exam, first)]
        alone = [[(i.question_id, i.n, i.facility, i.discrimination, i.choices) for i in item_analysis(e)]
                 for e in exams]
        together = [[(i.question_id, i.n, i.facility, i.discrimination, i.choices) for i in analysis]
                    for analysis in item_store.item_analyses(exams)]
    assert together == alone and alone[0] != alone[1]
