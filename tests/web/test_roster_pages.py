"""The admin's user pages take the day a roster change took effect: 入册日期 when creating,
调入日期 when moving someone, 调离日期 when deactivating; a future date is refused in Chinese."""
from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.accounts import roster
from fazhi_exam.extensions import db
from fazhi_exam.models import Cohort, OrgUnit, User


def _ids(app) -> dict[str, int]:
    with app.app_context():
        units = dict(db.session.execute(sa.select(OrgUnit.name, OrgUnit.id)).all())
        cohorts = dict(db.session.execute(sa.select(Cohort.name, Cohort.id)).all())
    return units | cohorts


def test_create_move_and_deactivate_with_their_dates(app, client, auth, make_user, town):
    clock.freeze(datetime(2024, 3, 1, 2, 0, tzinfo=UTC))
    make_user("admin", roles={"admin"}, unit="司法所")
    auth.login("admin")
    ids = _ids(app)
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "入册日期" in page and 'value="2024-03-01"' in page  # today in Beijing is the default
    form = {"csrf_token": auth.csrf("/admin/users/new"), "name": "赵村官", "username": "zhaocg",
            "org_unit_id": ids["王庄村"], "cohort_ids": [ids["村干部"]], "roles": ["learner"],
            "scope_unit_id": 0, "password": "Chushi@123", "effective_on": "2023-01-01"}
    assert client.post("/admin/users/new", data=form).status_code == 302
    with app.app_context():
        uid = db.session.scalar(sa.select(User.id).where(User.username == "zhaocg"))
        assert roster.unit_on(uid, date(2023, 1, 1)) == ids["王庄村"]

    edit = {k: v for k, v in form.items() if k != "password"} | {"org_unit_id": ids["李庄村"]}
    refused = client.post(f"/admin/users/{uid}", data=edit | {"effective_on": "2024-05-01"})
    assert "晚于今天" in refused.get_data(as_text=True)
    refused = client.post(f"/admin/users/{uid}", data=edit | {"effective_on": "2022-12-01"})
    assert "早于该人员现有单位的开始日期 2023-01-01" in refused.get_data(as_text=True)
    bad = client.post(f"/admin/users/{uid}", data=edit | {"effective_on": "2023-13-45"})
    assert "日期格式应为" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, uid).org_unit_id == ids["王庄村"]  # nothing changed
    assert client.post(f"/admin/users/{uid}", data=edit | {"effective_on": "2023-07-01"}
                       ).status_code == 302
    page = client.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert "调入 / 生效日期" in page and "调离日期" in page
    assert "2023-07-01" in page and "至今" in page  # the history card

    token = auth.csrf(f"/admin/users/{uid}")
    client.post(f"/admin/users/{uid}/active", data={"csrf_token": token,
                                                    "effective_on": "2023-10-15"})
    with app.app_context():
        user = db.session.get(User, uid)
        assert not user.active
        assert roster.unit_on(uid, date(2023, 10, 14)) == ids["李庄村"]
        assert roster.unit_on(uid, date(2023, 10, 15)) is None
    # reactivating before the day they left is refused with the reason, and they stay inactive
    client.post(f"/admin/users/{uid}/active", data={"csrf_token": token,
                                                    "effective_on": "2023-09-01"})
    page = client.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert "上一段单位的结束日期 2023-10-15" in page
    with app.app_context():
        assert not db.session.get(User, uid).active
