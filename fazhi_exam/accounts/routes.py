"""Login, logout and password pages."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..errors import ValidationError
from ..extensions import db, limiter
from . import auth
from .forms import ChangePasswordForm, LoginForm
from .throttle import login_requests_per_address

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_requests_per_address, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = auth.authenticate(form.username.data, form.password.data, request.remote_addr)
        except auth.TooManyAttempts as exc:
            form.form_errors.append(exc.message)
            status = 429
        except auth.LoginFailed as exc:
            db.session.commit()  # keep the failed-login audit event
            form.form_errors.append(exc.message)
            status = 401
        else:
            auth.start_session(user, ip=request.remote_addr,
                               user_agent=request.headers.get("User-Agent"))
            login_user(user)
            db.session.commit()
            if user.must_change_password:
                flash("这是您第一次登录（或密码已被重置），请先设置新密码。", "warning")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    auth.end_session(current_user, current_user.session_token)
    logout_user()
    db.session.commit()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            auth.change_password(current_user, form.old_password.data, form.new_password.data)
        except ValidationError as exc:
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash("密码已修改。其他设备上的登录已失效。", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
