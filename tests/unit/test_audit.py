"""The audit log: rows are chained with an HMAC under a key outside the database, so any edit,
deletion or rebuild is found by `audit verify`, and a cut tail by an anchor kept elsewhere."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import openpyxl
import sqlalchemy as sa
import yaml

from fazhi_exam import audit, clock
from fazhi_exam.audit.service import GENESIS, seal
from fazhi_exam.extensions import db
from fazhi_exam.models import AuditEvent, AuditHead


def _events(n: int) -> None:
    for i in range(n):
        audit.record("user_updated", target=f"user{i}", details={"i": i})
    db.session.commit()


def _rows() -> list:
    return db.session.execute(sa.select(*AuditEvent.__table__.c).order_by(AuditEvent.id)).all()


def _rebuild(digest) -> None:
    """What someone who can write the database (but has not got the key) does after an edit:
    recompute every link and seal with digest(row, prev_hash) and fix audit_head."""
    prev = GENESIS
    for row in _rows():
        new = digest(row, prev)
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == row.id)
                           .values(prev_hash=prev, hash=new))
        prev = new
    count = len(_rows())
    db.session.execute(sa.update(AuditHead).values(last_id=count, last_hash=prev))
    db.session.commit()


def test_logins_and_changes_are_recorded(app, api, make_user):
    make_user("zhang")
    api.login("zhang", "wrong")
    api.login("zhang")
    api.call("POST", "/api/v1/me/password", json={"old_password": "Test@2024", "new_password": "New@2024x"})
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        failed = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "login_failed"))
        assert failed.ip == "127.0.0.1" and failed.target == "zhang"
    assert actions == ["user_created", "login_failed", "login", "password_changed"]


def test_untouched_chain_verifies(app, runner, ctx):
    _events(5)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "共 5 条记录" in result.output


def test_edited_row_breaks_the_chain_at_that_row(app, runner, ctx):
    _events(5)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == 3)
                       .values(details='{"i": 99}'))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "第 3 条记录的内容被修改" in result.output


def test_resealed_edit_is_still_caught_by_the_next_link(app, ctx):
    _events(4)
    row = _rows()[1]._asdict() | {"target": "someone else"}
    key = app.config["AUDIT_KEY"].encode()
    forged = seal(key, SimpleNamespace(**row), row["prev_hash"], row["key_id"])
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == 2).values(target="someone else", hash=forged))
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.broken_id == 3


def test_deleted_middle_row_is_found(ctx):
    _events(5)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == 3))
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.broken_id == 3 and "缺失" in result.reason


def test_cut_tail_is_found(ctx):
    _events(5)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == 5))
    db.session.commit()
    result = audit.verify()
    assert not result.ok and "末尾" in result.reason


def test_chain_rebuilt_without_the_key_is_found(app, runner, ctx):
    _events(5)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == 2).values(target="张三"))
    db.session.commit()

    def unkeyed(row, prev):
        payload = [row.id, row.at.isoformat(timespec="microseconds"), row.actor_id, row.actor_name,
                   row.action, row.target, row.details, row.ip, prev, row.key_id]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()

    _rebuild(unkeyed)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "第 1 条记录的内容被修改" in result.output
    # A guessed key: the same code, the key id copied from the rows; still not the real key.
    _rebuild(lambda row, prev: seal(b"guessed-" * 8, row, prev, row.key_id))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "第 1 条记录的内容被修改" in result.output
    # Marking the rows as legacy (pre-key) and rebuilding with the old digest does not pass either.
    db.session.execute(sa.update(AuditEvent).values(key_id=None))
    _rebuild(lambda row, prev: min(audit.service.legacy_digests(SimpleNamespace(**row._asdict() | {"prev_hash": prev}))))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "第 1 条记录没有密钥封存" in result.output


def test_cut_tail_with_head_fixed_is_found_by_the_anchor(app, runner, ctx, tmp_path):
    _events(5)
    anchor = runner.invoke(args=["audit", "anchor"])
    assert anchor.exit_code == 0 and anchor.output.startswith("审计锚点 ") and " 第 5 条 " in anchor.output
    ok = runner.invoke(args=["audit", "verify", "--anchor", anchor.output.strip()])
    assert ok.exit_code == 0 and "锚点相符" in ok.output
    _events(2)  # more events after the anchor keep it valid
    (tmp_path / "anchors.txt").write_text("台账\n" + anchor.output, encoding="utf-8")
    assert runner.invoke(args=["audit", "verify", "--anchor-file", str(tmp_path / "anchors.txt")]).exit_code == 0
    # Cut rows 5-7 and point audit_head at row 4: internally consistent, so only the anchor tells.
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id >= 5))
    last = db.session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.id == 4))
    db.session.execute(sa.update(AuditHead).values(last_id=4, last_hash=last))
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    cut = runner.invoke(args=["audit", "verify", "--anchor-file", str(tmp_path / "anchors.txt")])
    assert cut.exit_code == 1 and "日志现只有 4 条记录" in cut.output
    garbled = runner.invoke(args=["audit", "verify", "--anchor", "第 5 条"])
    assert garbled.exit_code == 1 and "没有找到审计锚点" in garbled.output


def test_anchor_of_a_different_chain_fails(app, runner, ctx):
    _events(3)
    line = runner.invoke(args=["audit", "anchor"]).output.strip()
    forged = line.replace(line.split()[5], "f" * 64)
    result = runner.invoke(args=["audit", "verify", "--anchor", forged])
    assert result.exit_code == 1 and "与锚点不符" in result.output


def test_without_the_key_verify_refuses(app, runner, ctx):
    _events(2)
    app.config["AUDIT_KEY"] = None  # and no instance/audit_key
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "缺少审计密钥" in result.output
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 1


def test_wrong_key_is_named(app, runner, ctx):
    _events(2)
    app.config["AUDIT_KEY"] = "another-audit-key-0123456789abcdef0123456789"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "由另一把密钥" in result.output


def test_event_recorded_at_beijing_time_verifies(app, runner, ctx):
    clock.freeze(datetime(2023, 6, 15, 9, 14, 0, 250, tzinfo=clock.BEIJING))
    audit.record("attempt_started", target="考试")
    clock.freeze(datetime(2023, 6, 15, 9, 43, tzinfo=clock.BEIJING))  # whole seconds, no micro
    audit.record("attempt_submitted", target="考试")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AuditEvent, 1).at == datetime(2023, 6, 15, 1, 14, 0, 250, tzinfo=UTC)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def _key_file(app):
    return os.path.join(app.instance_path, "audit_key")


def test_rotate_key_keeps_the_chain_and_old_anchors(app, runner, ctx):
    app.config["AUDIT_KEY"] = None  # rotation works on the key file
    _events(3)  # the first event of a fresh chain creates instance/audit_key
    old_key = open(_key_file(app)).read().strip()
    assert stat.S_IMODE(os.stat(_key_file(app)).st_mode) == 0o600
    old_anchor = runner.invoke(args=["audit", "anchor"]).output.strip()
    rotated = runner.invoke(args=["audit", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    new_key = open(_key_file(app)).read().strip()
    assert new_key != old_key
    retired = [n for n in os.listdir(app.instance_path) if n.startswith("audit_key.retired-")]
    assert len(retired) == 1 and open(os.path.join(app.instance_path, retired[0])).read().strip() == old_key
    assert stat.S_IMODE(os.stat(os.path.join(app.instance_path, retired[0])).st_mode) == 0o600
    new_anchor = rotated.output.strip().splitlines()[-1]
    assert " 第 4 条 " in new_anchor  # the rotation itself is an event
    db.session.expire_all()
    assert db.session.get(AuditEvent, 4).action == "audit_key_rotated"
    _events(1)  # later events are sealed with the new key
    result = runner.invoke(args=["audit", "verify", "--anchor", old_anchor, "--anchor", new_anchor])
    assert result.exit_code == 0, result.output
    assert "已于第 4 条记录" in result.output and "与锚点相符" in result.output
    # Without the retired key file the old anchor cannot be checked, and says so.
    os.remove(os.path.join(app.instance_path, retired[0]))
    result = runner.invoke(args=["audit", "verify", "--anchor", old_anchor])
    assert result.exit_code == 1 and "无法核对" in result.output


def test_rotate_key_refuses_a_broken_chain_and_changes_nothing(app, runner, ctx):
    app.config["AUDIT_KEY"] = None
    _events(3)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == 2).values(target="改过"))
    db.session.commit()
    before = (open(_key_file(app)).read(), [tuple(r) for r in _rows()])
    result = runner.invoke(args=["audit", "rotate-key"])
    assert result.exit_code == 1 and "未轮换密钥" in result.output and "第 2 条记录的内容被修改" in result.output
    db.session.expire_all()
    assert (open(_key_file(app)).read(), [tuple(r) for r in _rows()]) == before
    assert not [n for n in os.listdir(app.instance_path) if "retired" in n]


def test_rotate_key_refuses_a_configured_key(app, runner, ctx):
    _events(1)
    result = runner.invoke(args=["audit", "rotate-key"])
    assert result.exit_code == 1 and "FAZHI_AUDIT_KEY" in result.output


def _legacy_chain(n: int) -> None:
    """Rows as the unkeyed version wrote them, one with the +08:00 time bug."""
    prev = GENESIS
    for i in range(1, n + 1):
        at = datetime(2023, 6, 15, 9, i, tzinfo=clock.BEIJING) if i == 2 else datetime(2023, 6, 1, i, tzinfo=UTC)
        event = AuditEvent(id=i, at=at, actor_id=None, actor_name="系统", action="user_updated",
                           target=f"u{i}", details="{}", ip=None, prev_hash=prev, key_id=None)
        payload = [i, at.isoformat(), None, "系统", "user_updated", f"u{i}", "{}", None, prev]
        event.hash = hashlib.sha256(json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                                    .encode()).hexdigest()
        db.session.add(event)
        prev = event.hash
    db.session.execute(sa.update(AuditHead).values(last_id=n, last_hash=prev))
    db.session.commit()


def test_legacy_chain_is_sealed_after_it_checks_out(app, runner, ctx):
    _legacy_chain(3)
    before = runner.invoke(args=["audit", "verify"])
    assert before.exit_code == 1 and "没有密钥封存" in before.output
    sealed = runner.invoke(args=["audit", "seal-legacy"])
    assert sealed.exit_code == 0 and "封存 3 条" in sealed.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    assert "没有需要封存" in runner.invoke(args=["audit", "seal-legacy"]).output


def test_tampered_legacy_chain_is_not_sealed(app, runner, ctx):
    _legacy_chain(3)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == 2).values(target="改过"))
    db.session.commit()
    result = runner.invoke(args=["audit", "seal-legacy"])
    assert result.exit_code == 1 and "未封存" in result.output and "第 2 条记录的内容被修改" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.key_id.is_not(None))) == 0


def test_write_commands_on_the_demo_keep_the_chain(app, runner, ctx, tmp_path):
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # demo exams froze the clock at +08:00

    def run(*args):
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result

    people = openpyxl.Workbook()
    people.active.append(["姓名", "用户名或手机号", "单位", "人员类别", "角色", "初始密码"])
    people.active.append(["审计测", 13799990001, "王庄村", "法律明白人", "学员", "Chushi@123"])
    people.save(tmp_path / "people.xlsx")
    run("users", "import", str(tmp_path / "people.xlsx"))
    bank = {"bank": "审计测试库", "questions": [
        {"type": "judge", "stem": f"审计测试判断题{i}。", "answer": True, "difficulty": 2} for i in range(3)]}
    (tmp_path / "bank.yaml").write_text(yaml.safe_dump(bank, allow_unicode=True), encoding="utf-8")
    run("bank", "import", str(tmp_path / "bank.yaml"))
    opens = clock.now().astimezone(clock.BEIJING) - timedelta(hours=1)
    exam = {"title": "审计测试考试", "kind": "mock", "audience": {"cohorts": []},
            "opens_at": opens.isoformat(), "closes_at": (opens + timedelta(hours=3)).isoformat(),
            "duration_minutes": 30, "max_attempts": 1, "score_policy": "best", "pass_score": 1,
            "paper": [{"bank": "审计测试库", "type": "judge", "count": 3, "points": 1}]}
    (tmp_path / "exam.yaml").write_text(yaml.safe_dump(exam, allow_unicode=True), encoding="utf-8")
    run("exam", "create", str(tmp_path / "exam.yaml"))
    clock.advance(timedelta(days=400))  # every demo attempt still open is now past its deadline
    run("attempts", "close-expired")
    clock.reset()
    plan = openpyxl.Workbook()
    plan.active.append(["日期", "开始时间", "结束时间", "学习主题", "学习法律", "主讲人", "地点", "参学对象", "是否必学"])
    plan.active.append(["2030-03-08", "15:00", "17:00", "审计测试学习", "宪法", "镇长", "会议室", "村干部", "是"])
    plan.save(tmp_path / "plan.xlsx")
    run("study", "import-plan", str(tmp_path / "plan.xlsx"), "--title", "审计测试计划")
    result = run("audit", "verify")
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"users_imported", "bank_imported", "exam_created", "study_imported"} <= actions
    assert "哈希链校验通过" in result.output


def test_fresh_installation_from_the_command_line(tmp_path):
    """As an operator runs it, in separate processes (the demo itself is seeded in the test above,
    which is the same code without the process start-up)."""
    instance = tmp_path / "inst"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "FAZHI_SECRET_KEY", "FAZHI_AUDIT_KEY")}
    env |= {"FAZHI_INSTANCE": str(instance), "FAZHI_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "fazhi_exam", *args], capture_output=True,
                              text=True, env=env)

    for step in (["init-db"], ["create-user", "--username", "zhaoliu", "--name", "赵六",
                               "--password", "Zhao@2024", "--role", "trainer"]):
        done = cli(*step)
        assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((instance / "audit_key").stat().st_mode) == 0o600
    verified = cli("audit", "verify")
    assert verified.returncode == 0 and "共 1 条记录" in verified.stdout, verified.stderr
    anchor = cli("audit", "anchor").stdout.strip()
    assert cli("audit", "verify", "--anchor", anchor).returncode == 0
    (instance / "audit_key").unlink()
    missing = cli("audit", "verify")
    assert missing.returncode == 1 and "缺少审计密钥" in missing.stderr
    refused = cli("create-user", "--username", "qianqi", "--name", "钱七", "--password", "Qian@2024")
    assert refused.returncode != 0 and "缺少审计密钥" in refused.stderr  # no silent new key
    again = cli("init-db")  # e.g. the database restored without its key: no new key either
    assert again.returncode == 1 and "找不到这把密钥" in again.stderr
    assert not (instance / "audit_key").exists()


def _legacy_instance(tmp_path, *, tamper: bool):
    """An instance left by the unkeyed version: schema up to 0006, three legacy rows (one with
    the +08:00 time bug), no audit_key file."""
    import sqlite3

    from flask_migrate import upgrade

    from fazhi_exam import create_app

    instance = tmp_path / "inst"
    instance.mkdir()
    database = instance / "fazhi_exam.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        upgrade(revision="0006_materials")
        db.engine.dispose()
    con = sqlite3.connect(database)
    prev = GENESIS
    for i in range(1, 4):
        at = datetime(2023, 6, 15, 9, i, tzinfo=clock.BEIJING) if i == 2 else datetime(2023, 6, 1, i, tzinfo=UTC)
        payload = [i, at.isoformat(), None, "系统", "user_updated", f"u{i}", "{}", None, prev]
        digest = hashlib.sha256(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
        stored_at = at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        con.execute("INSERT INTO audit_events (id, at, actor_id, actor_name, action, target, details, ip, "
                    "prev_hash, hash) VALUES (?, ?, NULL, '系统', 'user_updated', ?, '{}', NULL, ?, ?)",
                    (i, stored_at, "改过" if tamper and i == 2 else f"u{i}", prev, digest))
        prev = digest
    con.execute("UPDATE audit_head SET last_id = 3, last_hash = ?", (prev,))
    con.commit()
    con.close()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FAZHI_SECRET_KEY", "FAZHI_AUDIT_KEY")}
    env["FAZHI_INSTANCE"] = str(instance)
    return lambda *args: subprocess.run([sys.executable, "-m", "fazhi_exam", *args], capture_output=True,
                                        text=True, env=env)


def test_upgrade_from_the_unkeyed_chain(tmp_path):
    cli = _legacy_instance(tmp_path, tamper=False)
    upgraded = cli("init-db")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "已生成审计密钥" in upgraded.stdout and "封存 3 条旧审计记录" in upgraded.stdout
    verified = cli("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert cli("init-db").returncode == 0 and cli("audit", "verify").returncode == 0  # again: nothing to do


def test_upgrade_leaves_a_tampered_unkeyed_chain_unsealed(tmp_path):
    cli = _legacy_instance(tmp_path, tamper=True)
    upgraded = cli("init-db")
    assert upgraded.returncode == 0, upgraded.stderr  # the database is upgraded all the same
    assert "未封存" in upgraded.stderr and "第 2 条记录的内容被修改" in upgraded.stderr
    verified = cli("audit", "verify")
    assert verified.returncode == 1 and "第 1 条记录没有密钥封存" in verified.stderr
    again = cli("init-db")  # a later init-db never seals on its own
    assert again.returncode == 0 and "audit seal-legacy" in again.stderr


def test_audit_page_for_town_admin_only(app, client, auth, make_user, town):
    make_user("admin", roles={"admin"})
    make_user("cunguan", roles={"admin"}, unit="王庄村", scope="王庄村")
    auth.login("admin", "wrong")
    auth.login("admin")
    page = client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "登录失败" in page and "哈希链校验通过" in page and "审计锚点 " in page
    auth.logout()
    auth.login("cunguan")
    assert client.get("/admin/audit").status_code == 403


def test_audit_page_without_the_key_says_so(app, client, auth, make_user, town):
    make_user("admin", roles={"admin"})
    auth.login("admin")
    app.config["AUDIT_KEY"] = None
    page = client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "缺少审计密钥" in page

