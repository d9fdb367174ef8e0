"""Signed values verified once per process: the session cookie and the API's CSRF header.

Every request verifies the session cookie's signature (an HMAC) and decodes its JSON, and every
unsafe API call verifies its signed X-CSRFToken. During an exam the same cookie and token come back
every few seconds from each examinee (autosave), so each process keeps what verified: the same
string is the same signed data, and a string nobody was given still has to pass the full check.
Cookies are kept only until they would expire anyway; CSRF tokens only while they do not expire
(WTF_CSRF_TIME_LIMIT = None) and only over plain HTTP (over HTTPS Flask-WTF also checks each
request's Referer). Sessions are server-side checked as well (login_sessions), so logging out
works as before."""
from __future__ import annotations

import time

from flask import Flask, Request, current_app, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from .extensions import csrf

KEPT = 20_000  # cookies per process (~0.5 kB each); past it the memory starts again
FLAT = (str, int, float, bool, type(None))  # bool is an int; listed for the reader


class RememberingSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._verified: dict[str, tuple[dict, float]] = {}  # cookie → (its data, when it expires)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return super().open_session(app, request)
        known = self._verified.get(value)
        if known is not None and known[1] > time.time():
            return self.session_class(known[0])  # a fresh dict each time: a request may change its own
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # no secret key: Flask's own answer
            return None
        max_age = app.permanent_session_lifetime.total_seconds()
        try:
            data, signed_at = serializer.loads(value, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(v, FLAT) for v in data.values()):  # a list (flashed messages) could be changed in place
            if len(self._verified) >= KEPT:
                self._verified.clear()
            self._verified[value] = (data, signed_at.timestamp() + max_age)
        return self.session_class(data)


def check_csrf_header() -> None:
    """The CSRF check of a view exempted from CSRFProtect's automatic one (the autosave endpoint):
    the same check (Flask-WTF's protect, CSRFError → 400) unless this very token already verified
    against this session's raw token in this process."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):  # as CSRFProtect's own hook
        return
    verified: dict[str, str] = current_app.extensions.setdefault("fazhi_exam_csrf_verified", {})  # token → raw
    token = request.headers.get("X-CSRFToken")
    raw = session.get("csrf_token")
    remembered = token is not None and raw is not None and verified.get(token) == raw
    if remembered and current_app.config.get("WTF_CSRF_TIME_LIMIT") is None and not request.is_secure:
        return
    csrf.protect()  # raises CSRFError when the token is missing, forged or another session's
    if token is not None and isinstance(raw, str):
        if len(verified) >= KEPT:
            verified.clear()
        verified[token] = raw
