"""An exam world: a bank of known questions, learners in cohorts, an exam from a definition."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from fazhi_exam import clock
from fazhi_exam.bank import importing
from fazhi_exam.bank.exporters.native import export
from fazhi_exam.bank.importers.base import ParsedQuestion
from fazhi_exam.extensions import db

T0 = datetime(2023, 6, 1, 1, 0, tzinfo=UTC)  # 09:00 Beijing


def bank_questions() -> list[ParsedQuestion]:
    qs = []
    for i in range(12):
        qs.append(ParsedQuestion("single", f"单选题第{i}题？", [f"甲{i}", f"乙{i}", f"丙{i}", f"丁{i}"], "ABCD"[i % 4],
                                 "解析", "《中华人民共和国行政处罚法》第五条", 2, ["执法"]))
    for i in range(6):
        qs.append(ParsedQuestion("multiple", f"多选题第{i}题？", [f"子{i}", f"丑{i}", f"寅{i}", f"卯{i}"], "ACD",
                                 "解析", "《中华人民共和国行政处罚法》第九条", 3, ["执法"]))
    for i in range(6):
        qs.append(ParsedQuestion("judge", f"判断题第{i}题。", [], i % 2 == 0, "解析",
                                 "《中华人民共和国行政处罚法》第三十六条", 1, ["干部"]))
    qs.append(ParsedQuestion("fill", "违法行为在____年内未被发现的，不再给予行政处罚。", [], [["二", "2", "两"]], "解析",
                             "《中华人民共和国行政处罚法》第三十六条", 2, ["执法"]))
    qs.append(ParsedQuestion("essay", "简述行政处罚的种类。", [], "警告、通报批评；罚款……", "",
                             "《中华人民共和国行政处罚法》第九条", 3, ["执法"], ["列出种类（10分）"]))
    return qs


DEFINITION = {
    "title": "2023年第一次镇村干部普法考试", "kind": "formal",
    "audience": {"cohorts": ["村干部"], "org_units": []},
    "opens_at": T0.isoformat(), "closes_at": (T0 + timedelta(hours=2)).isoformat(),
    "duration_minutes": 60, "max_attempts": 1, "score_policy": "best", "pass_score": 8,
    "multiple_policy": "all_or_nothing", "shuffle_questions": True, "shuffle_options": True,
    "show_score": "immediately", "show_answers": "after_submit",
    "paper": [{"bank": "测试库", "type": "single", "count": 5, "points": 1},
              {"bank": "测试库", "type": "multiple", "count": 2, "points": 2},
              {"bank": "测试库", "type": "judge", "count": 2, "points": 1},
              {"bank": "测试库", "type": "fill", "count": 1, "points": 2}],
}


@pytest.fixture
def world(app, town, make_user):
    with app.app_context():
        importing.import_file(None, "b.yaml", export(bank_questions(), bank="测试库"))
        db.session.commit()
    ids = {name: make_user(name, unit="王庄村", cohorts=["村干部"]) for name in ("zhang", "li")}
    ids["outsider"] = make_user("outsider", unit="李庄村", cohorts=["法律明白人"])
    ids["trainer"] = make_user("peixun", roles={"trainer"})
    clock.freeze(T0 + timedelta(minutes=5))
    yield ids
    clock.reset()


@pytest.fixture
def make_exam(app, world):
    from fazhi_exam.exam.definitions import create_exam, parse_spec

    def make(**changes) -> int:
        data = {**DEFINITION, **changes}
        with app.app_context():
            exam = create_exam(None, parse_spec(data), publish=True)
            db.session.commit()
            return exam.id

    return make


@pytest.fixture
def sit(app):
    """sit(user_id, exam_id, right=n): answer the first n questions right, the rest wrong, submit.
    Returns the attempt's score."""

    def do(user_id: int, exam_id: int, right: int | None = None, *, finish_attempt: bool = True) -> float:
        from fazhi_exam.exam.attempts import finish, start_or_resume
        from fazhi_exam.exam.demo import _respond
        from fazhi_exam.models import Answer, Exam, User

        with app.app_context():
            exam = db.session.get(Exam, exam_id)
            clock.freeze(exam.opens_at + timedelta(minutes=1))
            attempt, _ = start_or_resume(db.session.get(User, user_id), exam)
            rng = random.Random(user_id)
            for seq, aq in enumerate(attempt.questions, 1):
                good = right is None or seq <= right
                aq.answer = Answer(response=_respond(aq, good, rng), seq=seq, saved_at=clock.now())
            db.session.flush()
            if finish_attempt:
                finish(attempt, "submitted", clock.now() + timedelta(minutes=10))
            db.session.commit()
            return attempt.score

    return do


@pytest.fixture
def exemption_case(app, world, make_user, make_exam, sit):
    """The 村干部 audience of an exam, a session and a programme: zhang (took the exam), li (王庄村),
    zhao (李庄村), and cunguan, 王庄村's village admin. Returns (ids, exam_id, session_id, programme_id)."""
    import sqlalchemy as sa

    from fazhi_exam.models import Cohort
    from fazhi_exam.study.materials import create_material
    from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan
    from fazhi_exam.study.programmes import create_programme

    ids = dict(world)
    ids["zhao"] = make_user("zhao", unit="李庄村", cohorts=["村干部"])
    ids["cunguan"] = make_user("cunguan", roles={"learner", "admin"}, unit="王庄村", scope="王庄村")
    exam_id = make_exam()
    sit(ids["zhang"], exam_id)
    with app.app_context():
        cadres = db.session.scalar(sa.select(Cohort).where(Cohort.name == "村干部"))
        plan = get_or_create_plan(None, 2023, "2023年学法计划")
        session = add_session(None, plan, SessionFields(T0 - timedelta(days=30), T0 - timedelta(days=30, hours=-2),
                                                        "宪法学习", cohorts=[cadres]))
        material = create_material(None, title="宪法要点", kind="text", minutes=5, body="宪法是根本法。")
        programme = create_programme(None, title="村干部培训", year=2023, cohorts=[cadres], materials=[material])
        db.session.commit()
        return ids, exam_id, session.id, programme.id
