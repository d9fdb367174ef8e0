"""JSON API v1 (DESIGN §6): session cookie; unsafe methods need the X-CSRFToken header."""
from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from ..accounts import auth
from ..accounts.throttle import login_requests_per_address
from ..errors import DomainError, ValidationError, error_response
from ..extensions import csrf, db, limiter
from ..models import User

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "phone": user.phone,
        "org_unit": user.org_unit.name if user.org_unit else None,
        "cohorts": [c.name for c in user.cohorts],
        "roles": sorted(user.roles),
        "must_change_password": user.must_change_password,
    }


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("请求体必须是 JSON 对象。", code="bad_request", status=400)
    return data


# Logging in cannot carry a token it has not been given yet. A cross-site form cannot send
# application/json without a CORS preflight, which this API never grants, so JSON-only is
# the guard here.
@bp.route("/session", methods=["POST"])
@csrf.exempt
@limiter.limit(login_requests_per_address)
def login():
    if not request.is_json:
        return error_response(415, "unsupported_media_type", "请以 JSON 格式提交（Content-Type: application/json）。")
    data = json_body()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        raise ValidationError("请提供用户名和密码。", code="bad_request", status=400)
    try:
        user = auth.authenticate(username, password, request.remote_addr)
    except auth.TooManyAttempts as exc:
        response, status = error_response(429, exc.code, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response, status
    except auth.LoginFailed as exc:
        db.session.commit()  # keep the failed-login audit event
        return error_response(401, exc.code, exc.message)
    auth.start_session(user, ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))
    login_user(user)
    db.session.commit()
    return {"user": user_json(user), "csrf_token": generate_csrf()}


@bp.route("/session", methods=["DELETE"])
def logout():
    auth.end_session(current_user, current_user.session_token)
    logout_user()
    db.session.commit()
    return {"ok": True, "message": "已退出登录。"}


@bp.route("/me", methods=["GET"])
def me():
    return {"user": user_json(current_user), "csrf_token": generate_csrf()}


@bp.route("/me/password", methods=["POST"])
def change_password():
    data = json_body()
    old, new = data.get("old_password"), data.get("new_password")
    if not isinstance(old, str) or not isinstance(new, str):
        raise ValidationError("请提供 old_password 和 new_password。", code="bad_request",
                              status=400)
    auth.change_password(current_user, old, new)
    db.session.commit()
    return {"ok": True, "message": "密码已修改，其他设备上的登录已失效。"}


@bp.errorhandler(DomainError)
def _domain_error(err: DomainError):
    db.session.rollback()
    return error_response(err.status, err.code, err.message)


from . import exams, study  # noqa: E402,F401,I001  (register their routes on bp)
