"""年度归档 pages for admins: the years and their state, closing a year after checking its summary,
reopening it with a reason; and the same two acts over the JSON API."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock
from ..api import bp as api_bp
from ..api import json_body
from ..errors import ValidationError
from ..extensions import db
from ..web import act
from . import archive, year
from .api import archive_json
from .routes import bp


def _years() -> list[int]:
    return sorted(set(year.years_with_records()) | {c.year for c in archive.history()}, reverse=True)


@bp.route("/years")
def years():
    closures: dict[int, list] = {}
    for c in archive.history():
        closures.setdefault(c.year, []).append(c)
    this_year = clock.now().astimezone(clock.BEIJING).year
    return render_template("stats/years.html", years=_years(), closures=closures, this_year=this_year)


@bp.route("/years/<int:year_>/close", methods=["GET", "POST"])
def close_year(year_: int):
    if request.method == "POST":
        if request.form.get("checked") != "1":
            flash("请先核对本年度的数字，并勾选“我已核对”。", "danger")
            return redirect(url_for("stats.close_year", year_=year_))
        ok, _ = act(lambda: archive.close_year(current_user, year_))
        if ok:
            flash(f"{year_}年已归档：此后该年度的统计、名单、导出和报告都以归档时的数据为准。", "success")
            return redirect(url_for("stats.years"))
        return redirect(url_for("stats.close_year", year_=year_))
    closure = archive.live_closure(year_)
    v = archive.view(year_, None)
    return render_template("stats/close_year.html", year=year_, v=v, closure=closure, groups=year.GROUPS,
                           closable=year_ <= clock.now().astimezone(clock.BEIJING).year)


@bp.route("/years/<int:year_>/reopen", methods=["POST"])
def reopen_year(year_: int):
    ok, _ = act(lambda: archive.reopen_year(current_user, year_, request.form.get("reason", "")))
    if ok:
        flash(f"{year_}年已重新打开，原因已记入审计日志。改完后请重新归档。", "success")
    return redirect(url_for("stats.years"))


@api_bp.route("/years/<int:year_>/close", methods=["POST"])
def api_close_year(year_: int):
    closure = archive.close_year(current_user, year_)
    db.session.commit()
    return {"year": year_, "archive": archive_json(closure)}


@api_bp.route("/years/<int:year_>/reopen", methods=["POST"])
def api_reopen_year(year_: int):
    reason = json_body().get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationError("reason 应为文字。")
    archive.reopen_year(current_user, year_, reason)
    db.session.commit()
    return {"year": year_, "archive": None}
