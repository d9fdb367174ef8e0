"""`fazhi-exam users move|deactivate|activate|history`: the dated roster changes of the admin pages
from the command line (a 调村, a 退休, a 重新入册 with the day it took effect), through the same services,
so a year's roster can be scripted and checked as the pages would leave it."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from ..cli_util import fail, writes
from ..extensions import db

DAY = click.DateTime(formats=["%Y-%m-%d"])
NAMES = {"Exam": "考试", "StudySession": "学法场次", "Programme": "培训项目"}


def _person(identifier: str):
    from .auth import find_user

    user = find_user(identifier)
    if user is None:
        fail(f"找不到用户“{identifier}”。")
    return user


def _run(action) -> None:
    from ..errors import DomainError

    try:
        message = action()
    except DomainError as exc:
        db.session.rollback()
        fail(exc.message)
    db.session.commit()
    click.echo(message)


@click.command("move")
@click.argument("identifier", metavar="用户名或手机号")
@click.option("--unit", default=None, help="调入的单位（如 王庄村 或 大张楼镇/王庄村）；不给则单位不变")
@click.option("--cohort", "cohorts", multiple=True, help="调整后的人员类别，可多次给出；不给则不变")
@click.option("--date", "day", type=DAY, default=None, help="调入日期 YYYY-MM-DD：从哪天起生效（默认今天）")
@with_appcontext
@writes
def move_command(identifier: str, unit: str | None, cohorts: tuple[str, ...], day):
    """调整一个人的单位或人员类别（调村、转岗），按生效日期记入名册历史。"""
    from .orgs import find_unit_by_name
    from .users import UserFields, cohorts_by_name, update_user

    user = _person(identifier)
    org_unit = user.org_unit
    if unit is not None:
        found = find_unit_by_name(unit)
        if len(found) != 1:
            fail(f"找不到唯一的单位“{unit}”。")
        org_unit = found[0]
    chosen = list(user.cohorts)
    if cohorts:
        chosen, missing = cohorts_by_name(cohorts)
        if missing:
            fail(f"未知的人员类别：{'、'.join(missing)}")
    if not user.active:
        fail(f"{user.name}（{user.username}）已停用：请先用 users activate 重新入册。")
    fields = UserFields(username=user.username, name=user.name, phone=user.phone, org_unit=org_unit,
                        cohorts=chosen, roles=set(user.roles), scope_unit=user.scope_org_unit)
    effective: date | None = day.date() if day else None

    def action() -> str:
        update_user(None, user, fields, effective)
        where = org_unit.name if org_unit else "无单位"
        kinds = "、".join(c.name for c in chosen) or "无"
        return (f"已调整 {user.name}（{user.username}）：单位 {where}，人员类别 {kinds}，"
                f"自 {(effective or _today()):%Y-%m-%d} 起生效。")

    _run(action)


@click.command("deactivate")
@click.argument("identifier", metavar="用户名或手机号")
@click.option("--date", "day", type=DAY, default=None,
              help="调离日期 YYYY-MM-DD：不再属于本单位的第一天（默认今天）")
@with_appcontext
@writes
def deactivate_command(identifier: str, day):
    """停用一个人（调离、退休），名册在调离日期结束；之前的考试和学法仍按当时的名册统计。"""
    from .users import set_active

    user = _person(identifier)
    if not user.active:
        fail(f"{user.name}（{user.username}）已经停用。")
    effective = day.date() if day else None

    def action() -> str:
        set_active(None, user, False, effective)
        return f"已停用 {user.name}（{user.username}），自 {(effective or _today()):%Y-%m-%d} 起不在名册中。"

    _run(action)


@click.command("activate")
@click.argument("identifier", metavar="用户名或手机号")
@click.option("--date", "day", type=DAY, default=None, help="重新入册日期 YYYY-MM-DD（默认今天）")
@with_appcontext
@writes
def activate_command(identifier: str, day):
    """重新启用一个人，原单位和人员类别自重新入册日期起重新计入。"""
    from .users import set_active

    user = _person(identifier)
    if user.active:
        fail(f"{user.name}（{user.username}）没有停用。")
    effective = day.date() if day else None

    def action() -> str:
        set_active(None, user, True, effective)
        return f"已启用 {user.name}（{user.username}），自 {(effective or _today()):%Y-%m-%d} 起重新入册。"

    _run(action)


@click.command("history")
@click.argument("identifier", metavar="用户名或手机号")
@with_appcontext
def history_command(identifier: str):
    """列出一个人的名册历史（单位和人员类别，各自的起止日期）。"""
    from ..models import Cohort, CohortMembership, OrgUnit
    from .roster import history

    user = _person(identifier)
    click.echo(f"{user.name}（{user.username}）{'' if user.active else '（已停用）'}")
    rows = history(user.id)
    if not rows:
        click.echo("  没有名册记录。")
    for row in rows:
        if isinstance(row, CohortMembership):
            what = "人员类别 " + db.session.get(Cohort, row.cohort_id).name
        else:
            unit = db.session.get(OrgUnit, row.org_unit_id) if row.org_unit_id else None
            what = "单位 " + (unit.name if unit else "无")
        until = f"{row.ends_on:%Y-%m-%d} 前" if row.ends_on else "至今"
        click.echo(f"  {what}：{row.begins_on:%Y-%m-%d} 起，{until}")


def _today() -> date:
    from .roster import today

    return today()


COMMANDS = [move_command, deactivate_command, activate_command, history_command]


@click.command("excuse")
@click.argument("identifier", metavar="用户名或手机号")
@click.option("--exam", "exam_id", type=int, default=None, help="免考：考试编号")
@click.option("--session", "session_id", type=int, default=None, help="请假：学法场次编号")
@click.option("--programme", "programme_id", type=int, default=None, help="免学：培训项目编号")
@click.option("--reason", required=True, help="原因（必填，记入审计日志）")
@click.option("--by", "by", required=True, metavar="账号", help="办理人（培训管理员或管理员的账号）")
@with_appcontext
@writes
def excuse_command(identifier: str, exam_id: int | None, session_id: int | None, programme_id: int | None,
                   reason: str, by: str):
    """登记免考、请假或免学（与页面上的办理相同：有原因、记审计、不计入应考/应到/应学）。"""
    from ..models import EXEMPTION_KINDS, Exam, Programme, StudySession
    from ..study.exemptions import excuse

    given = [(m, i) for m, i in ((Exam, exam_id), (StudySession, session_id), (Programme, programme_id))
             if i is not None]
    if len(given) != 1:
        fail("请给出 --exam、--session、--programme 中的一个。")
    model, object_id = given[0]
    obj = db.session.get(model, object_id)
    if obj is None:
        fail(f"找不到编号为 {object_id} 的{NAMES[model.__name__]}。")
    user, actor = _person(identifier), _person(by)

    def action() -> str:
        row = excuse(actor, user, obj, reason)
        return f"已为 {user.name}（{user.username}）登记{EXEMPTION_KINDS[row.kind]}：{row.reason}"

    _run(action)


COMMANDS.append(excuse_command)
