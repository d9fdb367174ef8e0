"""Practice with instant feedback; wrong answers (in practice and in exams) go to the 错题本,
and leave it after two right answers in a row; 练错题 drills only those."""
from __future__ import annotations

import re

import sqlalchemy as sa

from fazhi_exam.extensions import db
from fazhi_exam.models import Bank, Question, WrongBookEntry
from tests.conftest import Api


def _question_form(page: str) -> dict:
    return {name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
            for name in ("csrf_token", "question_id", "version_id", "type", "blanks")}


def _key(app, question_id):
    with app.app_context():
        return db.session.get(Question, question_id).current_version.answer


def answer_page(client, app, url, right: bool):
    page = client.get(url).get_data(as_text=True)
    form = _question_form(page)
    qid = int(form["question_id"])
    key = _key(app, qid)
    if form["type"] == "single":
        form[f"q{qid}"] = key if right else ("A" if key != "A" else "B")
    elif form["type"] == "judge":
        form[f"q{qid}"] = str(key if right else not key).lower()
    elif form["type"] == "multiple":
        form[f"q{qid}"] = list(key) if right else list(key)[:1]
    else:
        form[f"q{qid}_0"] = key[0][0] if right else "错"
    return qid, client.post(url, data=form).get_data(as_text=True)


def test_practice_feedback_and_wrong_book(app, client, auth, world):
    auth.login("zhang")
    home = client.get("/practice").get_data(as_text=True)
    assert "测试库" in home and "练错题（0 道）" in home
    with app.app_context():
        bank_id = db.session.scalar(sa.select(Bank.id).where(Bank.name == "测试库"))
    url = f"/practice/question?bank={bank_id}"
    qid, page = answer_page(client, app, url, right=False)
    assert "答错了，已记入错题本" in page and "正确答案" in page and "法律依据" in page
    assert "练错题（1 道）" in client.get("/practice").get_data(as_text=True)
    assert "行政处罚法" in client.get("/practice/wrong-book").get_data(as_text=True)
    wrong_url = "/practice/question?mode=wrong"
    again, page = answer_page(client, app, wrong_url, right=True)
    assert again == qid and "答对了" in page
    again, page = answer_page(client, app, wrong_url, right=True)  # second right in a row: it leaves
    assert again == qid
    assert "练错题（0 道）" in client.get("/practice").get_data(as_text=True)
    done = client.get(wrong_url, follow_redirects=True).get_data(as_text=True)
    assert "错题本里没有题了" in done


def test_unanswered_practice_is_refused_kindly(app, client, auth, world):
    auth.login("zhang")
    with app.app_context():
        bank_id = db.session.scalar(sa.select(Bank.id).where(Bank.name == "测试库"))
    url = f"/practice/question?bank={bank_id}"
    form = _question_form(client.get(url).get_data(as_text=True))
    page = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "请先作答再提交" in page


def test_wrong_exam_answers_go_to_the_wrong_book(app, make_exam):
    exam_id = make_exam()
    api = Api(app.test_client())
    api.login("zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    api.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit")  # blank: all wrong
    with app.app_context():
        entries = db.session.scalar(sa.select(sa.func.count()).select_from(WrongBookEntry)
                                    .where(WrongBookEntry.active.is_(True)))
    assert entries == len(paper["questions"])


def test_practice_by_topic(app, client, auth, world):
    auth.login("zhang")
    assert client.get("/practice").status_code == 200
    page = client.get("/practice/question?tag=执法").get_data(as_text=True)  # audience tags work as topics too
    qid = int(re.search(r'name="question_id" value="(\d+)"', page).group(1))
    with app.app_context():
        assert "执法" in db.session.get(Question, qid).current_version.tags


def test_wrong_book_shows_the_options_as_the_learner_saw_them(app, client, auth, make_exam):
    """The review and the 错题本 give the same letter for the right answer: the options are listed in the
    order the exam showed them (options shuffled), with the right option's text."""
    from datetime import timedelta

    from fazhi_exam import clock
    from tests.exam_fixtures import T0

    exam_id = make_exam(shuffle_options=True)
    clock.freeze(T0 + timedelta(minutes=1))
    api = Api(client)
    api.login("zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    singles = [q for q in paper["questions"] if q["type"] == "single"]
    for q in singles:
        api.call("PUT", f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}", json={"response": "A", "seq": 1})
    api.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit")
    review = {r["id"]: r for r in api.call("GET", f"/api/v1/attempts/{paper['attempt_id']}").get_json()["review"]}
    clock.freeze(T0 + timedelta(hours=3))  # after the exam its questions show in the 错题本
    auth.login("zhang")  # a new sign-in: three idle hours ended the exam's session
    book = client.get("/practice/wrong-book").get_data(as_text=True)
    checked = 0
    for q in singles:
        item = review[q["id"]]
        if item["key"] == "A":
            continue  # answered right
        text = next(o["text"] for o in item["options"] if o["key"] == item["key"])
        assert f"正确答案：<strong class=\"wrong-book-key\">{item['key']} {text}</strong>" in book
        checked += 1
    assert checked >= 1
