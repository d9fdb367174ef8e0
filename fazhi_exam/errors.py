"""Domain errors and the HTTP error pages / JSON errors they become at the edge."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the domain was broken; message is Chinese and shown to the user."""

    code = "invalid"
    status = 422

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class NotFound(DomainError):
    code, status = "not_found", 404


class PermissionDenied(DomainError):
    code, status = "forbidden", 403


class Conflict(DomainError):
    code, status = "conflict", 409


class ValidationError(DomainError):
    code, status = "invalid", 422


HTTP_MESSAGES = {
    400: ("bad_request", "请求格式不正确。"),
    401: ("unauthorized", "请先登录。"),
    403: ("forbidden", "您没有权限访问此页面。"),
    404: ("not_found", "您要找的页面或记录不存在。"),
    405: ("method_not_allowed", "不支持此操作方式。"),
    409: ("conflict", "操作与当前状态冲突，请刷新后重试。"),
    413: ("too_large", "上传的文件太大，超过了允许的上限。"),
    422: ("invalid", "提交的内容有误。"),
    429: ("too_many_requests", "操作过于频繁，请稍后再试。"),
    500: ("server_error", "服务器内部错误，请稍后再试或联系管理员。"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str | None = None, message: str | None = None):
    default_code, default_message = HTTP_MESSAGES.get(status, ("error", "出错了。"))
    code, message = code or default_code, message or default_message
    if wants_json():
        return jsonify(error=code, message=message), status
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        from .extensions import db

        db.session.rollback()
        return error_response(err.status, err.code, err.message)

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):
        return error_response(400, "csrf_failed", "安全校验失败（缺少或无效的 CSRF 令牌），请刷新页面后重试。")

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        status = err.code or 500
        message = None
        if status == 429:
            message = "操作过于频繁，请稍后再试。"
        elif status == 413:
            limit_mb = (app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
            message = f"上传的文件太大，不能超过 {limit_mb} MB。"
        elif status in (400, 403, 404, 409, 422) and isinstance(err.description, str) \
                and _is_chinese(err.description):
            message = err.description
        return error_response(status, None, message)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        from .extensions import db

        app.logger.exception("未处理的异常")
        db.session.rollback()
        return error_response(500)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
