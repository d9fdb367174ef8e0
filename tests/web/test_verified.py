"""The session cookie and the autosave CSRF token are verified once per process and then
remembered (fazhi_exam/verified.py). Remembering must never let through anything the full check
would refuse: another session's token, a forged token or cookie, a cookie after logout."""
from __future__ import annotations

import sqlalchemy as sa

from fazhi_exam.extensions import db
from fazhi_exam.models import Answer
from tests.conftest import Api


def _exam_and_question(api: Api, exam_id: int) -> str:
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    qid = next(q["id"] for q in paper["questions"] if q["type"] == "judge")
    return f"/api/v1/attempts/{paper['attempt_id']}/answers/{qid}"


def _answers(app) -> list[tuple]:
    with app.app_context():
        return sorted((a.attempt_question_id, a.seq) for a in db.session.scalars(sa.select(Answer)))


def test_a_remembered_token_works_only_with_its_own_session(app, make_exam):
    exam_id = make_exam()
    zhang, li = Api(app.test_client()), Api(app.test_client())
    assert zhang.login("zhang").status_code == 200 and li.login("li").status_code == 200
    zhang_put, li_put = _exam_and_question(zhang, exam_id), _exam_and_question(li, exam_id)
    for seq in (1, 2):  # verified, then remembered
        assert zhang.call("PUT", zhang_put, json={"response": True, "seq": seq}).status_code == 200
    assert li.call("PUT", li_put, json={"response": True, "seq": 1}).status_code == 200
    before = _answers(app)

    borrowed = li.client.put(li_put, json={"response": False, "seq": 2}, headers={"X-CSRFToken": zhang.token})
    assert borrowed.status_code == 400 and borrowed.get_json()["error"] == "csrf_failed"
    assert "安全校验失败" in borrowed.get_json()["message"]
    forged = zhang.client.put(zhang_put, json={"response": False, "seq": 3},
                              headers={"X-CSRFToken": zhang.token[:-2] + ("AA" if zhang.token[-2:] != "AA" else "BB")})
    assert forged.status_code == 400
    missing = zhang.client.put(zhang_put, json={"response": False, "seq": 4})
    assert missing.status_code == 400

    cookie = zhang.client.get_cookie("fazhi_session").value
    tampered = Api(app.test_client())
    tampered.token = zhang.token
    tampered.client.set_cookie("fazhi_session", cookie[:-3] + ("xyz" if cookie[-3:] != "xyz" else "abc"))
    assert tampered.call("PUT", zhang_put, json={"response": False, "seq": 5}).status_code in (400, 401)
    assert _answers(app) == before

    assert zhang.call("PUT", zhang_put, json={"response": False, "seq": 6}).status_code == 200
    assert zhang.call("DELETE", "/api/v1/session").status_code == 200
    replay = Api(app.test_client())
    replay.token = zhang.token
    replay.client.set_cookie("fazhi_session", cookie)  # remembered as verified, but the login session is over
    assert replay.call("PUT", zhang_put, json={"response": True, "seq": 7}).status_code == 401
    assert max(seq for _, seq in _answers(app)) == 6


def test_each_request_gets_its_own_copy_of_a_remembered_session(app):
    """A request that changes its session (flashing a message, say) must not change what the next
    request with the same cookie reads."""
    from flask import request, session

    interface = app.session_interface
    with app.test_request_context():
        session["csrf_token"] = "raw"
        cookie = interface.get_signing_serializer(app).dumps(dict(session))
    with app.test_request_context(headers={"Cookie": f"fazhi_session={cookie}"}):
        first = interface.open_session(app, request)
        first["_flashes"] = [("info", "已保存")]
    with app.test_request_context(headers={"Cookie": f"fazhi_session={cookie}"}):
        second = interface.open_session(app, request)
    assert dict(second) == {"csrf_token": "raw"}
