"""Marking 简答 answers and regrading after a corrected key, as the trainer does it."""
from __future__ import annotations

import re

import sqlalchemy as sa

from fazhi_exam.extensions import db
from fazhi_exam.models import AttemptQuestion, AuditEvent, Question
from tests.conftest import Api


def take(app, username, exam_id, answer_all_single: str | None = None, essay: str = "警告、罚款……"):
    api = Api(app.test_client())
    api.login(username)
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    for seq, q in enumerate(paper["questions"], 1):
        response = essay if q["type"] == "essay" else None
        if q["type"] == "single" and answer_all_single:
            response = answer_all_single
        if response is not None:
            api.call("PUT", f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                     json={"response": response, "seq": seq})
    return api, paper, api.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit").get_json()


def test_essay_waits_for_the_trainer_then_the_score_is_final(app, client, auth, make_exam):
    exam_id = make_exam(pass_score=5, paper=[{"bank": "测试库", "type": "judge", "count": 2, "points": 1},
                                             {"bank": "测试库", "type": "essay", "count": 1, "points": 10}])
    api, paper, done = take(app, "zhang", exam_id)
    assert done["status"] == "submitted" and "score" not in done
    auth.login("peixun")
    queue = client.get(f"/manage/exams/{exam_id}/marking").get_data(as_text=True)
    assert "待评 1 份" in queue and "警告、罚款……" in queue and "测试zhang" not in queue  # anonymised
    aq_id = int(re.search(r"/marking/(\d+)", queue).group(1))
    token = auth.csrf(f"/manage/exams/{exam_id}/marking")
    too_much = client.post(f"/manage/exams/{exam_id}/marking/{aq_id}", data={"csrf_token": token, "score": "11"})
    assert "得分应在 0–10 之间" in client.get(too_much.headers["Location"]).get_data(as_text=True)
    client.post(f"/manage/exams/{exam_id}/marking/{aq_id}", data={"csrf_token": token, "score": "7",
                                                                 "comment": "要点基本齐全"})
    result = api.call("GET", f"/api/v1/attempts/{paper['attempt_id']}").get_json()
    assert result["status"] == "graded" and result["score"] >= 7 and result["passed"] is True
    essay = next(item for item in result["review"] if item["type"] == "essay")
    assert essay["score"] == 7 and essay["comment"] == "要点基本齐全"
    with app.app_context():
        assert "manual_graded" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_regrade_dry_run_then_apply(app, client, auth, make_exam):
    exam_id = make_exam(shuffle_options=False, pass_score=2, paper=[
        {"bank": "测试库", "type": "single", "count": 12, "points": 1}])
    # everyone answers "A" to every single-choice question; keys are A,B,C,D in turn
    _, _, zhang = take(app, "zhang", exam_id, answer_all_single="A")
    assert zhang["score"] == 3
    with app.app_context():
        question = db.session.scalar(sa.select(Question).where(Question.type == "single").order_by(Question.id)
                                     .offset(1))  # its key is B
        qid = question.id
    auth.login("peixun")
    page = client.get(f"/bank/questions/{qid}/edit").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(f"/bank/questions/{qid}/edit", data={
        "csrf_token": token, "type": "single", "stem": "单选题第1题？", "options": "甲1\n乙1\n丙1\n丁1",
        "answer": "A", "difficulty": "2", "basis": "《中华人民共和国行政处罚法》第五条", "note": "更正答案"})
    dry = client.get(f"/manage/exams/regrade/{qid}").get_data(as_text=True)
    assert "尚未改动任何成绩" in dry and "测试zhang" in dry
    with app.app_context():  # the dry run changed nothing
        aq = db.session.scalar(sa.select(AttemptQuestion).where(AttemptQuestion.question_id == qid))
        assert aq.answer.score == 0
    applied = client.post(f"/manage/exams/regrade/{qid}", data={"csrf_token": token}).get_data(as_text=True)
    assert "已重新判分" in applied
    api = Api(app.test_client())
    api.login("zhang")
    mine = api.call("GET", "/api/v1/me/exams").get_json()["exams"][0]
    assert mine["best_score"] == 4
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "regraded"))
        assert '"old": 3.0' in event.details and '"new": 4.0' in event.details


def test_trainer_reopens_a_finished_attempt(app, client, auth, make_exam):
    from datetime import timedelta

    from fazhi_exam import clock
    from fazhi_exam.models import Attempt

    exam_id = make_exam()
    api, paper, done = take(app, "zhang", exam_id)
    assert done["status"] == "graded"
    auth.login("peixun")
    token = auth.csrf(f"/manage/exams/{exam_id}")
    client.post(f"/manage/exams/attempts/{paper['attempt_id']}/reopen", data={"csrf_token": token, "minutes": "15"})
    resumed = api.call("POST", f"/api/v1/exams/{exam_id}/attempts")
    assert resumed.status_code == 200 and resumed.get_json()["attempt_id"] == paper["attempt_id"]
    assert resumed.get_json()["remaining_seconds"] == 15 * 60
    q = paper["questions"][0]
    assert api.call("PUT", f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                    json={"response": None, "seq": 99}).status_code == 200
    clock.advance(timedelta(minutes=16))
    assert api.call("GET", f"/api/v1/attempts/{paper['attempt_id']}").get_json()["status"] == "in_progress"
    assert "已自动交卷 1 份" in app.test_cli_runner().invoke(args=["attempts", "close-expired"]).output
    with app.app_context():
        assert db.session.get(Attempt, paper["attempt_id"]).status == "graded"
        assert "attempt_reopened" in db.session.scalars(sa.select(AuditEvent.action)).all()
