"""Request hooks shared by every page and API: login loading, write intent, the access policy
(policy.py), forced password change, security headers."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, flash, g, redirect, request, send_file, session, url_for
from flask_login import current_user

from . import audit, clock, policy
from .database import start_request
from .errors import DomainError, error_response
from .extensions import db, login_manager

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
# Reachable while a password change is pending.
PASSWORD_CHANGE_OPEN = {"auth.change_password", "auth.logout", "api.change_password",
                        "api.logout", "static", "bootstrap.static"}


SESSION_EXPIRED = "登录已超时，请重新登录。"


@login_manager.user_loader
def _load_user(token: str):
    from .accounts.auth import load_session_user
    from .accounts.sessions import timed_out

    user = load_session_user(token)
    if user is None and timed_out(token):
        g.session_expired = True  # the refusal below says why
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    expired = g.get("session_expired", False)
    if request.path.startswith("/api/"):
        if expired:
            return error_response(401, "session_expired", SESSION_EXPIRED)
        return error_response(401, "unauthorized", "请先登录。")
    if expired:
        flash(SESSION_EXPIRED, "warning")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def download(body: bytes, mimetype: str, filename: str) -> Response:
    """A file to save: the Chinese name for browsers that read filename* (RFC 6266), an ASCII one
    for those that do not."""
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename)


def _commit_or_report(action: Callable[[], Any], report: Callable[[str], None]) -> tuple[bool, Any]:
    """Run a service call: commit on success; on a DomainError roll back and report its message."""
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        report(exc.message)
        return False, None
    db.session.commit()
    return True, result


def submit(form, action: Callable[[], Any]) -> tuple[bool, Any]:
    """For a form page: the domain error is shown on the form. Returns (ok, what the call returned)."""
    return _commit_or_report(action, form.form_errors.append)


def act(action: Callable[[], Any]) -> tuple[bool, Any]:
    """For buttons without a form page: the domain error is flashed."""
    return _commit_or_report(action, lambda message: flash(message, "danger"))


def register_request_hooks(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.session_protection = None  # server-side sessions do this job

    def _begin():
        start_request(writes=request.method in UNSAFE_METHODS)
        audit.set_request_ip(request.remote_addr)
        g.large_text = request.cookies.get("large_text") == "1"

    def _access_policy():
        refused = policy.check_request()
        if refused is None:
            return None
        status, message = refused
        if status == 401:
            return login_manager.unauthorized()
        return error_response(status, "forbidden", message)

    # First of all hooks, before even the CSRF check: who may use the endpoint is decided once,
    # here, for every page, form post, API call and download (write intent first: the user is read).
    app.before_request_funcs.setdefault(None, [])[0:0] = [_begin, _access_policy]

    @app.before_request
    def _pending_password_change():
        if request.endpoint in policy.SELF_CHECKED:
            return None
        if not current_user.is_authenticated or not current_user.must_change_password:
            return None
        if request.endpoint in PASSWORD_CHANGE_OPEN:
            return None
        if request.path.startswith("/api/"):
            return error_response(403, "password_change_required", "请先修改初始密码。")
        return redirect(url_for("auth.change_password"))

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if session.get("_user_id"):  # signed in (read from the cookie: no user is loaded for this)
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.template_filter("beijing")
    def _beijing(value):
        """Times are stored in UTC; people read Beijing time, to the minute (the one time format)."""
        return clock.minute(value)

    @app.template_filter("beijing_seconds")
    def _beijing_seconds(value):
        """The audit log's times, to the second (a record, read when something is questioned)."""
        return clock.to_second(value)

    @app.template_filter("beijing_date")
    def _beijing_date(value) -> str:
        return clock.day(value)

    @app.template_filter("beijing_time")
    def _beijing_time(value) -> str:
        return clock.time_of_day(value)

    @app.template_filter("beijing_iso")
    def _beijing_iso(value: str) -> str:
        from datetime import datetime

        return clock.minute(datetime.fromisoformat(value)) if value else ""

    @app.template_filter("answer_text")
    def _answer_text(value) -> str:
        """A response or key as people write it: B, ACD, 对/错, 二；五."""
        if value is None or value == [] or value == "":
            return "（未作答）"
        if isinstance(value, bool):
            return "对" if value else "错"
        if isinstance(value, list):
            if all(isinstance(v, list) for v in value):
                return "；".join("/".join(v) for v in value)
            return "".join(value) if all(len(str(v)) == 1 for v in value) else "；".join(map(str, value))
        return str(value)

    @app.context_processor
    def _globals():
        from .models import ROLES

        return {"ROLES": ROLES, "can": policy.can, "persona_labels": _persona_labels}


def _persona_labels(user) -> str:
    return "、".join(policy.PERSONA_LABELS[p] for p in policy.PERSONA_LABELS if p in policy.personas(user))
