"""The exam API as examinees meet it: start/resume, saves with sequence numbers, the server's
clock, submit, other people's attempts, no keys before review, and scores that equal an
independent computation from the bank's keys."""
from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.accounts.users import set_active
from fazhi_exam.extensions import db
from fazhi_exam.models import Attempt, AuditEvent
from tests.conftest import Api
from tests.exam_fixtures import T0, bank_questions

KEYS = {q.stem: q for q in bank_questions()}


def login(app, username) -> Api:
    api = Api(app.test_client())
    assert api.login(username).status_code == 200
    return api


def right_response(question: dict):
    """The right answer in the keys this examinee sees, worked out from the bank alone."""
    source = KEYS[question["stem"]]
    if question["type"] in ("single", "multiple"):
        right_texts = {source.options["ABCD".index(c)] for c in source.answer}
        keys = sorted(o["key"] for o in question["options"] if o["text"] in right_texts)
        return keys[0] if question["type"] == "single" else keys
    if question["type"] == "judge":
        return source.answer
    if question["type"] == "fill":
        return [variants[-1] for variants in source.answer]
    return "答案"


def wrong_response(question: dict):
    right = right_response(question)
    if question["type"] == "single":
        return next(o["key"] for o in question["options"] if o["key"] != right)
    if question["type"] == "multiple":
        return right[:1]  # fewer than all: 0 under all-or-nothing
    if question["type"] == "judge":
        return not right
    return ["三"]


def test_take_exam_score_matches_independent_computation(app, make_exam):
    exam_id = make_exam()
    api = login(app, "zhang")
    listing = api.call("GET", "/api/v1/me/exams").get_json()["exams"]
    assert [e["state"] for e in listing] == ["open"]
    start = api.call("POST", f"/api/v1/exams/{exam_id}/attempts")
    assert start.status_code == 201
    paper = start.get_json()
    assert paper["remaining_seconds"] == 60 * 60 and len(paper["questions"]) == 10
    expected, seq = 0.0, 0
    for i, q in enumerate(paper["questions"]):
        seq += 1
        good = i % 3 != 0
        response = right_response(q) if good else wrong_response(q)
        expected += q["points"] if good else 0
        r = api.call("PUT", f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                     json={"response": response, "seq": seq})
        assert r.status_code == 200, r.get_json()
    result = api.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit").get_json()
    assert result["status"] == "graded" and result["score"] == expected
    assert result["passed"] is (expected >= 8)
    assert all("key" in item for item in result["review"])  # review allowed after submit


