"""Password hashing and the one password rule, used by every path that sets a password.

Self-service change (page and API), admin create and reset, `fazhi-exam create-user` and bulk
import all call validate_new_password(), so a weak password is refused the same way everywhere.
The rules are few and easy to say aloud, for older users: long enough, not a number, not a
well-known password, not the person's own account, phone number or name.
"""
from __future__ import annotations

import unicodedata

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import ValidationError
from .common_passwords import COMMON_PASSWORDS

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_DISTINCT = 3
# A password may not contain the username or phone number when that is at least this long.
# Six, not five: the demo administrator "admin" keeps its documented password Admin@2023, and a
# five-letter name inside a longer password is not what gets guessed; common ones like
# admin123 / zhang123 are in the list of common passwords anyway.
CONTAINS_MIN_LENGTH = 6

# Shown under every field where a password is set, and in the import template's notes.
PASSWORD_HINT = ("至少 8 位，不能全是数字，不能用 12345678、woaini1314 这类常见密码，"
                 "不能包含用户名或手机号，也不能是姓名。")

TOO_SHORT = f"密码至少 {MIN_LENGTH} 位。"
TOO_LONG = f"密码不能超过 {MAX_LENGTH} 位。"
ALL_DIGITS = "密码不能全是数字。"
TOO_FEW_DISTINCT = f"密码太简单（如 aaaa1111），至少要用 {MIN_DISTINCT} 个不同的字符。"
TOO_COMMON = "这个密码太常见，很容易被猜中，请换一个。"
HAS_IDENTIFIER = "密码不能包含用户名或手机号。"
IS_NAME = "密码不能是本人姓名。"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def _fold(text: str | None) -> str:
    """Compare as people read: full-width and half-width alike, case and spaces ignored."""
    return unicodedata.normalize("NFKC", text or "").lower().replace(" ", "")


def password_problem(password: str, *, username: str = "", phone: str | None = None,
                     name: str = "") -> str | None:
    """The first rule the password breaks, as the Chinese sentence to show; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    folded = _fold(password)
    if folded.isdigit():
        return ALL_DIGITS
    if len(set(folded)) < MIN_DISTINCT:
        return TOO_FEW_DISTINCT
    # "Password1!" is as common as "password1": a symbol tacked on at either end does not help.
    if folded in COMMON_PASSWORDS or folded.strip("!@#$%^&*.,_-+=?~`'\"") in COMMON_PASSWORDS:
        return TOO_COMMON
    forwards, backwards = folded, folded[::-1]
    for ident in filter(None, {_fold(username), _fold(phone)}):
        if ident in (forwards, backwards):
            return HAS_IDENTIFIER
        if len(ident) >= CONTAINS_MIN_LENGTH and (ident in forwards or ident in backwards):
            return HAS_IDENTIFIER
    person = _fold(name)
    if person and person in (forwards, backwards):
        return IS_NAME
    return None


def validate_new_password(password: str, *, username: str = "", phone: str | None = None,
                          name: str = "") -> None:
    """Raise ValidationError (code weak_password) with the broken rule's message."""
    problem = password_problem(password or "", username=username, phone=phone, name=name)
    if problem:
        raise ValidationError(problem, code="weak_password")
