"""A 法律明白人 signs in to today's 集中学法 session on a 360 px phone with the code on the screen."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def code(live_app):
    with live_app.app_context():
        now = clock.now()
        plan = get_or_create_plan(None, now.year, "浏览器测试学法计划")
        session = add_session(None, plan, SessionFields(now - timedelta(minutes=10), now + timedelta(hours=2),
                                                        "民法典婚姻家庭编", "民法典"))
        db.session.commit()
        return session.signin_code


def test_sign_in_on_a_phone(phone, live_server, code):
    phone.goto(live_server + "/login")
    phone.get_by_label("用户名或手机号").fill("learner")
    phone.get_by_label("密码").fill("Xuexi@2023")
    phone.get_by_role("button", name="登录").click()
    phone.get_by_role("link", name="集中学法签到").click()
    phone.get_by_label("签到码").fill("123")
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_role("alert")).to_contain_text("签到码不正确")
    phone.get_by_label("签到码").fill(code)
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_text("签到成功：民法典婚姻家庭编")).to_be_visible()
    expect(phone.locator(".card", has_text="民法典婚姻家庭编").get_by_text("已参加")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