def test_no_key_anywhere_before_review(app, make_exam):
    exam_id = make_exam(show_answers="after_close", show_score="after_close")
    api = login(app, "zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    text = json.dumps(paper, ensure_ascii=False)
    for q in paper["questions"]:
        assert set(q) <= {"id", "position", "points", "type", "stem", "options", "blanks"}
    assert "解析" not in text and "《中华人民共和国" not in text
    api.call("PUT", f"/api/v1/attempts/{paper['attempt_id']}/answers/{paper['questions'][0]['id']}",
             json={"response": right_response(paper["questions"][0]), "seq": 1})
    done = api.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit").get_json()
    assert "review" not in done and "score" not in done
    assert "review" not in api.call("GET", f"/api/v1/attempts/{paper['attempt_id']}").get_json()
    clock.advance(timedelta(hours=3))  # after the exam closes; the idle session has ended meanwhile
    api.login("zhang")
    later = api.call("GET", f"/api/v1/attempts/{paper['attempt_id']}").get_json()
    assert "review" in later and later["score"] == 1


def test_start_is_idempotent_and_resumes_on_another_device(app, make_exam):
    exam_id = make_exam()
    phone, desktop = login(app, "zhang"), login(app, "zhang")
    first = phone.call("POST", f"/api/v1/exams/{exam_id}/attempts")
    second = phone.call("POST", f"/api/v1/exams/{exam_id}/attempts")
    assert first.status_code == 201 and second.status_code == 200
    a = first.get_json()
    qid = a["questions"][0]["id"]
    phone.call("PUT", f"/api/v1/attempts/{a['attempt_id']}/answers/{qid}", json={"response": None, "seq": 7})
    clock.advance(timedelta(minutes=10))
    other = desktop.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    assert other["attempt_id"] == a["attempt_id"] and other["last_seq"] == 7
    assert other["remaining_seconds"] == a["remaining_seconds"] - 600  # the timer did not restart
    assert [q["id"] for q in other["questions"]] == [q["id"] for q in a["questions"]]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 1


def test_stale_seq_never_overwrites(app, make_exam):
    exam_id = make_exam()
    api = login(app, "zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    q = next(q for q in paper["questions"] if q["type"] == "judge")
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}"
    assert api.call("PUT", url, json={"response": True, "seq": 5}).status_code == 200
    stale = api.call("PUT", url, json={"response": False, "seq": 4})
    assert stale.status_code == 409 and stale.get_json()["error"] == "stale_seq"
    again = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    assert again["answers"][str(q["id"])] == {"response": True, "seq": 5}


def test_malformed_responses_are_refused(app, make_exam):
    exam_id = make_exam()
    api = login(app, "zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    single = next(q for q in paper["questions"] if q["type"] == "single")
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers/{single['id']}"
    for bad in ("Z", ["A"], 3, "AB"):
        r = api.call("PUT", url, json={"response": bad, "seq": 1})
        assert r.status_code == 422 and r.get_json()["error"] == "bad_response", bad
    assert api.call("PUT", url, json={"response": "A", "seq": "1"}).status_code == 400
    assert api.call("PUT", url, json={"response": "A"}).status_code == 400
    assert api.call("PUT", f"/api/v1/attempts/{paper['attempt_id']}/answers/999999",
                    json={"response": "A", "seq": 1}).status_code == 404


def test_late_save_gets_409_and_the_attempt_is_finished_at_the_deadline(app, make_exam):
    exam_id = make_exam()
    api = login(app, "zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    q = paper["questions"][0]
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}"
    api.call("PUT", url, json={"response": right_response(q), "seq": 1})
    clock.advance(timedelta(minutes=60, seconds=20))  # past the deadline, inside the grace
    assert api.call("PUT", url, json={"response": right_response(q), "seq": 2}).status_code == 200
    clock.advance(timedelta(seconds=15))  # past the grace
    late = api.call("PUT", url, json={"response": wrong_response(q), "seq": 3})
    assert late.status_code == 409 and late.get_json()["error"] == "attempt_closed"
    state = api.call("GET", f"/api/v1/attempts/{paper['attempt_id']}").get_json()
    assert state["status"] == "graded" and state["finish_reason"] == "expired"
    assert state["finished_at"] == (T0 + timedelta(minutes=65)).isoformat()
    assert state["score"] == q["points"]  # the saved answer counted, the late one did not
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "late_save_refused" in actions and "attempt_auto_submitted" in actions


def test_close_expired_command(app, runner, make_exam):
    exam_id = make_exam()
    api = login(app, "zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    assert "已自动交卷 0 份" in runner.invoke(args=["attempts", "close-expired"]).output
    clock.advance(timedelta(minutes=61))  # past the deadline and its grace
    assert "已自动交卷 1 份" in runner.invoke(args=["attempts", "close-expired"]).output
    assert api.call("GET", f"/api/v1/attempts/{paper['attempt_id']}").get_json()["status"] == "graded"


def test_double_submit_gives_one_score(app, make_exam):
    exam_id = make_exam()
    api = login(app, "zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    first = api.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit")
    clock.advance(timedelta(minutes=1))
    second = api.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit")
    assert first.status_code == second.status_code == 200
    assert first.get_json()["finished_at"] == second.get_json()["finished_at"]
    again = api.call("POST", f"/api/v1/exams/{exam_id}/attempts")
    assert again.status_code == 403 and "用完 1 次" in again.get_json()["message"]


def test_other_peoples_attempts_and_outsiders(app, make_exam):
    exam_id = make_exam()
    zhang, li, outsider = login(app, "zhang"), login(app, "li"), login(app, "outsider")
    paper = zhang.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    aid, qid = paper["attempt_id"], paper["questions"][0]["id"]
    assert li.call("GET", f"/api/v1/attempts/{aid}").status_code == 404
    assert li.call("PUT", f"/api/v1/attempts/{aid}/answers/{qid}", json={"response": None, "seq": 1}).status_code == 404
    assert li.call("POST", f"/api/v1/attempts/{aid}/submit").status_code == 404
    refused = outsider.call("POST", f"/api/v1/exams/{exam_id}/attempts")
    assert refused.status_code == 403 and "不在这场考试的参考范围内" in refused.get_json()["message"]
    assert outsider.call("GET", "/api/v1/me/exams").get_json()["exams"] == []
    anonymous = Api(app.test_client())
    assert anonymous.call("GET", f"/api/v1/attempts/{aid}").status_code == 401


def test_window_and_drafts(app, make_exam):
    exam_id = make_exam(opens_at=(T0 + timedelta(days=1)).isoformat(), closes_at=(T0 + timedelta(days=2)).isoformat())
    api = login(app, "zhang")
    early = api.call("POST", f"/api/v1/exams/{exam_id}/attempts")
    assert early.status_code == 403 and "还没有开始" in early.get_json()["message"]
    assert api.call("GET", "/api/v1/me/exams").get_json()["exams"][0]["state"] == "upcoming"


def test_deadline_is_the_close_when_that_comes_first(app, make_exam):
    exam_id = make_exam()
    clock.freeze(T0 + timedelta(minutes=100))  # 20 minutes before the exam closes
    api = login(app, "zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    assert paper["remaining_seconds"] == 20 * 60


def test_leaving_the_page_past_the_limit_submits(app, make_exam):
    exam_id = make_exam(leave_limit=3)
    api = login(app, "zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    url = f"/api/v1/attempts/{paper['attempt_id']}/events"
    assert api.call("POST", url, json={"type": "leave"}).get_json()["leave_count"] == 1
    api.call("POST", url, json={"type": "leave"})
    last = api.call("POST", url, json={"type": "leave"}).get_json()
    assert last["status"] == "graded" and last["leave_count"] == 3


def test_autosave_checks_the_login_session_like_every_other_call(app, make_exam):
    """The save authenticates inside its own read: a closed session, a deactivated account, a
    pending password change and a missing CSRF token are refused as anywhere else, and change nothing."""
    from fazhi_exam.models import Answer, User

    exam_id = make_exam()
    zhang = login(app, "zhang")
    paper = zhang.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    aid, qid = paper["attempt_id"], paper["questions"][0]["id"]
    put = f"/api/v1/attempts/{aid}/answers/{qid}"
    assert zhang.call("PUT", put, json={"response": None, "seq": 1}).status_code == 200
    no_csrf = zhang.client.put(put, json={"response": None, "seq": 2})
    assert no_csrf.status_code == 400
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "zhang"))
        user.must_change_password = True
        db.session.commit()
    pending = zhang.call("PUT", put, json={"response": None, "seq": 3})
    assert pending.status_code == 403 and pending.get_json()["error"] == "password_change_required"
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "zhang"))
        user.must_change_password = False
        set_active(None, user, False)
        db.session.commit()
    assert zhang.call("PUT", put, json={"response": None, "seq": 4}).status_code == 401
    with app.app_context():
        set_active(None, db.session.scalar(sa.select(User).where(User.username == "zhang")), True)
        db.session.commit()
    assert zhang.login("zhang").status_code == 200  # deactivation ended the login session
    assert zhang.call("PUT", put, json={"response": None, "seq": 5}).status_code == 200
    cookie = zhang.client.get_cookie("fazhi_session").value
    assert zhang.call("DELETE", "/api/v1/session").status_code == 200
    replay = Api(app.test_client())
    replay.client.set_cookie("fazhi_session", cookie)
    replay.token = zhang.token
    assert replay.call("PUT", put, json={"response": None, "seq": 6}).status_code == 401
    with app.app_context():
        seqs = db.session.scalars(sa.select(Answer.seq)).all()
    assert seqs == [5]


def _change(app, **changes):
    """Apply one change to the world between two saves: user=(name, field, value), session_of=name
    (revoke that user's login sessions), submit=(name, attempt id), minutes=n (the clock moves on)."""
    from fazhi_exam.exam import attempts
    from fazhi_exam.models import LoginSession, User

    with app.app_context():
        if "user" in changes:
            name, field, value = changes["user"]
            setattr(db.session.scalar(sa.select(User).where(User.username == name)), field, value)
        if "session_of" in changes:
            user = db.session.scalar(sa.select(User).where(User.username == changes["session_of"]))
            db.session.execute(sa.update(LoginSession).where(LoginSession.user_id == user.id)
                               .values(revoked_at=clock.now()))
        if "submit" in changes:
            name, aid = changes["submit"]
            attempts.submit(db.session.scalar(sa.select(User).where(User.username == name)), aid)
        if "minutes" in changes:
            clock.advance(timedelta(minutes=changes["minutes"]))
        db.session.commit()


def test_the_one_statement_save_rechecks_everything_that_can_change(app, make_exam):
    """Once a process has read an attempt's paper, a save is one guarded statement. Each thing that
    can change after that read must still stop the write inside the statement itself: the call
    below goes straight to it (exam.autosave), with the paper already in memory."""
    from fazhi_exam.exam import autosave
    from fazhi_exam.models import Answer, AttemptQuestion, LoginSession, User

    cases = {
        "logged out": ({"session_of": "zhang"}, "zhang"),
        "deactivated": ({"user": ("zhang", "active", False)}, "zhang"),
        "password change pending": ({"user": ("zhang", "must_change_password", True)}, "zhang"),
        "submitted": ({"submit": ("zhang", None)}, "zhang"),
        "past deadline and grace": ({"minutes": 61}, "zhang"),
        "someone else's attempt": ({}, "li"),
    }
    for label, (change, saver) in cases.items():
        exam_id = make_exam(title=f"考试 {label}")
        zhang = login(app, "zhang")
        login(app, "li")
        paper = zhang.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
        aid, qid = paper["attempt_id"], next(q["id"] for q in paper["questions"] if q["type"] == "judge")
        first = zhang.call("PUT", f"/api/v1/attempts/{aid}/answers/{qid}", json={"response": True, "seq": 1})
        assert first.status_code == 200, label  # the paper is now in this process's memory
        if "submit" in change:
            change = {"submit": ("zhang", aid)}
        _change(app, **change)
        with app.test_request_context(method="PUT"):
            user = db.session.scalar(sa.select(User).where(User.username == saver))
            token = db.session.scalar(sa.select(LoginSession.token).where(LoginSession.user_id == user.id)
                                      .order_by(LoginSession.revoked_at.is_(None).desc()))  # logged out: revoked
            db.session.commit()  # as in the request: nothing of the session's is open when the save runs
            assert autosave.save_in_session(token, aid, qid, False, 2) is None, label
            db.session.commit()
            stored = db.session.scalars(
                sa.select(Answer.response).join(AttemptQuestion, AttemptQuestion.id == Answer.attempt_question_id)
                .where(AttemptQuestion.attempt_id == aid)).all()
        assert stored == [True], label
        _change(app, user=("zhang", "active", True))
        _change(app, user=("zhang", "must_change_password", False))
        clock.freeze(T0)
    # and nothing stops a legitimate one
    exam_id = make_exam(title="考试 正常")
    zhang = login(app, "zhang")
    paper = zhang.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    aid, qid = paper["attempt_id"], next(q["id"] for q in paper["questions"] if q["type"] == "judge")
    for seq in (1, 2):
        saved = zhang.call("PUT", f"/api/v1/attempts/{aid}/answers/{qid}", json={"response": seq == 1, "seq": seq})
        assert saved.status_code == 200 and saved.get_json()["remaining_seconds"] > 0


def test_refusals_through_the_api_with_the_paper_in_memory(app, make_exam):
    """The same refusals as the API gives them once the paper is remembered: 409 for a closed
    attempt, 404 for someone else's, 422 for a malformed answer, 409 for a stale seq."""
    exam_id = make_exam()
    zhang, li = login(app, "zhang"), login(app, "li")
    paper = zhang.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    aid = paper["attempt_id"]
    judge = next(q["id"] for q in paper["questions"] if q["type"] == "judge")
    put = f"/api/v1/attempts/{aid}/answers/{judge}"
    assert zhang.call("PUT", put, json={"response": True, "seq": 5}).status_code == 200
    assert zhang.call("PUT", put, json={"response": False, "seq": 4}).get_json()["error"] == "stale_seq"
    malformed = zhang.call("PUT", put, json={"response": "对", "seq": 6})
    assert malformed.status_code == 422 and malformed.get_json()["error"] == "bad_response"
    assert li.call("PUT", put, json={"response": False, "seq": 7}).status_code == 404
    assert zhang.call("PUT", f"/api/v1/attempts/{aid}/answers/999999",
                      json={"response": True, "seq": 8}).status_code == 404
    assert zhang.call("POST", f"/api/v1/attempts/{aid}/submit").status_code == 200
    late = zhang.call("PUT", put, json={"response": False, "seq": 9})
    assert late.status_code == 409 and late.get_json()["error"] == "attempt_closed"
    from fazhi_exam.models import Answer

    with app.app_context():
        assert [(a.response, a.seq) for a in db.session.scalars(sa.select(Answer))] == [(True, 5)]


def test_a_save_racing_a_submit_is_either_graded_or_refused(app, make_exam):
    """A submit holds the attempt (FOR UPDATE on PostgreSQL, the write lock on SQLite) while it
    grades. A save arriving meanwhile must wait and then be refused (409), never acknowledged and
    left out of the score."""
    import threading

    from fazhi_exam.models import Answer

    exam_id = make_exam()
    api = login(app, "zhang")
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    aid, qid = paper["attempt_id"], next(q["id"] for q in paper["questions"] if q["type"] == "judge")
    put = f"/api/v1/attempts/{aid}/answers/{qid}"
    assert api.call("PUT", put, json={"response": True, "seq": 1}).status_code == 200  # paper remembered
    with app.app_context():
        from fazhi_exam.database import set_write_intent

        set_write_intent(True)
        holder = db.engine.connect()
        transaction = holder.begin()
        holder.execute(sa.select(Attempt.id).where(Attempt.id == aid).with_for_update())
        holder.execute(sa.update(Attempt).where(Attempt.id == aid).values(status="submitted"))
        answers: list = []
        saver = threading.Thread(target=lambda: answers.append(
            api.call("PUT", put, json={"response": False, "seq": 2})))
        saver.start()
        saver.join(0.5)
        assert saver.is_alive()  # waiting for the submit, not written beside it
        transaction.commit()
        holder.close()
        saver.join(20)
    assert answers and answers[0].status_code == 409 and answers[0].get_json()["error"] == "attempt_closed"
    with app.app_context():
        assert [(a.response, a.seq) for a in db.session.scalars(sa.select(Answer))] == [(True, 1)]
