"""The audit log: events are chained; any edit or deletion is found by `audit verify`."""
from __future__ import annotations

import sqlalchemy as sa

from fazhi_exam import audit
from fazhi_exam.extensions import db
from fazhi_exam.models import AuditEvent


def _events(n: int) -> None:
    for i in range(n):
        audit.record("user_updated", target=f"user{i}", details={"i": i})
    db.session.commit()


def test_logins_and_changes_are_recorded(app, api, make_user):
    make_user("zhang")
    api.login("zhang", "wrong")
    api.login("zhang")
    api.call("POST", "/api/v1/me/password", json={"old_password": "Test@2024", "new_password": "New@2024x"})
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        failed = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "login_failed"))
        assert failed.ip == "127.0.0.1" and failed.target == "zhang"
    assert actions == ["user_created", "login_failed", "login", "password_changed"]


def test_untouched_chain_verifies(app, runner, ctx):
    _events(5)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "共 5 条记录" in result.output


def test_edited_row_breaks_the_chain_at_that_row(app, runner, ctx):
    _events(5)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == 3)
                       .values(details='{"i": 99}'))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "第 3 条记录的内容被修改" in result.output


def test_rehashed_edit_is_still_caught_by_the_next_link(ctx):
    _events(4)
    event = db.session.get(AuditEvent, 2)
    event.target = "someone else"
    event.hash = audit.service._digest(event)  # a forger recomputes this row's hash
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.broken_id == 3


def test_deleted_rows_are_found(ctx):
    _events(5)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == 2))
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.broken_id == 2 and "缺失" in result.reason


def test_cut_tail_is_found(ctx):
    _events(5)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == 5))
    db.session.commit()
    result = audit.verify()
    assert not result.ok and "末尾" in result.reason


def test_audit_page_for_town_admin_only(app, client, auth, make_user, town):
    make_user("admin", roles={"admin"})
    make_user("cunguan", roles={"admin"}, unit="王庄村", scope="王庄村")
    auth.login("admin", "wrong")
    auth.login("admin")
    page = client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "登录失败" in page and "哈希链校验通过" in page
    auth.logout()
    auth.login("cunguan")
    assert client.get("/admin/audit").status_code == 403
