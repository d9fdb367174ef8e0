"""Login, logout, passwords, throttling, CSRF, roles and headers, as a user meets them."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import AuditEvent, LoginSession
from tests.conftest import TEST_PASSWORD, Api
from tests.unit.test_passwords import PERSON, RULE_CASES


def test_login_page_then_home_shows_name(client, auth, make_user, town):
    make_user("zhang", name="张三", unit="王庄村", cohorts=["法律明白人"])
    response = auth.login("zhang")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "您好，张三" in page
    assert "王庄村" in page and "法律明白人" in page


def test_login_by_phone_with_fullwidth_digits(client, auth, make_user):
    make_user("13800000001", name="李四")
    response = auth.login("１３８０００００００１")
    assert response.status_code == 302
    assert "李四" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_and_audited(app, client, auth, make_user):
    make_user("zhang")
    response = auth.login("zhang", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still logged out
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "login_failed" in actions


@pytest.fixture
def frozen_time(app, monkeypatch):
    """Stop time, and move it with fazhi_exam.clock: the throttle and its limits storage read
    time.time(), so that follows the clock here. Returns a function that moves both."""
    clock.freeze(clock.now())
    monkeypatch.setattr(time, "time", lambda: clock.now().timestamp())
    return lambda seconds: clock.advance(timedelta(seconds=seconds))


def at(app, address: str) -> Api:
    """A new browser at this address (REMOTE_ADDR; X-Forwarded-For is not trusted)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Api(client)


def test_repeated_wrong_passwords_from_one_address_get_429_even_with_right_password(
        app, client, api, auth, make_user, frozen_time):
    make_user("zhang")
    for _ in range(5):
        assert api.login("zhang", "wrong").status_code == 401
    response = api.login("zhang", TEST_PASSWORD)
    assert response.status_code == 429
    assert response.get_json()["error"] == "too_many_attempts"
    assert response.headers["Retry-After"] == "900"
    assert "请 15 分钟（900 秒）后再试" in response.get_json()["message"]
    page = auth.login("zhang")  # the login page says the same, with 429
    assert page.status_code == 429 and "900 秒" in page.get_data(as_text=True)
    frozen_time(14 * 60)
    assert api.login("zhang").headers["Retry-After"] == "60"
    frozen_time(60)
    assert api.login("zhang").status_code == 200


def test_owner_logs_in_from_elsewhere_while_a_stranger_hammers_the_account(
        app, make_user, frozen_time):
    make_user("13800001234", name="王大爷")
    stranger = at(app, "10.0.0.66")
    for _ in range(5):
        assert stranger.login("13800001234", "guess").status_code == 401
    for _ in range(30):  # the stranger's own address is stopped; spoofing a header changes nothing
        response = stranger.client.post("/api/v1/session",
                                         json={"username": "13800001234", "password": "guess"},
                                         headers={"X-Forwarded-For": "10.0.0.9"})
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "900"
    owner = at(app, "10.0.0.9")
    first = owner.login("13800001234")  # the account only asks for a short pause
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "1"
    assert "请 1 秒后再试" in first.get_json()["message"]
    frozen_time(1)
    assert owner.login("13800001234").status_code == 200
    assert stranger.login("13800001234").status_code == 429  # still waiting out their 15 minutes


def test_account_delay_grows_is_capped_at_a_minute_and_a_success_clears_it(
        app, make_user, frozen_time):
    make_user("13800001234", name="王大爷")
    guesser = iter(at(app, f"10.1.0.{i}") for i in range(1, 100))  # a new address each try
    for _ in range(5):  # up to five failures nobody waits
        assert next(guesser).login("13800001234", "guess").status_code == 401
    waits = []
    for _ in range(8):
        early = next(guesser).login("13800001234", "guess")
        assert early.status_code == 429
        seconds = early.headers["Retry-After"]
        assert f"请 {seconds} 秒后再试" in early.get_json()["message"]
        waits.append(int(seconds))
        frozen_time(int(seconds) - 1)
        assert next(guesser).login("13800001234", "guess").status_code == 429  # not yet
        frozen_time(1)
        assert next(guesser).login("13800001234", "guess").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    owner = at(app, "192.168.1.20")
    refused = owner.login("13800001234")  # the owner waits too, but never more than a minute
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    frozen_time(60)
    assert owner.login("13800001234").status_code == 200
    # the success cleared the account's count: the next typo costs nobody a wait
    assert next(guesser).login("13800001234", "typo").status_code == 401
    assert at(app, "192.168.1.21").login("13800001234").status_code == 200


def test_throttle_per_address_across_accounts(app, client, api, make_user):
    from limits import parse

    make_user("victim")
    for i in range(parse(app.config["LOGIN_FAILURES_PER_ADDRESS"]).amount):
        api.login(f"nobody{i}", "wrong")
    assert api.login("victim", TEST_PASSWORD).status_code == 429


