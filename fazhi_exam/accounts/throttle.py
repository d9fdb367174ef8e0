"""Failed logins slow guessing down without letting a stranger lock the owner out.

Usernames here are phone numbers, easy to learn, so a hard per-account lock would let anyone
keep a learner out of an exam. Three counts instead, all of failed logins only:

* per (account, address): after LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS (5 in 15 minutes) that
  pair waits until the window frees up (429 with Retry-After). The guesser's own address is
  stopped; the owner on another phone or network is not.
* per account, from all addresses: after LOGIN_FAILURES_PER_ACCOUNT (5 in 15 minutes) every
  further attempt waits min(2^(n-5), LOGIN_DELAY_MAX_SECONDS = 60) seconds after the latest
  failure, n being the failures in the window. A guesser with many addresses gets at most one
  try a minute; the owner waits at most a minute, then tries again. A successful login clears
  the account's counts (and those of its own pair).
* per address, across accounts: LOGIN_FAILURES_PER_ADDRESS (100 in 15 minutes), generous on
  purpose: a whole exam hall signs in through one NAT address and older learners mistype.

Attempts turned away with 429 are not counted, so hammering a blocked pair grows nothing.
Addresses are request.remote_addr as the server sees it; X-Forwarded-For is not trusted.
Counts live in the `limits` storage (memory:// for one process, redis:// so several app hosts
share them); time is time.time() on the app host, as the storage's own timestamps are.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal, cast

from flask import current_app
from limits import RateLimitItem, parse
from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

Reason = Literal["pair", "account", "address"]


@dataclass(frozen=True)
class Wait:
    """Why a login attempt must wait, and for how many whole seconds (at least 1)."""

    seconds: int
    reason: Reason


class LoginThrottle:
    def __init__(self, storage_uri: str, per_pair: str, per_account: str, per_address: str,
                 max_delay: int = 60):
        self._storage: Storage = storage_from_string(storage_uri)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._windows = cast(MovingWindowSupport, self._storage)  # memory and Redis both keep moving windows
        self._per_pair = parse(per_pair)
        self._per_address = parse(per_address)
        self._account_threshold = parse(per_account)
        self._max_delay = max_delay
        # Counting past the threshold only matters until the delay reaches its cap.
        spare = max(1, math.ceil(math.log2(max(max_delay, 1)))) + 1
        self._per_account = parse(f"{self._account_threshold.amount + spare} per "
                                  f"{self._account_threshold.get_expiry()} seconds")

    # -- the keys -------------------------------------------------------------------------
    # Each is (limit, *identifiers), the arguments of the limiter's hit / test / clear.
    def _pair(self, account: str, ip: str | None) -> tuple[RateLimitItem, str, str, str]:
        return self._per_pair, "login-pair", account, ip or "-"

    def _account(self, account: str) -> tuple[RateLimitItem, str, str]:
        return self._per_account, "login-account", account

    def _address(self, ip: str) -> tuple[RateLimitItem, str, str]:
        return self._per_address, "login-address", ip

    @staticmethod
    def _latest_key(account: str) -> str:
        # One moving-window entry, replaced on each failure: the time of the latest failure.
        return f"fazhi/login-latest-failure/{account}"

    def _window_wait(self, now: float, item: RateLimitItem, *key: str) -> int:
        if self._limiter.test(item, *key):
            return 0
        reset_at, _ = self._limiter.get_window_stats(item, *key)
        return max(math.ceil(reset_at - now), 1)

    def account_delay(self, failures: int) -> int:
        """Seconds to wait after the latest failure when the account has this many in the window."""
        over = failures - self._account_threshold.amount
        if over < 0:
            return 0
        return min(2 ** over, self._max_delay)

    # -- the three calls authenticate() makes ------------------------------------------------
    def check(self, account: str, ip: str | None) -> Wait | None:
        """Must this attempt wait? The longest wait wins; None when it may go ahead."""
        now = time.time()
        waits = [Wait(self._window_wait(now, *self._pair(account, ip)), "pair")]
        if ip:
            waits.append(Wait(self._window_wait(now, *self._address(ip)), "address"))
        item, *key = self._account(account)
        _, remaining = self._limiter.get_window_stats(item, *key)
        delay = self.account_delay(item.amount - remaining)
        if delay:
            latest, found = self._windows.get_moving_window(self._latest_key(account), 1,
                                                            item.get_expiry())
            if found:
                waits.append(Wait(max(math.ceil(latest + delay - now), 0), "account"))
        longest = max(waits, key=lambda w: w.seconds)
        return longest if longest.seconds > 0 else None

    def failed(self, account: str, ip: str | None) -> None:
        self._limiter.hit(*self._pair(account, ip))
        self._limiter.hit(*self._account(account))
        if ip:
            self._limiter.hit(*self._address(ip))
        # Replace, not add: only the latest failure's time is wanted. Two failures at the same
        # instant may race here; either time is right to within that instant.
        latest = self._latest_key(account)
        self._storage.clear(latest)
        self._windows.acquire_entry(latest, 1, self._per_account.get_expiry())

    def succeeded(self, account: str, ip: str | None) -> None:
        self._limiter.clear(*self._account(account))
        self._limiter.clear(*self._pair(account, ip))
        self._storage.clear(self._latest_key(account))


def get_throttle() -> LoginThrottle:
    app = current_app
    throttle = app.extensions.get("fazhi_login_throttle")
    if throttle is None:
        throttle = LoginThrottle(
            app.config["RATELIMIT_STORAGE_URI"],
            app.config["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"],
            app.config["LOGIN_FAILURES_PER_ACCOUNT"],
            app.config["LOGIN_FAILURES_PER_ADDRESS"],
            int(app.config["LOGIN_DELAY_MAX_SECONDS"]),
        )
        app.extensions["fazhi_login_throttle"] = throttle
    return throttle


def login_requests_per_address() -> str:
    """The route limit of the two login endpoints (Flask-Limiter reads it per request)."""
    return current_app.config["LOGIN_REQUESTS_PER_ADDRESS"]
