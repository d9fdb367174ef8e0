"""Password hashing and the password rules shown to users."""
from __future__ import annotations

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import ValidationError

MIN_LENGTH = 6


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def validate_new_password(password: str, *, username: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"密码至少需要 {MIN_LENGTH} 位。", code="weak_password")
    if len(password) > 128:
        raise ValidationError("密码不能超过 128 位。", code="weak_password")
    if username and password.lower() == username.lower():
        raise ValidationError("密码不能与用户名相同。", code="weak_password")
    if len(set(password)) < 3:
        raise ValidationError("密码过于简单（如 111111），请换一个。", code="weak_password")
