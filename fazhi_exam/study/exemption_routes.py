"""免考 / 请假 / 免学 forms: excuse a person from an exam, session or programme with a reason, and
revoke it. One pair of endpoints for the three kinds; the pages that show the forms say where to
come back to. Who may do which kind is the service's rule (study/exemptions.py)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..closed_years import live_closure, year_of
from ..models import EXEMPTION_KINDS, Exam, Exemption, Programme, StudySession, User
from ..policy import get_or_404, is_town_staff, sees_person
from ..web import act
from . import exemptions
from .routes import bp

MODELS = {"exam": (Exam, "考试不存在。"), "session": (StudySession, "学习场次不存在。"),
          "programme": (Programme, "培训项目不存在。")}


def exemption_box(obj: exemptions.Excusable) -> dict:
    """For templates/study/_exemptions.html: the excused the viewer may see and, for town staff
    (who alone give 免考 and 免学), the people who may still be excused."""
    town = is_town_staff(current_user) and live_closure(year_of(obj)) is None  # a closed year is locked
    return {"excused_rows": [e for e in exemptions.live_of(obj) if sees_person(current_user, e.user)],
            "excuse_candidates": exemptions.candidates(current_user, obj) if town else [],
            "can_excuse": town}


def _back(default: str) -> str:
    """The page the form came from (a local path only), else the default."""
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return default


def _home(kind: str, object_id: int) -> str:
    if kind == "exam":
        return url_for("stats.exam", exam_id=object_id)
    if kind == "session":
        return url_for("study.session", session_id=object_id)
    return url_for("study.programme_progress", programme_id=object_id)


@bp.route("/exemptions", methods=["POST"])
def excuse():
    kind = request.form.get("kind", "")
    if kind not in MODELS:
        flash("未知的类型。", "danger")
        return redirect(_back(url_for("main.index")))
    model, missing = MODELS[kind]
    obj = get_or_404(model, request.form.get("object_id", type=int), message=missing)
    person = get_or_404(User, request.form.get("user_id", type=int), message="请从名单中选择人员。")
    ok, _ = act(lambda: exemptions.excuse(current_user, person, obj, request.form.get("reason", "")))
    if ok:
        flash(f"已为{person.name}登记{EXEMPTION_KINDS[kind]}。", "success")
    return redirect(_back(_home(kind, obj.id)))


@bp.route("/exemptions/<int:exemption_id>/revoke", methods=["POST"])
def revoke_exemption(exemption_id: int):
    row = get_or_404(Exemption, exemption_id, message="找不到这条记录。")
    ok, _ = act(lambda: exemptions.revoke(current_user, row))
    if ok:
        flash(f"已撤销{row.user.name}的{row.label}。", "success")
    return redirect(_back(_home(row.kind, getattr(row, f"{row.kind}_id"))))
