"""Login throttling per account and per address, on the limiter's storage (memory or Redis),
so several app hosts share the counts when a Redis URI is configured."""
from __future__ import annotations

import math
import time

from flask import current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    def __init__(self, storage_uri: str, per_account: str, per_address: str):
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._per_account = parse(per_account)
        self._per_address = parse(per_address)

    def _keys(self, identifier: str, ip: str | None):
        yield self._per_account, ("login-account", identifier)
        if ip:
            yield self._per_address, ("login-address", ip)

    def retry_after(self, identifier: str, ip: str | None) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        wait = 0
        for item, key in self._keys(identifier, ip):
            if not self._limiter.test(item, *key):
                reset_at, _ = self._limiter.get_window_stats(item, *key)
                wait = max(wait, math.ceil(reset_at - time.time()), 1)
        return wait

    def failed(self, identifier: str, ip: str | None) -> None:
        for item, key in self._keys(identifier, ip):
            self._limiter.hit(item, *key)

    def succeeded(self, identifier: str) -> None:
        self._limiter.clear(self._per_account, "login-account", identifier)


def get_throttle() -> LoginThrottle:
    app = current_app
    throttle = app.extensions.get("fazhi_login_throttle")
    if throttle is None:
        throttle = LoginThrottle(
            app.config["RATELIMIT_STORAGE_URI"],
            app.config["LOGIN_FAILURES_PER_ACCOUNT"],
            app.config["LOGIN_FAILURES_PER_ADDRESS"],
        )
        app.extensions["fazhi_login_throttle"] = throttle
    return throttle


def login_requests_per_address() -> str:
    """The route limit of the two login endpoints (Flask-Limiter reads it per request)."""
    return current_app.config["LOGIN_REQUESTS_PER_ADDRESS"]
