"""With a Redis URI, app hosts share the login throttle (county / city tier)."""
from __future__ import annotations

import os
import time
import uuid

import pytest

from fazhi_exam import create_app
from tests.conftest import TEST_PASSWORD, Api, base_config

REDIS_URL = os.environ.get("FAZHI_TEST_REDIS_URL")


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


@pytest.mark.skipif(not REDIS_URL, reason="FAZHI_TEST_REDIS_URL not set")
def test_two_hosts_share_the_failure_counts(database_url, make_user):
    username = f"u{uuid.uuid4().hex[:10]}"
    make_user(username)
    config = {**base_config(database_url), "RATELIMIT_STORAGE_URI": REDIS_URL}
    host_a, host_b = create_app(config), create_app(config)
    stranger, owner = _address(), _address()  # fresh per run

    def client(host, address):
        c = host.test_client()
        c.environ_base["REMOTE_ADDR"] = address
        return Api(c)

    for i in range(5):
        assert client(host_a if i % 2 else host_b, stranger).login(username, "wrong").status_code == 401
    # the stranger's address waits on both hosts
    for host in (host_a, host_b):
        refused = client(host, stranger).login(username, TEST_PASSWORD)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 800
    # the owner elsewhere only waits the account's short pause, seen by both hosts alike
    for host in (host_a, host_b):
        paused = client(host, owner).login(username, TEST_PASSWORD)
        assert paused.status_code == 429 and paused.headers["Retry-After"] == "1"
    time.sleep(1.05)
    assert client(host_b, owner).login(username, TEST_PASSWORD).status_code == 200
    assert client(host_a, stranger).login(username, TEST_PASSWORD).status_code == 429
