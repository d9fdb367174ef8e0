"""Per-person records: the printable 个人学法档案 and the 合格证书 of a passed exam.

A learner sees their own; trainers and admins see the people in their part of the organisation.
Anyone else gets 404, so that the pages do not tell whether a record exists."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import clock
from ..errors import NotFound
from ..models import Attempt, User
from ..policy import get_or_404
from . import records

bp = Blueprint("records", __name__, url_prefix="/records")


@bp.app_template_filter("cn_date")
def _cn_date(value: datetime | None) -> str:
    """2023年6月15日, in Beijing time (as on official documents)."""
    return clock.cn_day(value)


@bp.app_template_filter("hours")
def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def chosen_year() -> int | None:
    """?year=2023 for one year; absent or unreasonable: all years."""
    year = request.args.get("year", type=int)
    this_year = clock.now().astimezone(clock.BEIJING).year
    return year if year and 2000 <= year <= this_year + 1 else None


def _render_record(user: User, *, as_owner: bool):
    year = chosen_year()
    return render_template("stats/record.html", r=records.record(user, year, as_owner=as_owner), year=year,
                           years=records.record_years(user), as_owner=as_owner, printed_at=clock.now())


@bp.route("/me")
def me():
    return _render_record(current_user, as_owner=True)


@bp.route("/users/<int:user_id>")
def person(user_id: int):
    if user_id == current_user.id:
        return redirect(url_for("records.me", **request.args))
    return _render_record(get_or_404(User, user_id, message="记录不存在。"), as_owner=False)


@bp.route("/certificates/<int:attempt_id>")
def certificate(attempt_id: int):
    attempt = get_or_404(Attempt, attempt_id, message="证书不存在。",
                         options=(joinedload(Attempt.exam), joinedload(Attempt.user)))
    cert = records.certificate(attempt)
    if cert is None:
        raise NotFound("这次考试没有合格证书（未合格、未评分，或成绩尚未公布）。")
    return render_template("stats/certificate.html", cert=cert)

