"""Logging in and out: credentials, throttling, server-side sessions, password changes."""
from __future__ import annotations

import secrets
import unicodedata

from sqlalchemy import or_, select, update

from .. import audit, clock
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..models import LoginSession, User
from . import sessions
from .passwords import check_password, hash_password, validate_new_password
from .throttle import get_throttle


class LoginFailed(DomainError):
    code, status = "invalid_credentials", 401


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} 秒"
    return f"{(seconds + 59) // 60} 分钟（{seconds} 秒）"


class TooManyAttempts(DomainError):
    code, status = "too_many_attempts", 429

    def __init__(self, retry_after: int, reason: str = "pair"):
        wait = _wait_text(retry_after)
        if reason == "account":
            message = f"这个账号刚才有多次登录失败，为了安全，请 {wait}后再试。"
        elif reason == "address":
            message = f"这个网络登录失败的次数过多，请 {wait}后再试。"
        else:
            message = f"登录失败次数过多，请 {wait}后再试；忘记密码请联系管理员重置。"
        super().__init__(message)
        self.retry_after = retry_after
        self.reason = reason


def normalise_identifier(text: str) -> str:
    """Usernames and phone numbers as typed on any keyboard: 全角 digits, spaces, case."""
    return unicodedata.normalize("NFKC", text or "").strip().lower().replace(" ", "")


def find_user(identifier: str) -> User | None:
    ident = normalise_identifier(identifier)
    if not ident:
        return None
    return db.session.scalar(select(User).where(or_(User.username == ident, User.phone == ident)))


def authenticate(identifier: str, password: str, ip: str | None) -> User:
    """Check credentials under the throttle (accounts/throttle.py: a guesser's address waits, the
    account slows down but is never locked); record the outcome in the audit log."""
    ident = normalise_identifier(identifier)
    user = find_user(ident)
    # Count per person, not per spelling: a username and a phone number share one count.
    # (The username, not the id: ids repeat between installations sharing one Redis.)
    account = f"user:{user.username}" if user is not None else f"name:{ident}"
    throttle = get_throttle()
    wait = throttle.check(account, ip)
    if wait:
        raise TooManyAttempts(wait.seconds, wait.reason)
    if user is None or not password or not check_password(user.password_hash, password):
        throttle.failed(account, ip)
        audit.record("login_failed", actor=user, target=ident[:64],
                     details={"reason": "wrong_password" if user else "unknown_user"})
        raise LoginFailed("用户名或密码不正确。")
    if not user.active:
        throttle.failed(account, ip)
        audit.record("login_failed", actor=user, target=user.username,
                     details={"reason": "inactive"})
        raise LoginFailed("该账号已停用，请联系管理员。", code="account_inactive")
    throttle.succeeded(account, ip)
    return user


def start_session(user: User, *, ip: str | None = None, user_agent: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(LoginSession(token=token, user_id=user.id, created_at=now, last_seen_at=now, ip=ip,
                                user_agent=(user_agent or "")[:255]))
    user.last_login_at = now
    user.session_token = token
    audit.record("login", actor=user, target=user.username)
    return token


_SESSION_USER = select(User, LoginSession.last_seen_at).where(sessions.live_session_clause())


def load_session_user(token: str) -> User | None:
    """Every request: is this login session still live (sessions.py: not logged out, no password
    change since, not idle or too old)? Notes the request for the idle limit."""
    now = clock.now()
    row = db.session.execute(_SESSION_USER, {"token": token, **sessions.limits(now)}).first()
    if row is None:
        return None
    user, last_seen_at = row
    sessions.seen(token, last_seen_at, now)
    user.session_token = token
    return user


def end_session(user: User, token: str | None) -> None:
    if token:
        db.session.execute(update(LoginSession).where(LoginSession.token == token)
                           .values(revoked_at=clock.now()))
    audit.record("logout", actor=user, target=user.username)


def revoke_sessions(user: User, *, keep: str | None = None) -> None:
    stmt = update(LoginSession).where(LoginSession.user_id == user.id,
                                      LoginSession.revoked_at.is_(None))
    if keep:
        stmt = stmt.where(LoginSession.token != keep)
    db.session.execute(stmt.values(revoked_at=clock.now()))


def change_password(user: User, old_password: str, new_password: str) -> None:
    """The user's own change: every other session of theirs stops working."""
    if not check_password(user.password_hash, old_password or ""):
        raise ValidationError("原密码不正确。", code="wrong_password")
    if old_password == new_password:
        raise ValidationError("新密码不能与原密码相同。", code="weak_password")
    validate_new_password(new_password, username=user.username, phone=user.phone,
                          name=user.name)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    revoke_sessions(user, keep=user.session_token)
    audit.record("password_changed", actor=user, target=user.username)
    db.session.flush()
