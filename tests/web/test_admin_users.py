"""Admin pages: find, create, edit, deactivate users, reset passwords; units and cohorts;
a village admin sees and manages only the village."""
from __future__ import annotations

import sqlalchemy as sa

from fazhi_exam.extensions import db
from fazhi_exam.models import Cohort, OrgUnit, User
from tests.conftest import Api
from tests.unit.test_passwords import PERSON, RULE_CASES


def _ids(app, *names):
    with app.app_context():
        return [db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.name == n)) for n in names]


def test_user_list_search_filter_and_paginate(app, client, auth, make_user, town):
    make_user("admin", roles={"admin"}, unit="司法所")
    for i in range(55):
        make_user(f"w{i:02d}", name=f"王庄{i:02d}", unit="王庄村", cohorts=["法律明白人"])
    make_user("li1", name="李大爷", unit="李庄村", cohorts=["村干部"])
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "共 57 人" in page and "下一页" in page
    assert "王庄00" in page
    wang, li = _ids(app, "王庄村", "李庄村")
    page = client.get(f"/admin/users?org_unit={li}").get_data(as_text=True)
    assert "共 1 人" in page and "李大爷" in page
    page = client.get("/admin/users?q=李大").get_data(as_text=True)
    assert "共 1 人" in page
    with app.app_context():
        cadre = db.session.scalar(sa.select(Cohort.id).where(Cohort.name == "村干部"))
    assert "共 1 人" in client.get(f"/admin/users?cohort={cadre}").get_data(as_text=True)
    page2 = client.get(f"/admin/users?org_unit={wang}&page=2").get_data(as_text=True)
    assert "王庄50" in page2 and "王庄00" not in page2


def test_create_edit_deactivate_and_reset(app, client, auth, make_user, town):
    make_user("admin", roles={"admin"}, unit="司法所")
    auth.login("admin")
    wang, = _ids(app, "王庄村")
    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort.id).where(Cohort.name == "法律明白人"))
    form = {"csrf_token": auth.csrf("/admin/users/new"), "name": "赵明白", "username": "13900001111",
            "phone": "", "org_unit_id": wang, "cohort_ids": [cohort], "roles": ["learner"],
            "scope_unit_id": 0, "password": "Chushi@123"}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "13900001111"))
        assert user.phone == "13900001111" and user.must_change_password
        assert [c.name for c in user.cohorts] == ["法律明白人"]
        uid = user.id
    # the same username again is refused with a clear message, nothing created
    again = client.post("/admin/users/new", data=form)
    assert "已被其他账号使用" in again.get_data(as_text=True)
    # the new user can log in and must change the password first
    other = Api(app.test_client())
    assert other.login("13900001111", "Chushi@123").get_json()["user"]["must_change_password"]
    # deactivate: their session stops at once
    token = auth.csrf(f"/admin/users/{uid}")
    assert client.post(f"/admin/users/{uid}/active", data={"csrf_token": token}).status_code == 302
    assert other.call("GET", "/api/v1/me").status_code == 401
    assert Api(app.test_client()).login("13900001111", "Chushi@123").status_code == 401
    client.post(f"/admin/users/{uid}/active", data={"csrf_token": token})  # re-activate
    # reset password: the old one stops working, the new one must be changed
    client.post(f"/admin/users/{uid}/password", data={"csrf_token": token, "new_password": "Chongzhi@9"})
    assert Api(app.test_client()).login("13900001111", "Chushi@123").status_code == 401
    assert Api(app.test_client()).login("13900001111", "Chongzhi@9").status_code == 200
    # edit: move to another village, make a trainer
    li, = _ids(app, "李庄村")
    edit = {"csrf_token": token, "name": "赵明白", "username": "13900001111", "phone": "13900001111",
            "org_unit_id": li, "cohort_ids": [cohort], "roles": ["learner", "trainer"], "scope_unit_id": li}
    assert client.post(f"/admin/users/{uid}", data=edit).status_code == 302
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.org_unit.name == "李庄村" and user.roles == {"learner", "trainer"}
        assert user.scope_org_unit.name == "李庄村"


def test_admin_cannot_deactivate_self(app, client, auth, make_user):
    uid = make_user("admin", roles={"admin"})
    auth.login("admin")
    client.post(f"/admin/users/{uid}/active", data={"csrf_token": auth.csrf()})
    assert client.get("/").status_code == 200  # still in
    with app.app_context():
        assert db.session.get(User, uid).active


