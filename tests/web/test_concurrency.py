"""Many people write at once (the synchronised start of an exam): no "database is locked"."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from fazhi_exam.extensions import db
from fazhi_exam.models import AuditEvent, LoginSession
from tests.conftest import Api


def test_concurrent_logins_all_succeed_and_chain_stays_whole(app, make_user):
    n_users, rounds = 12, 4
    for i in range(n_users):
        make_user(f"u{i}")

    def session(i: int) -> list[int]:
        api = Api(app.test_client())
        codes = []
        for _ in range(rounds):
            codes.append(api.login(f"u{i}").status_code)
            codes.append(api.call("DELETE", "/api/v1/session").status_code)
        return codes

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(session, range(n_users)))
    assert all(code == 200 for codes in results for code in codes), results
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) \
            == n_users * rounds
        from fazhi_exam import audit

        result = audit.verify()
        assert result.ok, result.reason
        logins = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "login"))
        assert logins == n_users * rounds
