"""The access policy, walked: every rule of app.url_map × method × persona, with real ids, against
what fazhi_exam.policy declares; and the probes an outside tester ran as a village admin."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from fazhi_exam import clock, policy
from fazhi_exam.extensions import db
from fazhi_exam.models import Attempt, AttemptQuestion, Attendance, Bank, Cohort, Exam, Law, OrgUnit, Question, User
from tests.conftest import TEST_PASSWORD, Auth
from tests.exam_fixtures import T0

PERSONAS = {  # persona → (username, what the policy calls them)
    "anonymous": (None, {policy.ANONYMOUS}),
    "learner": ("zhang", {policy.PERSON}),
    "other_learner": ("outsider", {policy.PERSON}),
    "village_admin_a": ("cunguan_a", {policy.PERSON, policy.UNIT_ADMIN}),
    "village_admin_b": ("cunguan_b", {policy.PERSON, policy.UNIT_ADMIN}),
    "trainer": ("peixun", {policy.PERSON, policy.TRAINER}),
    "admin": ("guanli", {policy.PERSON, policy.ADMIN}),
}
# Whose objects the person-owned ids in the URLs are: zhang's (王庄村, village A).
OWNER = "learner"
SEES_OWNER = {"own": {"learner"},
              "own+unit": {"learner", "village_admin_a", "trainer", "admin"},
              "unit": {"village_admin_a", "trainer", "admin"}}
PERSON_ARGS = {"user_id", "attempt_id"}


@pytest.fixture
def site(app, world, make_user, make_exam, sit):
    """The exam world plus the rest of what URLs name: a session, a material, a programme, a law."""
    from fazhi_exam.study.materials import create_material
    from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan
    from fazhi_exam.study.programmes import create_programme

    ids = dict(world)
    ids["cunguan_a"] = make_user("cunguan_a", roles={"learner", "admin"}, unit="王庄村", scope="王庄村",
                                 cohorts=["村干部"])
    ids["cunguan_b"] = make_user("cunguan_b", roles={"learner", "admin"}, unit="李庄村", scope="李庄村",
                                 cohorts=["村干部"])
    ids["guanli"] = make_user("guanli", roles={"admin"})
    exam_id = make_exam(shuffle_questions=False)
    sit(ids["zhang"], exam_id, right=3)
    sit(ids["cunguan_a"], exam_id, right=9)
    with app.app_context():
        from fazhi_exam.bank.laws import ensure_laws

        ensure_laws()
        plan = get_or_create_plan(None, 2023, "2023年学法计划")
        session = add_session(None, plan, SessionFields(T0, T0 + timedelta(hours=2), "宪法学习"))
        material = create_material(None, title="宪法要点", kind="text", minutes=5, body="宪法是根本法。")
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "村干部"))
        programme = create_programme(None, title="村干部培训", year=2023, cohorts=[cohort], materials=[material])
        db.session.commit()
        attempt = db.session.scalar(sa.select(Attempt).where(Attempt.user_id == ids["zhang"]))
        question = db.session.scalar(sa.select(Question).order_by(Question.id))
        args = {
            "exam_id": exam_id, "attempt_id": attempt.id, "user_id": ids["zhang"],
            "question_id": question.id, "number": 1, "bank_id": db.session.scalar(sa.select(Bank.id)),
            "law_id": db.session.scalar(sa.select(Law.id)), "plan_id": plan.id, "session_id": session.id,
            "material_id": material.id, "programme_id": programme.id, "cohort_id": cohort.id,
            "unit_id": db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.name == "王庄村")),
            "aq_id": db.session.scalar(sa.select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt.id)),
            "token": "no-such-import", "fmt": "yaml", "year_": 2023, "filename": "app.css",
            "exemption_id": 1,  # POST only: the walk stops at the CSRF check
        }
    clock.freeze(T0 + timedelta(days=1))
    return ids, args


def _client(app, persona: str):
    client = app.test_client()
    username = PERSONAS[persona][0]
    if username:
        assert Auth(client).login(username, TEST_PASSWORD).status_code == 302
    return client


def _walk(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_endpoint_declares_a_rule(app):
    missing = sorted({r.endpoint for r in app.url_map.iter_rules()} - set(policy.POLICY))
    assert not missing, f"endpoints without an access rule in fazhi_exam/policy.py: {missing}"
    stale = sorted(set(policy.POLICY) - {r.endpoint for r in app.url_map.iter_rules()})
    assert not stale, f"rules for endpoints that no longer exist: {stale}"


def test_url_map_times_personas_matches_the_policy(app, site):
    """GET as each persona: refused exactly when the policy says; person-owned ids (a learner's
    record, attempt, certificate) reachable only by the owner or by staff whose scope holds them.
    Unsafe methods without a CSRF token: refused by the policy (401/403) before anything else, or,
    when allowed, stopped by the CSRF check (400) — so the walk changes nothing."""
    _, args = site
    clients = {p: _client(app, p) for p in PERSONAS}
    wrong = []
    for rule, method in _walk(app):
        declared = policy.POLICY[rule.endpoint]
        path = rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1]
        for persona, client in clients.items():
            allowed = declared.allows(frozenset(PERSONAS[persona][1]))
            response = client.open(path, method=method)
            status = response.status_code
            to_login = status == 302 and "/login" in (response.location or "")
            if rule.endpoint in policy.SELF_CHECKED or declared is policy.PUBLIC and method != "GET":
                ok = status != 200 or persona != "anonymous" or allowed
            elif not allowed:
                ok = status in ((302, 401) if persona == "anonymous" else (403,))
            elif method != "GET":
                ok = status == 400  # the CSRF check, after the policy let it through
            elif PERSON_ARGS & set(rule.arguments):
                reach = SEES_OWNER[declared.scope] if declared.scope in SEES_OWNER else None
                ok = status == 404 if reach is not None and persona not in reach else status not in (401, 403)
            else:
                ok = status not in (401, 403) and not to_login
            if not ok:
                wrong.append(f"{method} {path} as {persona}: {status} (rule {declared.scope}, allowed={allowed})")
    assert not wrong, "\n".join(wrong)


def test_a_route_without_a_rule_is_refused(app, site, monkeypatch):
    monkeypatch.delitem(policy.POLICY, "exam_pages.history")
    client = _client(app, "learner")
    response = client.get("/results")
    assert response.status_code == 403 and "尚未声明访问权限" in response.get_data(as_text=True)


def _post(client, path, data=None, **kwargs):
    token = Auth(client).csrf("/")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def test_village_admin_probes_are_refused(app, site):
    """The outside tester's probes as 王庄村's admin: each refused, nothing changed."""
    ids, args = site
    a = _client(app, "village_admin_a")
    with app.app_context():
        own = db.session.scalar(sa.select(Attempt).where(Attempt.user_id == ids["cunguan_a"]))
        own_id, before = own.id, (own.status, own.score)
    assert _post(a, f"/manage/exams/attempts/{own_id}/reopen", {"minutes": "20"}).status_code == 403
    assert _post(a, f"/manage/exams/attempts/{args['attempt_id']}/reopen").status_code == 403
    assert _post(a, f"/manage/exams/{args['exam_id']}/status", {"status": "closed"}).status_code == 403
    assert a.get(f"/api/v1/exams/{args['exam_id']}/items").status_code == 403
    assert a.get(f"/stats/exams/{args['exam_id']}/items").status_code == 403
    assert a.get(f"/manage/exams/{args['exam_id']}").status_code == 403
    assert a.get(f"/bank/questions/{args['question_id']}/edit").status_code == 403
    with app.app_context():
        again = db.session.get(Attempt, own_id)
        assert (again.status, again.score) == before
        assert db.session.get(Exam, args["exam_id"]).status == "published"


def test_nobody_reopens_or_marks_their_own_attempt(app, site, make_user):
    ids, args = site
    ids = {**ids, "trainer": make_user("peixun2", roles={"trainer"}, cohorts=["村干部"])}
    trainer = app.test_client()
    Auth(trainer).login("peixun2")
    sit_exam = args["exam_id"]
    with app.app_context():
        from fazhi_exam.exam.attempts import start_or_resume

        clock.freeze(db.session.get(Exam, sit_exam).opens_at + timedelta(minutes=1))
        attempt, _ = start_or_resume(db.session.get(User, ids["trainer"]), db.session.get(Exam, sit_exam))
        from fazhi_exam.exam.attempts import finish

        finish(attempt, "submitted", clock.now())
        db.session.commit()
        own_id, status = attempt.id, attempt.status
    clock.freeze(T0 + timedelta(days=1))
    page = _post(trainer, f"/manage/exams/attempts/{own_id}/reopen", {"minutes": "20"}, follow_redirects=True)
    assert "不能重新开放自己的答卷" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, own_id).status == status


def test_roll_call_and_name_lists_hold_only_the_village(app, site):
    ids, args = site
    with app.app_context():
        li = db.session.get(User, ids["outsider"])
        wang, li_name = db.session.get(User, ids["zhang"]).name, li.name
    a = _client(app, "village_admin_a")
    page = a.get(f"/study/sessions/{args['session_id']}").get_data(as_text=True)
    assert wang in page and li_name not in page and 'name="u{}"'.format(ids["cunguan_a"]) not in page
    assert "签到码" not in page  # the code is for the room's screen, not for passing round the village
    # marking a 李庄村 person absent through the form changes nothing
    _post(a, f"/study/sessions/{args['session_id']}", {f"u{ids['outsider']}": "absent", f"u{ids['zhang']}": "present",
                                                        f"u{ids['cunguan_a']}": "present"})
    with app.app_context():
        marks = dict(db.session.execute(sa.select(Attendance.user_id, Attendance.status)
                                        .where(Attendance.session_id == args["session_id"])).all())
    assert marks == {ids["zhang"]: "present"}
    people = a.get(f"/stats/exams/{args['exam_id']}/people?who=expected").get_data(as_text=True)
    assert wang in people and "李庄" not in people
    b = _client(app, "village_admin_b")
    assert wang not in b.get(f"/stats/exams/{args['exam_id']}/people?who=expected").get_data(as_text=True)
    assert b.get(f"/records/users/{ids['zhang']}").status_code == 404
    assert b.get(f"/records/certificates/{args['attempt_id']}").status_code == 404
    assert wang not in b.get(f"/study/manage/programmes/{args['programme_id']}").get_data(as_text=True)


def test_village_admin_cannot_take_over_a_town_account(app, site, make_user):
    """A town trainer who lives in 王庄村 is not 王庄村's admin's to reset or deactivate."""
    town_trainer = make_user("zhenpeixun", roles={"trainer"}, unit="王庄村")
    a = _client(app, "village_admin_a")
    assert _post(a, f"/admin/users/{town_trainer}/password", {"new_password": "Xin@Mima2024"}).status_code == 404
    assert _post(a, f"/admin/users/{town_trainer}/active").status_code == 404
    assert a.get(f"/admin/users/{town_trainer}").status_code == 404
    with app.app_context():
        assert db.session.get(User, town_trainer).active


@pytest.mark.parametrize("path", [
    "/api/v1/attempts/99999999999999999999", "/records/users/99999999999999999999",
    "/admin/users/9223372036854775808", "/stats/exams/2147483648", "/attempts/-1",
])
def test_ids_out_of_range_are_404(app, site, path):
    client = _client(app, "admin")
    assert client.get(path).status_code == 404


def test_query_integers_out_of_range_are_ignored(app, site):
    client = _client(app, "admin")
    for path in ("/bank/?difficulty=99999999999999999999", "/admin/users?org_unit=99999999999999999999",
                 "/stats/?year=99999999999999999999", "/stats/exams/{}/people?unit=99999999999999999999",
                 "/bank/?difficulty=①"):
        assert client.get(path.format(site[1]["exam_id"])).status_code == 200, path