def test_village_admin_sees_and_manages_only_the_village(app, client, auth, make_user, town):
    make_user("cunguan", roles={"admin"}, unit="王庄村", scope="王庄村")
    make_user("w1", name="王庄人", unit="王庄村")
    li_user = make_user("l1", name="李庄人", unit="李庄村")
    auth.login("cunguan")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "王庄人" in page and "李庄人" not in page
    assert client.get(f"/admin/users/{li_user}").status_code == 404
    token = auth.csrf()
    assert client.post(f"/admin/users/{li_user}/password",
                       data={"csrf_token": token, "new_password": "Hack@1234"}).status_code == 404
    li, wang = _ids(app, "李庄村", "王庄村")
    form = {"csrf_token": token, "name": "新人", "username": "xinren", "org_unit_id": li,
            "roles": ["learner"], "scope_unit_id": wang, "password": "Xinren@123"}
    client.post("/admin/users/new", data=form)
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "xinren")) is None
    # the unit tree and the cohorts are the town's: a village admin manages people, not them
    assert client.get("/admin/units").status_code == 403
    assert client.get("/admin/cohorts").status_code == 403


def test_units_tree_and_cohorts(app, client, auth, make_user, town):
    make_user("admin", roles={"admin"})
    auth.login("admin")
    (town_id,) = _ids(app, "大张楼镇")
    token = auth.csrf("/admin/units")
    client.post("/admin/units", data={"csrf_token": token, "name": "新村", "kind": "village",
                                      "parent_id": town_id})
    dup = client.post("/admin/units", data={"csrf_token": token, "name": "新村", "kind": "village",
                                            "parent_id": town_id})
    assert "已有名为“新村”的单位" in dup.get_data(as_text=True)
    with app.app_context():
        unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "新村"))
        assert unit.parent.name == "大张楼镇" and unit.path.startswith(unit.parent.path)
    client.post("/admin/cohorts", data={"csrf_token": token, "name": "网格员"})
    assert "网格员" in client.get("/admin/cohorts").get_data(as_text=True)


def test_admin_pages_render(client, auth, make_user, town):
    make_user("admin", roles={"admin"})
    auth.login("admin")
    for path in ("/admin/users", "/admin/users/new", "/admin/units", "/admin/cohorts",
                 "/admin/users/import"):
        assert client.get(path).status_code == 200, path


def test_admin_create_and_reset_refuse_each_weak_password_with_its_rule(app, client, auth,
                                                                         make_user, town):
    make_user("admin", roles={"admin"}, unit="司法所")
    auth.login("admin")
    wang, = _ids(app, "王庄村")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "至少 8 位，不能全是数字" in page  # the rule under the initial-password field
    token = auth.csrf("/admin/users/new")
    form = {"csrf_token": token, "name": PERSON["name"], "username": PERSON["username"],
            "phone": PERSON["phone"], "org_unit_id": wang, "roles": ["learner"],
            "scope_unit_id": 0}
    for password, message in RULE_CASES:
        response = client.post("/admin/users/new", data={**form, "password": password})
        assert response.status_code == 200, password  # the form again with the reason
        assert message in response.get_data(as_text=True), password
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == PERSON["username"])) is None

    uid = make_user(PERSON["username"], phone=PERSON["phone"], name=PERSON["name"])
    page = client.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert page.count("至少 8 位，不能全是数字") == 1  # under the reset field (no initial password)
    for password, message in RULE_CASES:
        response = client.post(f"/admin/users/{uid}/password",
                               data={"csrf_token": token, "new_password": password},
                               follow_redirects=True)
        assert message in response.get_data(as_text=True), password
    assert Api(app.test_client()).login(PERSON["username"]).status_code == 200  # unchanged
    with app.app_context():
        assert not db.session.get(User, uid).must_change_password


def test_units_page_lists_the_tree_in_the_towns_order(app, client, auth, make_user, town):
    """Each unit followed by its own units, brothers in the order they were added — not by the text of
    their paths, which put "/1/10/" before "/1/2/" (a 科室 between two villages, issue 16)."""
    make_user("admin", roles={"admin"})
    auth.login("admin")
    (town_id,) = _ids(app, "大张楼镇")
    token = auth.csrf("/admin/units")
    names = [f"新{n}村" for n in "一二三四五六七八九十"] + ["新十一村", "新十二村"]
    for name in names:
        client.post("/admin/units", data={"csrf_token": token, "name": name, "kind": "village", "parent_id": town_id})
    (second,) = _ids(app, "新二村")
    client.post("/admin/units", data={"csrf_token": token, "name": "新二村一组", "kind": "village",
                                      "parent_id": second})
    page = client.get("/admin/units").get_data(as_text=True)
    shown = [n for n in [*names, "新二村一组"] if n in page]
    assert sorted(shown, key=lambda n: page.index(f"{n}<") if f"{n}<" in page else page.index(n)) == \
        [names[0], names[1], "新二村一组", *names[2:]]
