"""`fazhi-exam users move|deactivate|activate|history`: dated roster changes from the command line,
read back as the pages and figures read them."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from fazhi_exam.accounts import roster
from fazhi_exam.extensions import db
from fazhi_exam.models import AuditEvent, OrgUnit, User


def _ids(app, username):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        units = {u.name: u.id for u in db.session.scalars(sa.select(OrgUnit))}
        return user.id, units


def test_move_deactivate_activate_with_dates(app, runner, town, make_user):
    make_user("mover", unit="王庄村", cohorts=["村干部"], joined=date(2023, 1, 1))
    moved = runner.invoke(args=["users", "move", "mover", "--unit", "李庄村", "--date", "2023-07-01"])
    assert moved.exit_code == 0, moved.output
    assert "李庄村" in moved.output and "2023-07-01" in moved.output
    uid, unit = _ids(app, "mover")
    with app.app_context():
        assert roster.unit_on(uid, date(2023, 6, 30)) == unit["王庄村"]
        assert roster.unit_on(uid, date(2023, 7, 1)) == unit["李庄村"]
        assert db.session.get(User, uid).org_unit_id == unit["李庄村"]

    retired = runner.invoke(args=["users", "deactivate", "mover", "--date", "2023-10-15"])
    assert retired.exit_code == 0, retired.output
    with app.app_context():
        assert roster.unit_on(uid, date(2023, 10, 14)) == unit["李庄村"]
        assert roster.unit_on(uid, date(2023, 10, 15)) is None
        assert not db.session.get(User, uid).active
        events = [e.action for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target == "mover"))]
        assert "user_updated" in events and "user_deactivated" in events
    again = runner.invoke(args=["users", "move", "mover", "--unit", "王庄村"])
    assert again.exit_code == 1 and "已停用" in again.output

    back = runner.invoke(args=["users", "activate", "mover", "--date", "2024-03-01"])
    assert back.exit_code == 0, back.output
    with app.app_context():
        assert roster.unit_on(uid, date(2024, 2, 29)) is None
        assert roster.unit_on(uid, date(2024, 3, 1)) == unit["李庄村"]
    history = runner.invoke(args=["users", "history", "mover"])
    assert history.exit_code == 0
    assert "单位 王庄村：2023-01-01 起，2023-07-01 前" in history.output
    assert "单位 李庄村：2024-03-01 起，至今" in history.output
    assert "人员类别 村干部" in history.output


def test_refusals_change_nothing(app, runner, town, make_user):
    make_user("cadre", unit="王庄村", cohorts=["村干部"], joined=date(2023, 1, 1))
    uid, unit = _ids(app, "cadre")
    cases = [
        (["users", "move", "nobody", "--unit", "李庄村"], "找不到用户"),
        (["users", "move", "cadre", "--unit", "张庄村"], "找不到唯一的单位"),
        (["users", "move", "cadre", "--cohort", "不存在的类别"], "未知的人员类别"),
        (["users", "move", "cadre", "--unit", "李庄村", "--date", "2999-01-01"], "晚于今天"),
        (["users", "move", "cadre", "--unit", "李庄村", "--date", "2022-06-01"], ""),  # before it began
        (["users", "activate", "cadre"], "没有停用"),
    ]
    for args, words in cases:
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert words in result.output, (args, result.output)
    with app.app_context():
        assert roster.unit_on(uid, date(2023, 1, 1)) == unit["王庄村"]
        assert db.session.get(User, uid).org_unit_id == unit["王庄村"]
        assert len(roster.history(uid)) == 2  # the unit row and the cohort row, as made


def test_excuse_from_an_exam_by_a_named_trainer(app, runner, world, make_exam):
    from fazhi_exam.models import Exam
    from fazhi_exam.stats import exams as exam_stats

    exam = make_exam()
    no_by = runner.invoke(args=["users", "excuse", "li", "--exam", str(exam), "--reason", "住院"])
    assert no_by.exit_code == 2  # --by is required: an exemption is someone's decision
    outsider = runner.invoke(args=["users", "excuse", "outsider", "--exam", str(exam), "--reason", "外出",
                                   "--by", "peixun"])
    assert outsider.exit_code == 1 and "不在" in outsider.output
    both = runner.invoke(args=["users", "excuse", "li", "--exam", str(exam), "--session", "1", "--reason", "x",
                               "--by", "peixun"])
    assert both.exit_code == 1 and "中的一个" in both.output
    done = runner.invoke(args=["users", "excuse", "li", "--exam", str(exam), "--reason", "住院治疗",
                               "--by", "peixun"])
    assert done.exit_code == 0, done.output
    assert "免考：住院治疗" in done.output
    with app.app_context():
        f = exam_stats.figures(db.session.get(Exam, exam))
        assert (f.expected, f.excused) == (1, 1)  # zhang 应考; li 免考
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "exemption_granted"))
        assert event.actor_id == world["trainer"]
