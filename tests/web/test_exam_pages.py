"""Exam pages: the trainer creates, checks and publishes an exam; the learner takes it in the
browser-less client; the trainer sees the attempt; the 补考 form is prefilled."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Exam
from tests.exam_fixtures import T0


def test_trainer_creates_checks_and_publishes(app, client, auth, world):
    from fazhi_exam.bank import importing
    from fazhi_exam.bank.exporters.native import export
    from fazhi_exam.bank.importers.base import ParsedQuestion
    from fazhi_exam.bank.laws import ensure_laws

    with app.app_context():  # three 判断题 on 行政处罚法 and one on 行政许可法, linked to their laws
        ensure_laws()
        questions = [ParsedQuestion("judge", f"处罚判断第{i}题。", [], True, "解析", "《中华人民共和国行政处罚法》第五条", 2, [])
                     for i in range(3)]
        questions.append(ParsedQuestion("judge", "许可判断题。", [], True, "解析", "《中华人民共和国行政许可法》第五条", 2, []))
        importing.import_file(None, "laws.yaml", export(questions, bank="按法律"))
        db.session.commit()
    auth.login("peixun")
    page = client.get("/manage/exams/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "title": "页面建的考试", "kind": "formal", "makeup_of": "0",
            "opens_at": "2023-06-01T09:00", "closes_at": "2023-06-01T11:00", "duration_minutes": "60",
            "max_attempts": "1", "score_policy": "best", "pass_score": "6", "multiple_policy": "partial",
            "shuffle_questions": "y", "shuffle_options": "y", "show_score": "immediately",
            "show_answers": "after_submit", "cohorts": ["村干部"],
            "rule-0-bank": "测试库", "rule-0-type": "single", "rule-0-count": "99", "rule-0-points": "1"}
    too_many = client.post("/manage/exams/new", data=form).get_data(as_text=True)
    assert "需要 99 道，题库中只有 12 道" in too_many
    form["rule-0-count"] = "10"
    form.update({"rule-1-bank": "按法律", "rule-1-type": "judge", "rule-1-law": "行政处罚法", "rule-1-count": "7",
                 "rule-1-points": "1"})
    assert "需要 7 道，题库中只有 3 道" in client.post("/manage/exams/new", data=form).get_data(as_text=True)
    form["rule-1-count"] = "2"
    response = client.post("/manage/exams/new", data=form)
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "草稿" in detail and "样卷预览" in detail and "答案：" in detail
    with app.app_context():
        exam = db.session.scalar(sa.select(Exam).where(Exam.title == "页面建的考试"))
        assert exam.opens_at == T0 and exam.multiple_policy == "partial" and exam.total_points == 12
        assert exam.rules[1].law.name == "行政处罚法"
        exam_id = exam.id
    client.post(f"/manage/exams/{exam_id}/status", data={"csrf_token": token, "status": "published"})
    assert "已发布" in client.get(f"/manage/exams/{exam_id}").get_data(as_text=True)
    makeup_form = client.get(f"/manage/exams/new?makeup_of={exam_id}").get_data(as_text=True)
    assert "页面建的考试（补考）" in makeup_form


def test_learner_takes_exam_through_pages(app, client, auth, make_exam):
    exam_id = make_exam(show_answers="after_submit")
    auth.login("zhang")
    listing = client.get("/exams").get_data(as_text=True)
    assert "2023年第一次镇村干部普法考试" in listing and "开始考试" in listing
    token = auth.csrf("/exams")
    started = client.post(f"/exams/{exam_id}/start", data={"csrf_token": token})
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'id="exam"' in page and 'data-remaining="3600"' in page
    assert "answer-key" not in page and "解析" not in page  # no key on the exam page
    clock.advance(timedelta(minutes=61))  # time runs out while nobody looks
    result = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "时间到，自动交卷" in result and "得分" in result and "正确答案" in result
    assert "2023年第一次镇村干部普法考试" in client.get("/results").get_data(as_text=True)
    auth.logout()
    auth.login("peixun")
    trainer_view = client.get(f"/manage/exams/{exam_id}").get_data(as_text=True)
    assert "超时自动交卷" in trainer_view and "测试zhang" in trainer_view


def test_learners_cannot_manage_exams(client, auth, world):
    auth.login("zhang")
    assert client.get("/manage/exams").status_code == 403
    assert client.get("/manage/exams/new").status_code == 403