def test_a_whole_exam_room_signs_in_from_one_address(app, database_url):
    """A township hall behind one NAT address: 120 learners sign in within the same minute, and 40
    of them mistype first. With the route limits on (as in production) nobody is turned away; a flood
    beyond LOGIN_REQUESTS_PER_ADDRESS still is, with a Chinese message."""
    from fazhi_exam import create_app
    from fazhi_exam.accounts.passwords import hash_password
    from fazhi_exam.accounts.users import UserFields, create_user
    from tests.conftest import base_config

    room = create_app({**base_config(database_url), "RATELIMIT_ENABLED": True})
    with room.app_context():
        digest = hash_password(TEST_PASSWORD)
        for i in range(120):
            create_user(None, UserFields(username=f"room{i:03d}", name=f"学员{i}"), TEST_PASSWORD,
                        must_change_password=False, password_hash=digest)
        db.session.commit()
    for i in range(120):
        api = Api(room.test_client())
        if i % 3 == 0:
            assert api.login(f"room{i:03d}", "typo").status_code == 401
        assert api.login(f"room{i:03d}").status_code == 200, i

    flood = create_app({**base_config(database_url), "RATELIMIT_ENABLED": True,
                        "LOGIN_REQUESTS_PER_ADDRESS": "10 per minute"})
    answers = [Api(flood.test_client()).login("room000").status_code for _ in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == 429
    refused = Api(flood.test_client()).login("room001")
    assert refused.status_code == 429 and refused.get_json()["message"] == "操作过于频繁，请稍后再试。"


def test_inactive_account_cannot_log_in(app, api, make_user):
    uid = make_user("zhang")
    from fazhi_exam.accounts.users import set_active
    from fazhi_exam.models import User

    with app.app_context():
        set_active(None, db.session.get(User, uid), False)
        db.session.commit()
    response = api.login("zhang")
    assert response.status_code == 401
    assert "停用" in response.get_json()["message"]


def test_api_logout_makes_old_cookie_useless(client, api, make_user):
    make_user("zhang")
    assert api.login("zhang").status_code == 200
    stolen = client.get_cookie("fazhi_session").value
    assert api.call("GET", "/api/v1/me").status_code == 200
    assert api.call("DELETE", "/api/v1/session").status_code == 200
    client.set_cookie("fazhi_session", stolen)  # replay the copy taken before logout
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert client.get("/").status_code == 302  # pages send it to the login page


def test_page_logout_ends_server_session(app, client, auth, make_user):
    make_user("zhang")
    auth.login("zhang")
    cookie = client.get_cookie("fazhi_session").value
    auth.logout()
    client.set_cookie("fazhi_session", cookie)
    assert client.get("/").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)
                                 .where(LoginSession.revoked_at.is_(None))) == 0


def test_password_change_ends_other_sessions(app, make_user):
    make_user("zhang")
    phone, desktop = Api(app.test_client()), Api(app.test_client())
    phone.login("zhang")
    desktop.login("zhang")
    response = desktop.call("POST", "/api/v1/me/password",
                            json={"old_password": TEST_PASSWORD, "new_password": "Xin@2024pw"})
    assert response.status_code == 200
    assert desktop.call("GET", "/api/v1/me").status_code == 200
    assert phone.call("GET", "/api/v1/me").status_code == 401
    assert Api(app.test_client()).login("zhang", "Xin@2024pw").status_code == 200


def test_password_change_rejects_wrong_old_and_weak_new(api, make_user):
    make_user("zhang")
    api.login("zhang")
    bad_old = api.call("POST", "/api/v1/me/password",
                       json={"old_password": "nope", "new_password": "Xin@2024pw"})
    assert bad_old.status_code == 422 and "原密码不正确" in bad_old.get_json()["message"]
    weak = api.call("POST", "/api/v1/me/password",
                    json={"old_password": TEST_PASSWORD, "new_password": "123"})
    assert weak.status_code == 422 and weak.get_json()["message"] == "密码至少 8 位。"


def test_api_password_change_refuses_each_weak_password_with_its_rule(app, api, make_user):
    make_user(PERSON["username"], phone=PERSON["phone"], name=PERSON["name"])
    assert api.login(PERSON["username"]).status_code == 200
    for password, message in RULE_CASES:
        response = api.call("POST", "/api/v1/me/password",
                            json={"old_password": TEST_PASSWORD, "new_password": password})
        assert response.status_code == 422, password
        body = response.get_json()
        assert body["error"] == "weak_password" and message in body["message"], (password, body)
    assert Api(app.test_client()).login(PERSON["username"]).status_code == 200  # unchanged


