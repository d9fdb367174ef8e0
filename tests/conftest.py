"""Fixtures after the Flask tutorial and Indico: app, client, runner, auth, factories.

Every database test runs on SQLite and, when FAZHI_TEST_POSTGRES_URL is set, on
PostgreSQL too. The schema comes from the real migrations, run once per backend per
session; each test then gets a fresh copy (SQLite) or emptied tables (PostgreSQL)."""
from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from fazhi_exam import clock, create_app
from fazhi_exam.extensions import db

pytest_plugins = ["tests.exam_fixtures"]

POSTGRES_URL = os.environ.get("FAZHI_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
TEST_PASSWORD = "Test@2024"
LONG_AGO = date(2020, 1, 1)  # make_user's default 入册日期


def base_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "AUDIT_KEY": "test-audit-key-0123456789abcdef0123456789abcdef",
        "SQLALCHEMY_DATABASE_URI": url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": False,  # route limits; the login throttle stays on
        "RATELIMIT_STORAGE_URI": "memory://",
        "PARSE_IN_CHILD": False,  # a child process per upload is slow; tests/web/test_isolation.py turns it on
    }


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(base_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema():
    engine = sa.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    _migrate(POSTGRES_URL)
    return POSTGRES_URL


def _empty_postgres(app) -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        conn.exec_driver_sql("INSERT INTO audit_head (id, last_id, last_hash) "
                             f"VALUES (1, 0, '{'0' * 64}')")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(request, backend, tmp_path) -> str:
    if backend == "postgres":
        return request.getfixturevalue("postgres_schema")
    target = tmp_path / "fazhi_exam.sqlite"
    shutil.copy(request.getfixturevalue("sqlite_template"), target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(database_url, backend, tmp_path, monkeypatch):
    monkeypatch.setenv("FAZHI_INSTANCE", str(tmp_path / "instance"))
    app = create_app(base_config(database_url))
    with app.app_context():
        if backend == "postgres":
            _empty_postgres(app)
    yield app
    clock.reset()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for calling services directly."""
    with app.app_context():
        yield
        db.session.rollback()


CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Auth:
    """Log a test client in and out through the real login page."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = TEST_PASSWORD):
        token = csrf_from(self.client.get("/login").get_data(as_text=True))
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": token})

    def csrf(self, path: str = "/") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf()})


@pytest.fixture
def auth(client):
    return Auth(client)


class Api:
    def __init__(self, client):
        self.client = client
        self.token: str | None = None

    def login(self, username: str, password: str = TEST_PASSWORD):
        response = self.client.post("/api/v1/session",
                                    json={"username": username, "password": password})
        if response.status_code == 200:
            self.token = response.get_json()["csrf_token"]
        return response

    def call(self, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.token:
            headers.setdefault("X-CSRFToken", self.token)
        return self.client.open(path, method=method, headers=headers, **kwargs)


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def make_unit(app):
    from fazhi_exam.accounts.orgs import save_unit
    from fazhi_exam.models import OrgUnit

    def make(name: str, kind: str = "village", parent: OrgUnit | str | None = None) -> OrgUnit:
        with app.app_context():
            if isinstance(parent, str):
                parent = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == parent))
            elif parent is not None:
                parent = db.session.get(OrgUnit, parent.id)
            unit = save_unit(None, name=name, kind=kind, parent=parent)
            db.session.commit()
            return db.session.get(OrgUnit, unit.id)

    return make


@pytest.fixture
def make_user(app):
    """make_user("zhang", roles={"admin"}, unit="王庄村", cohorts=["村干部"], ...)"""
    from fazhi_exam.accounts.orgs import ensure_default_cohorts
    from fazhi_exam.accounts.users import UserFields, cohorts_by_name, create_user
    from fazhi_exam.models import OrgUnit

    def make(username: str, *, name: str | None = None, roles=("learner",), unit=None,
             cohorts=(), password: str = TEST_PASSWORD, must_change: bool = False,
             scope=None, phone=None, joined: date | None = LONG_AGO):
        """joined: the day they joined their unit and cohorts (None: today). By default long
        before any exam or session of the tests, whose audiences are read as of their date."""
        with app.app_context():
            ensure_default_cohorts()

            def find(unit_name):
                return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == unit_name)) \
                    if unit_name else None

            chosen, missing = cohorts_by_name(cohorts)
            assert not missing, missing
            user = create_user(None, UserFields(
                username=username, name=name or f"测试{username}", phone=phone,
                org_unit=find(unit), cohorts=chosen, roles=set(roles), scope_unit=find(scope)),
                password, must_change_password=must_change, effective=joined)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def town(app, make_unit):
    """A small town: 大张楼镇 with two villages and 司法所, and the default cohorts."""
    from fazhi_exam.accounts.orgs import ensure_default_cohorts

    with app.app_context():
        ensure_default_cohorts()
        db.session.commit()
    town = make_unit("大张楼镇", "town")
    make_unit("王庄村", "village", town)
    make_unit("李庄村", "village", town)
    make_unit("司法所", "department", town)
    return town
