"""Per-option feedback and question titles from Moodle files (issue 15) reach the people they are for:
the learner sees each option's feedback in the review after the exam (in the order the options were
shown to them) and after answering in practice; the trainer sees the title and the feedback."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.bank import importing
from fazhi_exam.extensions import db
from fazhi_exam.models import Question
from tests.exam_fixtures import T0

GIFT = ("::根本法:: 我国的根本法是？{=宪法#对，宪法是国家的根本法。 ~民法典#不对，民法典是基本法律。 "
        "~刑法#不对，刑法是基本法律。 ~村规民约#不对，村规民约不是法律。}\n")
FEEDBACK = {"宪法": "对，宪法是国家的根本法。", "民法典": "不对，民法典是基本法律。", "刑法": "不对，刑法是基本法律。",
            "村规民约": "不对，村规民约不是法律。"}


def test_review_practice_and_question_page_show_what_the_file_said(app, client, auth, api, world, make_exam, make_user):
    with app.app_context():
        importing.import_file(None, "fb.gift", GIFT.encode(), bank_name="反馈库")
        db.session.commit()
        qid = db.session.scalar(sa.select(Question.id).join(Question.bank).where(sa.text("banks.name = '反馈库'")))
    exam_id = make_exam(paper=[{"bank": "反馈库", "type": "single", "count": 1, "points": 10}], pass_score=5)
    clock.freeze(T0 + timedelta(minutes=1))  # the exam is open
    assert api.login("zhang").status_code == 200
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    options = paper["questions"][0]["options"]
    wrong = next(o["key"] for o in options if o["text"] == "刑法")
    assert api.call("PUT", f"/api/v1/attempts/{paper['attempt_id']}/answers/{qid}",
                    json={"response": wrong, "seq": 1}).status_code == 200
    api.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit")
    review = api.call("GET", f"/api/v1/attempts/{paper['attempt_id']}").get_json()["review"][0]
    assert {o["text"]: o["feedback"] for o in review["options"]} == FEEDBACK  # each under its own option
    page = client.get(f"/attempts/{paper['attempt_id']}").get_data(as_text=True)
    assert "不对，刑法是基本法律。" in page and "对，宪法是国家的根本法。" in page

    clock.freeze(T0 + timedelta(hours=3))  # after the exam: its questions may be practised again
    other = app.test_client()  # someone outside the exam practises the same question
    from tests.conftest import TEST_PASSWORD, csrf_from

    token = csrf_from(other.get("/login").get_data(as_text=True))
    signed_in = other.post("/login", data={"username": "outsider", "password": TEST_PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:300]
    with app.app_context():
        question = db.session.get(Question, qid)
        vid, bank_id = question.current_version_id, question.bank_id
    token = csrf_from(other.get(f"/practice/question?bank={bank_id}").get_data(as_text=True))
    answered = other.post("/practice/question", data={"csrf_token": token, "question_id": qid, "version_id": vid,
                                                      "type": "single", f"q{qid}": "B"}).get_data(as_text=True)
    assert "答错了" in answered and "不对，民法典是基本法律。" in answered and "对，宪法是国家的根本法。" in answered

    make_user("trainer", roles={"trainer"})
    auth.login("trainer")
    question_page = client.get(f"/bank/questions/{qid}").get_data(as_text=True)
    assert "题目名称" in question_page and "根本法" in question_page and "不对，村规民约不是法律。" in question_page