def test_password_page_shows_the_rule_and_refuses_each_weak_password(client, auth, make_user):
    make_user(PERSON["username"], phone=PERSON["phone"], name=PERSON["name"], must_change=True)
    auth.login(PERSON["username"])
    page = client.get("/password").get_data(as_text=True)
    assert "至少 8 位，不能全是数字" in page and "不能包含用户名或手机号" in page
    token = auth.csrf("/password")
    for password, message in RULE_CASES:
        response = client.post("/password", data={
            "csrf_token": token, "old_password": TEST_PASSWORD,
            "new_password": password, "confirm": password})
        assert response.status_code == 200, password  # the form again, not a redirect
        assert message in response.get_data(as_text=True), password
    assert client.get("/").headers["Location"].endswith("/password")  # still must change it


def test_must_change_password_blocks_everything_else(client, api, auth, make_user):
    make_user("zhang", must_change=True)
    login = api.login("zhang")
    assert login.get_json()["user"]["must_change_password"] is True
    blocked = api.call("GET", "/api/v1/me")
    assert blocked.status_code == 403
    assert blocked.get_json()["error"] == "password_change_required"
    assert client.get("/").headers["Location"].endswith("/password")
    ok = api.call("POST", "/api/v1/me/password",
                  json={"old_password": TEST_PASSWORD, "new_password": "Xin@2024pw"})
    assert ok.status_code == 200
    assert api.call("GET", "/api/v1/me").status_code == 200


def test_change_password_page(client, auth, make_user):
    make_user("zhang", must_change=True)
    auth.login("zhang")
    page = client.get("/password").get_data(as_text=True)
    assert "请先把初始密码改成" in page
    response = client.post("/password", data={
        "csrf_token": auth.csrf("/password"), "old_password": TEST_PASSWORD,
        "new_password": "Xin@2024pw", "confirm": "Xin@2024pw"})
    assert response.status_code == 302
    assert "您好" in client.get("/").get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app, client, auth, make_user):
    make_user("zhang")
    response = client.post("/login", data={"username": "zhang", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    api = Api(client)
    api.login("zhang")
    api.token = None  # an API call without X-CSRFToken
    response = api.call("DELETE", "/api/v1/session")
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf_failed"
    assert client.get("/api/v1/me").status_code == 200  # still logged in: nothing changed


def test_api_login_requires_json(client):
    response = client.post("/api/v1/session", data={"username": "a", "password": "b"})
    assert response.status_code == 415
    assert "JSON" in response.get_json()["message"]


def test_learner_gets_403_on_admin_pages(client, auth, make_user):
    make_user("zhang")
    auth.login("zhang")
    for path in ("/admin/users", "/admin/units", "/admin/cohorts", "/admin/users/import"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "没有权限" in response.get_data(as_text=True)


def test_anonymous_admin_page_redirects_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_security_headers_and_cookie_flags(client, api, make_user):
    make_user("zhang")
    response = api.login("zhang")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_when_configured(app, make_user):
    app.config["SESSION_COOKIE_SECURE"] = True
    make_user("zhang")
    response = Api(app.test_client()).login("zhang")
    assert "Secure" in response.headers["Set-Cookie"]


def test_open_redirect_after_login_is_ignored(client, make_user):
    make_user("zhang")
    from tests.conftest import csrf_from

    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x", data={
        "username": "zhang", "password": TEST_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_large_text_switch_is_remembered(client, auth, make_user):
    make_user("zhang")
    auth.login("zhang")
    assert 'class="large-text"' not in client.get("/").get_data(as_text=True)
    client.post("/prefs/large-text", data={"on": "1", "csrf_token": auth.csrf()})
    assert 'class="large-text"' in client.get("/").get_data(as_text=True)


def test_behind_a_trusted_proxy_each_client_is_told_apart(database_url, tmp_path, monkeypatch, make_user, frozen_time):
    """TRUSTED_PROXIES = 1 (one nginx in front): the client address nginx appended to X-Forwarded-For
    is the one limited, so a stranger hammering from one phone does not stop the owner on another,
    though both reach the app from the proxy's address."""
    from fazhi_exam import create_app
    from tests.conftest import base_config

    make_user("13800001234", name="王大爷")
    behind = create_app({**base_config(database_url), "TRUSTED_PROXIES": 1})

    def via_proxy(client_address: str):
        client = behind.test_client()
        client.environ_base["REMOTE_ADDR"] = "127.0.0.1"  # nginx
        return lambda password: client.post("/api/v1/session", json={"username": "13800001234",
                                                                     "password": password},
                                            headers={"X-Forwarded-For": client_address})

    stranger, owner = via_proxy("10.0.0.66"), via_proxy("10.0.0.9")
    for _ in range(5):
        assert stranger("guess").status_code == 401
    assert stranger("guess").status_code == 429 and stranger("guess").headers["Retry-After"] == "900"
    frozen_time(1)  # the account's own short pause
    assert owner(TEST_PASSWORD).status_code == 200
