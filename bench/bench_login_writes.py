"""Concurrent writes on SQLite: an API login (throttle check, password check, session row,
hash-chained audit event, all in one BEGIN IMMEDIATE transaction) against the floor: a bare
Flask route inserting one row, on the same server, database file and engine settings."""
from __future__ import annotations

import tempfile
from pathlib import Path

from fazhi_exam import create_app
from fazhi_exam.database import set_write_intent
from fazhi_exam.extensions import db

from .floor_app import create as create_floor
from .harness import drive, post_json, served

CLIENTS, REQUESTS_EACH, USERS = 8, 60, 40
PASSWORD = "Bench@2024"


def _fazhi_app(url: str):
    app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      # hashing cost is a security setting, not what this bench measures
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "RATELIMIT_ENABLED": False, "LOGIN_FAILURES_PER_ADDRESS": "100000 per minute"})
    from flask_migrate import upgrade

    from fazhi_exam.accounts.users import UserFields, create_user

    with app.app_context():
        upgrade()
        set_write_intent(True)
        for i in range(USERS):
            create_user(None, UserFields(username=f"bench{i}", name=f"压测{i}"), PASSWORD,
                        must_change_password=False)
        db.session.commit()
        set_write_intent(False)
    return app


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app, floor = _fazhi_app(url), create_floor(url)
        total = CLIENTS * REQUESTS_EACH
        with served(floor) as port:
            floor_s, floor_fail = drive(port, CLIENTS, REQUESTS_EACH,
                                        lambda conn, c, i: post_json(conn, "/floor", {}))
        with served(app) as port:
            login_s, login_fail = drive(
                port, CLIENTS, REQUESTS_EACH,
                lambda conn, c, i: post_json(conn, "/api/v1/session",
                                             {"username": f"bench{(c * 7 + i) % USERS}",
                                              "password": PASSWORD}))
        with app.app_context():
            from fazhi_exam import audit

            chain = audit.verify()
        print(f"login_writes: {total} API logins by {CLIENTS} concurrent clients on SQLite")
        print(f"  floor (bare insert route): {total / floor_s:8.0f} req/s, failures {floor_fail}")
        print(f"  login (session + audit):   {total / login_s:8.0f} req/s, failures {login_fail}")
        print(f"  ratio login/floor time per request: {login_s / floor_s:.2f}x; "
              f"audit chain {'intact' if chain.ok else 'BROKEN'} ({chain.checked} events)")
