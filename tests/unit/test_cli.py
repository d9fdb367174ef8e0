"""The command line: init-db, seed-demo, create-user, backup and restore, the secret key."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy as sa

from fazhi_exam import create_app
from fazhi_exam.extensions import db
from fazhi_exam.models import Attempt, Cohort, Exam, OrgUnit, Question, User


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_twice_adds_nothing_the_second_time(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "Admin@2023" in first.output
    assert "新增演示考试 7 场" in first.output
    with app.app_context():
        users, units = count(User), count(OrgUnit)
        counts = (count(Question), count(Exam), count(Attempt))
        villages = db.session.scalar(sa.select(sa.func.count()).select_from(OrgUnit)
                                     .where(OrgUnit.kind == "village"))
        by_cohort = dict(db.session.execute(
            sa.select(Cohort.name, sa.func.count(User.id)).join(Cohort, User.cohorts)
            .group_by(Cohort.name)).all())
        cadre_exam = db.session.scalar(sa.select(Exam).where(Exam.title == "2023年第一次镇村干部普法考试"))
        taken = db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)
                                  .where(Attempt.exam_id == cadre_exam.id))
    assert villages == 30
    assert by_cohort["法律带头人"] == 30 and by_cohort["法律明白人"] == 90
    assert by_cohort["行政执法人员"] == 20 and 55 <= by_cohort["镇干部"] <= 65
    assert 88 <= by_cohort["村干部"] <= 95
    assert counts[0] >= 1000 and counts[1] == 7 + 3 and taken >= 140  # 7 demo exams, 3 paper templates
    assert "试卷模板“法律明白人培训考试”已载入为草稿（满分 100）" in first.output
    with app.app_context():
        drafts = db.session.scalars(sa.select(Exam).where(Exam.status == "draft")).all()
        assert sorted(e.title for e in drafts) == ["法律明白人培训考试", "行政执法人员执法资格考前练习", "镇村干部年度学法考试"]
        assert all(len({tuple(r.tags) for r in e.rules}) == 1 and not e.include_flagged for e in drafts)
    _demo_roster_is_dated(app)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "本次新增用户 0 名" in second.output and "新增演示考试 0 场" in second.output
    assert "试卷模板" not in second.output
    with app.app_context():
        assert (count(User), count(OrgUnit)) == (users, units)
        assert (count(Question), count(Exam), count(Attempt)) == counts
    from tests.conftest import Api

    for username, password in [("admin", "Admin@2023"), ("learner", "Xuexi@2023")]:
        assert Api(app.test_client()).login(username, password).status_code == 200
    learner = Api(app.test_client())
    learner.login("learner", "Xuexi@2023")
    states = {e["title"]: e["state"] for e in learner.call("GET", "/api/v1/me/exams").get_json()["exams"]}
    assert states["法律明白人每月一练（在线模拟）"] == "open"
    assert states["2023年度法律明白人培训考试"] in ("finished", "missed")


def _demo_roster_is_dated(app):
    """The demo's 2023 roster: everyone from 2023-01-01, a cadre moved from 刘楼村 to 陈集村 on
    2023-07-01, a 法律明白人 joined on 2023-07-10, another retired (deactivated) on 2023-10-15."""
    from datetime import date

    from fazhi_exam.accounts import roster

    with app.app_context():
        user_id = dict(db.session.execute(sa.select(User.username, User.id)).all())
        unit = dict(db.session.execute(sa.select(OrgUnit.name, OrgUnit.id)).all())
        day = date(2023, 6, 15)
        assert len(db.session.scalars(roster.members_on(day)).all()) == len(user_id) - 1
        assert roster.unit_on(user_id["13910000116"], day) == unit["刘楼村"]
        assert roster.unit_on(user_id["13910000116"], date(2023, 7, 1)) == unit["陈集村"]
        assert roster.unit_on(user_id["13920000311"], day) is None
        assert roster.unit_on(user_id["13920000311"], date(2023, 7, 10)) == unit["李庄村"]
        retired = db.session.get(User, user_id["13920000320"])
        assert not retired.active and roster.unit_on(retired.id, date(2023, 10, 15)) is None
        assert roster.unit_on(retired.id, date(2023, 10, 14)) == unit["赵庄村"]


def test_create_user_command(app, runner, town):
    result = runner.invoke(args=["create-user", "--username", "zhaoliu", "--name", "赵六",
                                 "--password", "Zhao@2024", "--role", "trainer", "--unit", "司法所",
                                 "--cohort", "镇干部"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["create-user", "--username", "zhaoliu", "--name", "重复",
                              "--password", "Zhao@2024"])
    assert bad.exit_code == 1 and "已被其他账号使用" in bad.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "zhaoliu"))
        assert user.roles == {"trainer"} and user.org_unit.name == "司法所"
    late = runner.invoke(args=["create-user", "--username", "qianqi", "--name", "钱七",
                               "--password", "Qian@2024x", "--unit", "王庄村", "--joined", "2023-07-10"])
    assert late.exit_code == 0, late.output
    future = runner.invoke(args=["create-user", "--username", "sunba", "--name", "孙八",
                                 "--password", "Sun@2024xy", "--unit", "王庄村", "--joined", "2999-01-01"])
    assert future.exit_code == 1 and "晚于今天" in future.output
    from datetime import date

    from fazhi_exam.accounts import roster

    with app.app_context():
        uid = db.session.scalar(sa.select(User.id).where(User.username == "qianqi"))
        assert roster.unit_on(uid, date(2023, 7, 9)) is None
        assert roster.unit_on(uid, date(2023, 7, 10)) is not None
        assert db.session.scalar(sa.select(User).where(User.username == "sunba")) is None


def test_init_db_writes_a_secret_key_and_the_app_needs_it(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    monkeypatch.setenv("FAZHI_INSTANCE", str(instance))
    monkeypatch.delenv("FAZHI_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="init-db"):
        create_app()  # serving without a key is refused
    result = subprocess.run([sys.executable, "-m", "fazhi_exam", "init-db"],
                            capture_output=True, text=True, env={**_env(), "FAZHI_INSTANCE": str(instance)})
    assert result.returncode == 0, result.stderr
    key = (instance / "secret_key").read_text().strip()
    assert len(key) == 64
    app = create_app()
    assert app.config["SECRET_KEY"] == key
    assert (instance / "fazhi_exam.sqlite").exists()
    again = subprocess.run([sys.executable, "-m", "fazhi_exam", "init-db"],
                           capture_output=True, text=True, env={**_env(), "FAZHI_INSTANCE": str(instance)})
    assert again.returncode == 0
    assert (instance / "secret_key").read_text().strip() == key  # never replaced


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FAZHI_SECRET_KEY")}


def test_backup_is_consistent_and_restores(app, runner, backend, tmp_path, make_user):
    make_user("zhang", name="张三")
    target = tmp_path / "backup.sqlite"
    result = runner.invoke(args=["backup", "-o", str(target)])
    if backend == "postgres":
        assert result.exit_code == 2 and "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    assert "完整性校验通过" in result.output
    again = runner.invoke(args=["backup", "-o", str(target)])
    assert again.exit_code == 1 and "已存在" in again.output
    # Restore as the README says: put the file where the instance expects its database.
    restored = create_app({"TESTING": True, "SECRET_KEY": "x", "AUDIT_KEY": app.config["AUDIT_KEY"],
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})  # the key is kept apart
    with restored.app_context():
        assert db.session.scalar(sa.select(User.name).where(User.username == "zhang")) == "张三"
        from fazhi_exam import audit

        assert audit.verify().ok
        db.engine.dispose()
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
