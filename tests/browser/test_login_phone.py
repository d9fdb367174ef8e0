"""A learner on a 360 px phone logs in and sees the home page; 大字 mode enlarges the text."""
from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.browser


def _login(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/")
    assert "/login" in page.url  # logged-out visitors land on the login page
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def test_learner_logs_in_on_a_phone(phone, live_server, tmp_path):
    _login(phone, live_server, "learner", "Xuexi@2023")
    assert phone.get_by_role("heading", name="您好，张明白").is_visible()
    assert phone.get_by_text("法律明白人").first.is_visible()
    # nothing wider than the screen: no sideways scrolling on a 360 px phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # no admin menu for a learner
    assert phone.get_by_role("link", name="用户管理").count() == 0
    screenshot = os.environ.get("FAZHI_SCREENSHOT_DIR")
    if screenshot:
        phone.screenshot(path=os.path.join(screenshot, "home-360.png"), full_page=True)


def test_large_text_mode_enlarges_and_persists(phone, live_server):
    _login(phone, live_server, "learner", "Xuexi@2023")
    size = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    before = phone.evaluate(size)
    phone.get_by_role("button", name="大字模式").click()
    after = phone.evaluate(size)
    assert after >= before * 1.2
    phone.reload()
    assert phone.evaluate(size) == after  # remembered by the server on the next page
    assert phone.get_by_role("button", name="标准字号").is_visible()


def test_wrong_password_shows_chinese_message(phone, live_server):
    _login(phone, live_server, "learner", "wrong-password")
    assert phone.get_by_text("用户名或密码不正确").is_visible()


def test_admin_menu_on_phone(phone, live_server):
    _login(phone, live_server, "admin", "Admin@2023")
    phone.get_by_role("button", name="打开菜单").click()
    phone.get_by_role("button", name="人员", exact=True).click()  # the staff menu groups 用户管理 under 人员
    phone.get_by_role("link", name="用户管理", exact=True).click()
    phone.wait_for_load_state("networkidle")
    assert phone.get_by_role("heading", name="用户管理").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
