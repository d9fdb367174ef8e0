"""Server-side session limits as a user meets them: two hours without a request or seven days after
logging in end a session (pages send you to the login page saying so, the API answers 401
session_expired); an exam in progress keeps its session live through hours of autosave alone; and
the user loader and the autosave statement agree on what a live session is."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fazhi_exam import clock, create_app
from fazhi_exam.database import set_write_intent, write_intent
from fazhi_exam.extensions import db
from fazhi_exam.models import Answer, AttemptQuestion, LoginSession, User
from tests.conftest import Api
from tests.exam_fixtures import T0

EXPIRED = "登录已超时，请重新登录。"
# Open long enough for the clock to move hours between saves: 09:00–17:00, three hours each.
LONG_EXAM = {"closes_at": (T0 + timedelta(hours=8)).isoformat(), "duration_minutes": 180}


def _token(client) -> str:
    with client.session_transaction() as cookie:
        return cookie["_user_id"]


def _last_seen(app, token: str):
    with app.app_context():
        return db.session.scalar(sa.select(LoginSession.last_seen_at).where(LoginSession.token == token))


def _logged_in(app, username: str = "zhang") -> Api:
    api = Api(app.test_client())
    assert api.login(username).status_code == 200
    return api


def _start(api: Api, exam_id: int) -> str:
    """Start (or resume) and save one answer, so this process has the paper in memory; the PUT path."""
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    qid = next(q["id"] for q in paper["questions"] if q["type"] == "judge")
    put = f"/api/v1/attempts/{paper['attempt_id']}/answers/{qid}"
    assert api.call("PUT", put, json={"response": True, "seq": 1}).status_code == 200
    return put


def test_two_idle_hours_end_a_page_session_and_say_so(app, client, auth, make_user):
    make_user("zhang", name="张三")
    clock.freeze(T0)
    auth.login("zhang")
    for _ in range(3):  # a request every 1 h 59 min keeps it going
        clock.advance(timedelta(minutes=119))
        assert "您好，张三" in client.get("/").get_data(as_text=True)
    cookie = client.get_cookie("fazhi_session").value
    assert cookie in app.session_interface._verified  # remembered: its signature is not checked again…
    clock.advance(timedelta(minutes=121))
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert EXPIRED in login_page  # …but the server's check still ran
    auth.login("zhang")
    assert "您好，张三" in client.get("/").get_data(as_text=True)


def test_api_answers_session_expired_and_tells_it_from_logged_out(app, make_user):
    make_user("zhang")
    clock.freeze(T0)
    zhang, other = _logged_in(app), _logged_in(app)
    assert other.call("DELETE", "/api/v1/session").status_code == 200
    clock.advance(timedelta(minutes=121))
    expired = zhang.call("GET", "/api/v1/me/exams")
    assert expired.status_code == 401
    assert expired.get_json() == {"error": "session_expired", "message": EXPIRED}
    assert other.call("GET", "/api/v1/me/exams").get_json()["error"] == "unauthorized"  # logged out
    assert Api(app.test_client()).call("GET", "/api/v1/me/exams").get_json()["error"] == "unauthorized"
    zhang.login("zhang")
    assert zhang.call("GET", "/api/v1/me/exams").status_code == 200


def test_seven_days_end_a_session_however_busy(app, make_user):
    make_user("zhang")
    clock.freeze(T0)
    api = _logged_in(app)
    used = timedelta(0)
    while used + timedelta(minutes=110) < timedelta(days=7):
        clock.advance(timedelta(minutes=110))
        used += timedelta(minutes=110)
        assert api.call("GET", "/api/v1/me/exams").status_code == 200, used
    clock.advance(timedelta(days=7) - used + timedelta(minutes=1))
    assert api.call("GET", "/api/v1/me/exams").get_json()["error"] == "session_expired"


def test_an_exam_keeps_its_session_live_through_hours_of_autosave(app, make_exam):
    exam_id = make_exam(**LONG_EXAM)
    desk = _logged_in(app)  # signed in at the office, then left
    clock.advance(timedelta(minutes=130))
    phone = _logged_in(app)
    put = _start(phone, exam_id)
    aid = put.split("/")[4]
    seen = _last_seen(app, _token(phone.client))
    for seq in range(2, 6):  # 2 h 40 min of answering and no page request
        clock.advance(timedelta(minutes=40))
        saved = phone.call("PUT", put, json={"response": seq % 2 == 0, "seq": seq})
        assert saved.status_code == 200 and saved.get_json()["remaining_seconds"] > 0
    assert _last_seen(app, _token(phone.client)) == seen  # autosave does not write the session
    assert phone.call("GET", f"/api/v1/attempts/{aid}").status_code == 200
    assert desk.call("GET", "/api/v1/me/exams").get_json()["error"] == "session_expired"  # not revived
    assert phone.call("POST", f"/api/v1/attempts/{aid}/submit").status_code == 200
    clock.advance(timedelta(minutes=110))
    assert phone.call("GET", f"/api/v1/attempts/{aid}").status_code == 200  # the result, later
    clock.advance(timedelta(minutes=125))
    assert phone.call("GET", f"/api/v1/attempts/{aid}").get_json()["error"] == "session_expired"


def test_an_abandoned_exam_stops_keeping_the_session_after_its_deadline(app, make_exam):
    exam_id = make_exam(**LONG_EXAM)
    phone, tablet = _logged_in(app), _logged_in(app)  # both live when the exam begins on the phone
    _start(phone, exam_id)
    clock.advance(timedelta(minutes=180 + 110))  # deadline passed 110 minutes ago, attempt never closed
    assert phone.call("GET", "/api/v1/me/exams").status_code == 200
    clock.advance(timedelta(minutes=15))  # no request from the tablet since before the exam
    assert tablet.call("GET", "/api/v1/me/exams").get_json()["error"] == "session_expired"


def test_limits_set_from_the_environment(app, database_url, monkeypatch, make_user):
    """FAZHI_SESSION_IDLE_MINUTES / FAZHI_SESSION_MAX_DAYS, as the README tells an installer."""
    make_user("zhang")
    for name, value in {"DATABASE_URL": database_url, "FAZHI_SECRET_KEY": "env-secret",
                        "FAZHI_AUDIT_KEY": app.config["AUDIT_KEY"],  # the chain the test users began
                        "FAZHI_SESSION_IDLE_MINUTES": "30", "FAZHI_SESSION_MAX_DAYS": "1"}.items():
        monkeypatch.setenv(name, value)
    installed = create_app()
    assert (installed.config["SESSION_IDLE_MINUTES"], installed.config["SESSION_MAX_DAYS"]) == (30, 1)
    clock.freeze(T0)
    api = _logged_in(installed)
    clock.advance(timedelta(minutes=29))
    assert api.call("GET", "/api/v1/me/exams").status_code == 200
    clock.advance(timedelta(minutes=31))
    assert api.call("GET", "/api/v1/me/exams").get_json()["error"] == "session_expired"
    api.login("zhang")
    logged_in = clock.now()
    for _ in range(60):  # every 29 minutes: the idle limit never bites, the day does
        clock.advance(timedelta(minutes=29))
        if api.call("GET", "/api/v1/me/exams").status_code != 200:
            break
    assert api.call("GET", "/api/v1/me/exams").get_json()["error"] == "session_expired"
    assert timedelta(days=1) < clock.now() - logged_in <= timedelta(days=1, minutes=29)
    with installed.app_context():
        db.engine.dispose()


def test_a_page_view_never_waits_for_a_writer_to_note_the_visit(app, client, auth, make_user):
    """The refresh of last_seen_at on a read request is skipped while another writer holds the lock
    (SQLite's database lock, PostgreSQL's row lock) instead of waiting for it or failing."""
    make_user("zhang", name="张三")
    clock.freeze(T0)
    auth.login("zhang")
    token = _token(client)
    clock.advance(timedelta(minutes=30))
    with app.app_context(), write_intent(), db.engine.connect() as writer, writer.begin():
        writer.execute(sa.update(LoginSession).where(LoginSession.token == token).values(ip="held"))
        began = time.monotonic()
        page = client.get("/")
        assert time.monotonic() - began < 5
        assert page.status_code == 200 and "您好，张三" in page.get_data(as_text=True)
    assert _last_seen(app, token) == T0  # skipped
    client.get("/")
    assert _last_seen(app, token) == T0 + timedelta(minutes=30)  # the next view notes it


# What happens to login session A between zhang's first save and the check, and what the user loader
# (is A live?) and autosave's one statement (does a save under A write?) must then say.
CASES = {
    "fresh": ({}, True),
    "idle expired": ({"other_device_after": 130}, False),
    "idle expired but exam in progress": ({"minutes": 130}, True),
    "absolute expired": ({"other_device_after": 1, "age_days": 8}, False),
    "absolute expired mid-exam": ({"age_days": 8}, False),
    "revoked": ({"field": ("revoked_at", T0)}, False),
    "inactive user": ({"user": ("active", False)}, False),
    "password change pending": ({"user": ("must_change_password", True)}, True),
}


@pytest.mark.parametrize("case", CASES)
def test_the_loader_and_the_autosave_statement_agree(app, make_exam, case):
    """One definition of a live session serves both: for each case the loader and the statement
    (called directly, with the paper already in memory) agree, and the API says what a user sees."""
    from fazhi_exam.accounts.auth import load_session_user
    from fazhi_exam.exam import autosave

    change, live = CASES[case]
    exam_id = make_exam(**LONG_EXAM)
    a = _logged_in(app)
    token = _token(a.client)
    if "other_device_after" in change:  # zhang starts the exam on another device, not with A
        clock.advance(timedelta(minutes=change["other_device_after"]))
        put = _start(_logged_in(app), exam_id)
    else:
        put = _start(a, exam_id)
    clock.advance(timedelta(minutes=change.get("minutes", 1)))
    with app.app_context():
        session_row = db.session.get(LoginSession, token)
        if "age_days" in change:
            session_row.created_at = clock.now() - timedelta(days=change["age_days"])
        if "field" in change:
            setattr(session_row, *change["field"])
        if "user" in change:
            setattr(db.session.get(User, session_row.user_id), *change["user"])
        db.session.commit()
    attempt_id, question_id = int(put.split("/")[4]), int(put.split("/")[6])

    with app.test_request_context(method="PUT"):
        wrote = autosave.save_in_session(token, attempt_id, question_id, False, 2) is not None
        set_write_intent(False)
        user = load_session_user(token)
        loaded = user is not None
        pending = loaded and user.must_change_password
        db.session.rollback()
        stored = db.session.scalars(sa.select(Answer.response).join(AttemptQuestion).where(
            AttemptQuestion.attempt_id == attempt_id)).all()
    assert loaded == live, case
    assert wrote == (loaded and not pending), case  # the statement refuses what the full path refuses
    assert stored == ([False] if wrote else [True]), case

    answer = a.call("PUT", put, json={"response": True, "seq": 3})
    expected = {"fresh": 200, "idle expired but exam in progress": 200, "password change pending": 403}
    assert answer.status_code == expected.get(case, 401), case
    if answer.status_code == 401:
        timed_out = case in ("idle expired", "absolute expired", "absolute expired mid-exam")
        assert answer.get_json()["error"] == ("session_expired" if timed_out else "unauthorized"), case


def test_the_migration_counts_open_sessions_as_last_seen_at_login(app, make_user):
    from flask_migrate import downgrade, upgrade

    user_id = make_user("zhang")
    with app.app_context():
        downgrade(revision="0008_session_limits-1")
        table = LoginSession.__table__
        db.session.execute(sa.insert(table).values({table.c.token: "before-0008", table.c.user_id: user_id,
                                                    table.c.created_at: T0}))
        db.session.commit()
        db.session.remove()
        upgrade()
        assert db.session.get(LoginSession, "before-0008").last_seen_at == T0
        db.session.rollback()
        column = next(c for c in sa.inspect(db.engine).get_columns("login_sessions") if c["name"] == "last_seen_at")
        assert not column["nullable"]
