"""Questions flagged 待复核 (a law they cite was amended since they were checked) stay out of papers,
practice and study quizzes until a trainer marks them reviewed; an exam may include them only by an
explicit choice, which the audit log records; the pool check says how many were held back and why."""
from __future__ import annotations

import json
import random

import pytest
import sqlalchemy as sa
import yaml

from fazhi_exam.bank.questions import mark_reviewed
from fazhi_exam.errors import ValidationError
from fazhi_exam.exam.assembly import check_rules, draw_paper, held_back, held_back_note
from fazhi_exam.exam.definitions import create_exam, parse_spec
from fazhi_exam.exam.practice import practice_banks
from fazhi_exam.extensions import db
from fazhi_exam.models import AuditEvent, Exam, Question
from tests.exam_fixtures import DEFINITION

SINGLES = [{"bank": "测试库", "type": "single", "count": 4, "points": 1}]


def _flag_half_the_singles() -> set[int]:
    """A law cited by half the singles got a new version (what bank.laws.record_new_version does to
    every citing question): 6 of the 12 singles are flagged 待复核."""
    singles = list(db.session.scalars(sa.select(Question).where(Question.type == "single").order_by(Question.id)))
    for q in singles[6:]:
        q.needs_review = True
    db.session.flush()
    return {q.id for q in singles[6:]}


def test_flagged_questions_are_never_drawn_and_the_check_says_why(ctx, world):
    flagged = _flag_half_the_singles()
    exam = create_exam(None, parse_spec(dict(DEFINITION, pass_score=1, paper=SINGLES)))
    assert held_back(exam) == [6]
    assert "有 6 道符合组卷规则的试题标记为“待复核”" in held_back_note(exam)
    for seed in range(30):
        assert not {q.question_id for q in draw_paper(exam, random.Random(seed))} & flagged
    exam.rules[0].count = 7
    assert check_rules(exam) == ["第 1 条（测试库 · 单选题）需要 7 道，题库中只有 6 道（另有 6 道待复核，未计入）"]
    with pytest.raises(ValidationError, match="另有 6 道待复核"):
        create_exam(None, parse_spec(dict(DEFINITION, pass_score=1, paper=[dict(SINGLES[0], count=7)])))


def test_an_exam_may_include_them_only_by_an_audited_choice(ctx, world):
    flagged = _flag_half_the_singles()
    exam = create_exam(None, parse_spec(dict(DEFINITION, pass_score=1, include_flagged=True,
                                             paper=[dict(SINGLES[0], count=12)])))
    assert exam.include_flagged and held_back(exam) == [0] and held_back_note(exam) is None
    assert flagged <= {q.question_id for q in draw_paper(exam, random.Random(1))}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "exam_created")
                              .order_by(AuditEvent.id.desc()))
    assert json.loads(event.details)["include_flagged"] is True


def test_practice_leaves_them_out_until_reviewed(ctx, world):
    flagged = _flag_half_the_singles()
    before = dict((b.name, n) for b, n in practice_banks())["测试库"]
    for qid in flagged:
        mark_reviewed(None, db.session.get(Question, qid))
    db.session.flush()
    assert dict((b.name, n) for b, n in practice_banks())["测试库"] == before + 6


def test_exam_create_cli_says_how_many_were_held_back(app, runner, world, tmp_path):
    with app.app_context():
        _flag_half_the_singles()
        db.session.commit()
    path = tmp_path / "exam.yaml"
    path.write_text(yaml.safe_dump(dict(DEFINITION, pass_score=1, paper=SINGLES), allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["exam", "create", str(path)])
    assert result.exit_code == 0, result.output
    assert "有 6 道符合组卷规则的试题标记为“待复核”" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Exam)) == 1
