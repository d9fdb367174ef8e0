"""Grading rules, paper assembly, exam definitions and 补考 eligibility."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
import yaml

from fazhi_exam import clock
from fazhi_exam.bank.types import REGISTRY
from fazhi_exam.errors import ValidationError
from fazhi_exam.exam.assembly import check_rules, draw_paper
from fazhi_exam.exam.definitions import create_exam, parse_spec
from fazhi_exam.extensions import db
from fazhi_exam.models import Exam
from tests.conftest import Api
from tests.exam_fixtures import DEFINITION, T0


@pytest.mark.parametrize("policy, chosen, expected", [
    ("all_or_nothing", "ACD", 2.0), ("all_or_nothing", "AC", 0.0), ("all_or_nothing", "ACDB", 0.0),
    ("partial", "AC", 1.33), ("partial", "A", 0.67), ("partial", "AB", 0.0), ("partial", "", 0.0),
    ("partial_half", "AD", 1.0), ("partial_half", "ABD", 0.0),
])
def test_multiple_choice_policies(policy, chosen, expected):
    assert REGISTRY["multiple"].grade("ACD", list(chosen), 2, policy=policy) == expected


def test_single_judge_fill_grading():
    assert REGISTRY["single"].grade("B", "B", 1) == 1 and REGISTRY["single"].grade("B", "C", 1) == 0
    assert REGISTRY["judge"].grade(False, False, 1) == 1 and REGISTRY["judge"].grade(False, True, 1) == 0
    fill = REGISTRY["fill"]
    assert fill.grade([["二", "2"]], ["２"], 2) == 2  # full-width digit
    assert fill.grade([["行政处罚"], ["五"]], [" 行政 处罚 ", "六"], 2) == 1  # one blank of two
    assert fill.grade([["二"]], "二", 2) == 0


def test_shuffled_options_are_graded_by_what_was_shown():
    # shown A,B,C,D = original C,A,D,B; the right original answer "C" is shown as "A"
    order = [2, 0, 3, 1]
    single = REGISTRY["single"]
    assert single.to_original("A", order) == "C"
    assert REGISTRY["multiple"].to_original(["A", "C", "B"], order) == "ACD"


def test_definition_errors_name_the_field(ctx, town):
    bad = dict(DEFINITION, duration_minutes=0)
    with pytest.raises(ValidationError, match="duration_minutes"):
        parse_spec(bad)
    with pytest.raises(ValidationError, match="组卷规则第 2 条的 type"):
        parse_spec(dict(DEFINITION, paper=[{"type": "single", "count": 1}, {"type": "choice", "count": 1}]))
    with pytest.raises(ValidationError, match="结束时间应晚于开始时间"):
        parse_spec(dict(DEFINITION, closes_at=DEFINITION["opens_at"]))


def test_banks_must_hold_enough_questions(ctx, world):
    spec = parse_spec(dict(DEFINITION, paper=[{"bank": "测试库", "type": "single", "count": 50, "points": 1}]))
    with pytest.raises(ValidationError, match="需要 50 道，题库中只有 12 道"):
        create_exam(None, spec)
    spec = parse_spec(dict(DEFINITION, paper=[{"bank": "没有的库", "type": "single", "count": 1, "points": 1}]))
    with pytest.raises(ValidationError, match="没有名为“没有的库”的题库"):
        create_exam(None, spec)


def test_paper_has_no_repeats_across_overlapping_rules(ctx, world):
    spec = parse_spec(dict(DEFINITION, pass_score=1, paper=[
        {"bank": "测试库", "type": "single", "count": 8, "points": 1},
        {"bank": "测试库", "type": "single", "count": 4, "points": 1}]))
    exam = create_exam(None, spec)
    for seed in range(20):
        ids = [q.question_id for q in draw_paper(exam, random.Random(seed))]
        assert len(ids) == len(set(ids)) == 12
    exam.rules[1].count = 5
    assert "剩余的题不够" in check_rules(exam)[0]


def test_exam_create_cli(app, runner, world, tmp_path):
    path = tmp_path / "exam.yaml"
    path.write_text(yaml.safe_dump(DEFINITION, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["exam", "create", str(path)])
    assert result.exit_code == 0, result.output
    exam_id = int(result.stdout.strip().splitlines()[0])
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert exam.status == "published" and exam.total_points == 13 and exam.cohorts[0].name == "村干部"
    path.write_text(yaml.safe_dump(dict(DEFINITION, audience={"cohorts": ["外星人"]}), allow_unicode=True))
    bad = runner.invoke(args=["exam", "create", str(path)])
    assert bad.exit_code == 1 and "找不到人员类别：外星人" in bad.output


def test_makeup_is_for_those_who_failed_or_missed(app, make_exam):
    formal = make_exam(pass_score=13)  # only a perfect paper passes
    with app.app_context():
        spec = parse_spec(dict(DEFINITION, title="补考", kind="makeup", makeup_of=formal, audience={},
                               opens_at=(T0 + timedelta(days=1)).isoformat(),
                               closes_at=(T0 + timedelta(days=1, hours=2)).isoformat()))
        makeup = create_exam(None, spec, publish=True)
        db.session.commit()
        makeup_id = makeup.id
    zhang = Api(app.test_client())
    zhang.login("zhang")
    paper = zhang.call("POST", f"/api/v1/exams/{formal}/attempts").get_json()
    zhang.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit")  # blank paper: failed
    with app.app_context():
        from fazhi_exam.models import Attempt

        # li "passed" the formal exam
        li_id = db.session.scalar(sa.text("SELECT id FROM users WHERE username = 'li'"))
        exam = db.session.get(Exam, formal)
        db.session.add(Attempt(exam_id=exam.id, user_id=li_id, number=1, status="graded", started_at=clock.now(),
                               deadline=clock.now(), finished_at=clock.now(), score=13, max_score=13, passed=True))
        db.session.commit()
    clock.advance(timedelta(days=1))
    zhang.login("zhang")  # the day before's session has timed out
    started = zhang.call("POST", f"/api/v1/exams/{makeup_id}/attempts")
    assert started.status_code == 201 and started.get_json()["title"] == "补考"
    li = Api(app.test_client())
    li.login("li")
    refused = li.call("POST", f"/api/v1/exams/{makeup_id}/attempts")
    assert refused.status_code == 403 and "未通过或缺考" in refused.get_json()["message"]
    done = zhang.call("POST", f"/api/v1/attempts/{started.get_json()['attempt_id']}/submit").get_json()
    assert done["is_makeup"] is True


@pytest.mark.parametrize("stem, variants, given, right", [
    ("自收到决定书之日起____日内申请复议。", ["三十", "30"], "三十日", True),  # the unit printed after the blank
    ("自收到决定书之日起____日内申请复议。", ["三十", "30"], "30天", True),
    ("自收到决定书之日起____日内申请复议。", ["三十", "30"], "三十日内", True),
    ("自收到决定书之日起____日内申请复议。", ["三十", "30"], "三", False),
    ("自收到决定书之日起____日内申请复议。", ["三十", "30"], "六十日", False),
    ("申请期限为____。", ["六十日"], "60天", True),  # numerals and 天/日 written either way
    ("申请期限为____。", ["六十日"], "六十", False),
    ("依照本法第____条", ["十"], "第十条", True),  # the word printed before the blank
    ("试用期不得超过____个月。", ["六"], "六个月", True),
    ("禁止虐待____、妇女和儿童。", ["老人", "老年人"], "老年人", True),
    ("禁止虐待____、妇女和儿童。", ["老人"], "妇女", False),
])
def test_fill_accepts_the_forms_a_cadre_writes(stem, variants, given, right):
    assert REGISTRY["fill"].grade([variants], [given], 2, stem=stem) == (2 if right else 0)
