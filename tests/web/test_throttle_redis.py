"""With a Redis URI, app hosts share the login throttle (county / city tier)."""
from __future__ import annotations

import os
import uuid

import pytest

from fazhi_exam import create_app
from tests.conftest import TEST_PASSWORD, Api, base_config

REDIS_URL = os.environ.get("FAZHI_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="FAZHI_TEST_REDIS_URL not set")
def test_two_hosts_share_the_failure_count(database_url, make_user):
    username = f"u{uuid.uuid4().hex[:10]}"
    make_user(username)
    config = {**base_config(database_url), "RATELIMIT_STORAGE_URI": REDIS_URL}
    host_a, host_b = create_app(config), create_app(config)
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # fresh per run

    def client(host):
        c = host.test_client()
        c.environ_base["REMOTE_ADDR"] = address
        return Api(c)

    for i in range(5):
        assert client(host_a if i % 2 else host_b).login(username, "wrong").status_code == 401
    assert client(host_a).login(username, TEST_PASSWORD).status_code == 429
    assert client(host_b).login(username, TEST_PASSWORD).status_code == 429
