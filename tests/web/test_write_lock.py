"""SQLite's write lock is taken at a transaction's first write, not at its first query (database.py),
so the slow parts of a request — hashing and checking passwords (scrypt in production), reading an
upload — run without it; and `fazhi-exam serve` is sized for an exam hall of phones."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from fazhi_exam import cli
from fazhi_exam.accounts import auth as auth_service
from fazhi_exam.accounts import passwords, user_import, users
from fazhi_exam.database import holds_write_lock
from fazhi_exam.extensions import db
from fazhi_exam.models import LoginSession, User
from tests.conftest import TEST_PASSWORD, Api


@pytest.fixture
def sqlite_only(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's write lock")


def test_a_transaction_takes_the_lock_at_its_first_write(app, sqlite_only, make_user):
    uid = make_user("zhang")
    with app.app_context():
        conn = db.session.connection()
        db.session.get(User, uid)
        assert not holds_write_lock(conn)  # reads: a plain BEGIN
        db.session.execute(sa.update(User).where(User.id == uid).values(name="张三"))
        assert holds_write_lock(conn)  # upgraded before the UPDATE ran
        db.session.commit()
        conn = db.session.connection()
        assert not holds_write_lock(conn)
        db.session.execute(sa.select(User).where(User.id == uid).with_for_update())
        assert holds_write_lock(conn)  # a locking read upgrades too (SQLite renders no FOR UPDATE)
        db.session.rollback()
        assert db.session.get(User, uid).name == "张三"


def test_passwords_are_hashed_and_checked_without_the_lock(app, sqlite_only, client, auth, make_user, town,
                                                           monkeypatch):
    seen: list[tuple[str, bool]] = []

    def watch(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            seen.append((name, holds_write_lock(db.session.connection())))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for module in (auth_service, users, user_import):
        for name in ("hash_password", "check_password"):
            if hasattr(module, name):
                watch(module, name)
    make_user("admin", roles={"admin"})
    target = make_user("zhang")

    assert auth.login("admin", "wrong").status_code == 401  # a failed login (it writes an audit event)
    assert auth.login("admin").status_code == 302  # the login page
    token = auth.csrf("/admin/users/new")
    assert client.post(f"/admin/users/{target}/password",
                       data={"csrf_token": token, "new_password": "Linshi@2024x"}).status_code == 302
    roster = openpyxl.Workbook()
    roster.active.append(["姓名", "用户名或手机号", "单位", "人员类别", "角色", "初始密码"])
    roster.active.append(["李四", "lisi", "王庄村", "村干部", "学员", "Chushi@123"])
    buf = io.BytesIO()
    roster.save(buf)
    page = client.post("/admin/users/import", data={"csrf_token": token, "file": (io.BytesIO(buf.getvalue()), "名单.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    action = re.search(r'action="(/admin/users/import/[^"]+)"', page).group(1)
    assert client.post(action, data={"csrf_token": token}).status_code == 302
    api = Api(app.test_client())
    assert api.login("zhang", "Linshi@2024x").status_code == 200  # the API login
    assert api.call("POST", "/api/v1/me/password",
                    json={"old_password": "Linshi@2024x", "new_password": "Xin@2024pw"}).status_code == 200

    names = [name for name, _ in seen]
    assert names.count("check_password") >= 4 and names.count("hash_password") >= 3, names
    assert [name for name, locked in seen if locked] == []
    with app.app_context():  # and the writes after them happened
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) >= 2
        assert passwords.check_password(db.session.get(User, target).password_hash, "Xin@2024pw")
        assert db.session.scalar(sa.select(User.id).where(User.username == "lisi")) is not None
    assert TEST_PASSWORD  # the admin's


def test_serve_raises_the_open_file_limit_for_its_connections(monkeypatch):
    resource = pytest.importorskip("resource")
    limits = {"now": (256, 4096)}
    monkeypatch.setattr(resource, "getrlimit", lambda _kind: limits["now"])
    monkeypatch.setattr(resource, "setrlimit", lambda _kind, value: limits.update(now=value))
    assert cli._open_files_for(1000) == 1000
    assert limits["now"] == (1000 + cli.SPARE_FILES, 4096)
    limits["now"] = (256, 600)  # the hard limit is lower: fewer connections, said at start-up
    assert cli._open_files_for(1000) == 600 - cli.SPARE_FILES


def test_serve_refuses_nonsense_sizes(app):
    result = app.test_cli_runner().invoke(args=["serve", "--threads", "0"])
    assert result.exit_code != 0 and "须为正整数" in result.output
