"""The home page (by role) and small preferences such as 大字 mode."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    from .today import today

    return render_template("main/index.html", user=current_user, today=today(current_user))


@bp.route("/prefs/large-text", methods=["POST"])
def large_text():
    """Without JavaScript the 大字 button posts here; with it, app.js sets the cookie."""
    on = request.form.get("on") == "1"
    back = request.referrer or url_for("main.index")
    if not back.startswith(request.host_url):
        back = url_for("main.index")
    response = redirect(back)
    response.set_cookie("large_text", "1" if on else "0", max_age=3600 * 24 * 365,
                        samesite="Lax", httponly=False)
    return response


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every page: the site's icon, not a 404."""
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.route("/healthz")
def healthz():
    from sqlalchemy import text

    from .extensions import db

    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
