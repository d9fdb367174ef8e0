"""Taking an exam on a phone in Chromium: answers survive a network loss and a reload; when the
time runs out the attempt is submitted and the score shown."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from fazhi_exam import clock
from fazhi_exam.bank import importing
from fazhi_exam.bank.exporters.native import export
from fazhi_exam.exam.definitions import create_exam, parse_spec
from fazhi_exam.extensions import db
from fazhi_exam.models import Answer, Attempt, AttemptQuestion, User
from tests.exam_fixtures import bank_questions

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def exam_id(live_app):
    with live_app.app_context():
        if db.session.scalar(sa.text("SELECT count(*) FROM banks WHERE name = '浏览器测试库'")) == 0:
            importing.import_file(None, "b.yaml", export(bank_questions(), bank="浏览器测试库"))
        now = clock.now()
        spec = parse_spec({
            "title": "手机考试测试", "audience": {"cohorts": ["法律明白人"]},
            "opens_at": (now - timedelta(hours=1)).isoformat(), "closes_at": (now + timedelta(hours=3)).isoformat(),
            "duration_minutes": 30, "max_attempts": 3, "pass_score": 1, "shuffle_options": True,
            "paper": [{"bank": "浏览器测试库", "type": "single", "count": 3, "points": 1},
                      {"bank": "浏览器测试库", "type": "fill", "count": 1, "points": 2}]})
        exam = create_exam(None, spec, publish=True)
        db.session.commit()
        return exam.id


def login(page, base):
    page.goto(base + "/login")
    page.get_by_label("用户名或手机号").fill("learner")
    page.get_by_label("密码").fill("Xuexi@2023")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def saved_answers(app) -> dict[int, object]:
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.username == "learner"))
        attempt = db.session.scalar(sa.select(Attempt).where(Attempt.user_id == user_id)
                                    .order_by(Attempt.id.desc()))
        rows = db.session.execute(sa.select(AttemptQuestion.position, Answer.response)
                                  .join(Answer, Answer.attempt_question_id == AttemptQuestion.id)
                                  .where(AttemptQuestion.attempt_id == attempt.id)).all()
        return {position: response for position, response in rows}


def test_network_loss_and_reload_lose_nothing_then_time_runs_out(browser, live_server, live_app, exam_id):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server)
    page.goto(live_server + "/exams")
    page.locator(".exam-item", has_text="手机考试测试").get_by_role("button", name="开始考试").click()
    page.wait_for_url("**/attempts/*")
    status = page.locator("#save-status")
    cards = page.locator(".question-card")
    assert cards.count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    cards.nth(0).locator(".option").nth(1).click()
    expect(status).to_have_text("已保存")

    context.set_offline(True)
    cards.nth(1).locator(".option").nth(2).click()
    cards.nth(3).locator("input.blank").fill("两")
    expect(status).to_contain_text("网络中断")
    assert "答案已暂存本机" in status.text_content()

    context.set_offline(False)  # the page resends what it kept
    expect(status).to_have_text("已保存", timeout=15000)

    context.set_offline(True)
    cards.nth(2).locator(".option").nth(0).click()
    expect(status).to_contain_text("网络中断")
    context.set_offline(False)
    page.reload()  # the unsent answer is resent from localStorage after the reload
    expect(status).to_have_text("已保存", timeout=15000)
    status = page.locator("#save-status")
    expect(cards.nth(2).locator("input").nth(0)).to_be_checked()
    expect(cards.nth(1).locator("input").nth(2)).to_be_checked()
    expect(cards.nth(3).locator("input.blank")).to_have_value("两")

    saved = saved_answers(live_app)
    shown = [cards.nth(i).locator("input").nth(k).get_attribute("value") for i, k in ((0, 1), (1, 2), (2, 0))]
    assert saved == {1: shown[0], 2: shown[1], 3: shown[2], 4: ["两"]}

    # time runs out: move the server's clock to 8 seconds before the deadline and reload
    clock.advance(timedelta(minutes=30) - timedelta(seconds=8))
    try:
        page.reload()
        page.wait_for_url("**/attempts/*", timeout=5000)
        page.wait_for_selector("#score", timeout=30000)
        assert "得分" in page.locator("#score").text_content()
    finally:
        clock.reset()
    context.close()


def test_the_question_tapped_on_the_answer_card_is_not_under_the_sticky_bar(browser, live_server, live_app, exam_id):
    with live_app.app_context():
        now = clock.now()
        create_exam(None, parse_spec({
            "title": "答题卡测试", "audience": {"cohorts": ["法律明白人"]},
            "opens_at": (now - timedelta(hours=1)).isoformat(), "closes_at": (now + timedelta(hours=3)).isoformat(),
            "duration_minutes": 30, "pass_score": 1,
            "paper": [{"bank": "浏览器测试库", "type": "single", "count": 6, "points": 1},
                      {"bank": "浏览器测试库", "type": "judge", "count": 4, "points": 1}]}), publish=True)
        db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    login(page, live_server)
    page.goto(live_server + "/exams")
    page.locator(".exam-item", has_text="答题卡测试").get_by_role("button", name="开始考试").click()
    page.wait_for_url("**/attempts/*")
    expect(page.locator("#pager-buttons")).to_be_hidden()  # all questions on one page: no 上一题/下一题
    for number in (4, 9, 2):
        page.get_by_role("button", name="答题卡").click()
        page.locator(".card-cell", has_text=str(number)).first.click()
        expect(page.locator("#answer-card")).to_be_hidden()  # the card closes after a tap
        bar_bottom = page.locator(".exam-bar").bounding_box()["y"] + page.locator(".exam-bar").bounding_box()["height"]
        question = page.locator(f".question-card[data-number='{number}']").bounding_box()
        scroll = page.evaluate("[window.scrollY, document.documentElement.scrollHeight, window.innerHeight]")
        assert question["y"] >= bar_bottom - 1, (number, question["y"], bar_bottom, scroll)  # its top is below the bar
        assert question["y"] < 740 - 80, (number, question, bar_bottom, scroll)  # and on screen
    context.close()
