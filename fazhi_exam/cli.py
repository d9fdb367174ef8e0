"""The `fazhi-exam` command group (also `flask --app fazhi_exam ...`)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .cli_util import fail, writes
from .extensions import db


@click.command("init-db")
@with_appcontext
@writes
def init_db_command():
    """创建或升级数据库（运行迁移），并在实例目录中生成密钥和审计密钥。"""
    from flask_migrate import upgrade

    from . import config as cfg
    from .accounts.orgs import ensure_default_cohorts
    from .audit import keys
    from .bank.laws import ensure_laws
    from .errors import DomainError

    if cfg.write_secret_key(current_app.instance_path):
        click.echo(f"已生成密钥：{Path(current_app.instance_path) / cfg.SECRET_KEY_FILE}")
    try:
        audit_key_created = keys.current_key() is None and cfg.write_audit_key(current_app.instance_path)
    except DomainError as exc:
        fail(exc.message)
    if audit_key_created:
        click.echo(f"已生成审计密钥：{keys.key_path()}（请与数据库分开备份；丢失后无法校验审计日志）")
    upgrade()
    _seal_legacy_audit(audit_key_created)
    ensure_default_cohorts()
    ensure_laws()
    db.session.commit()
    click.echo(f"数据库已就绪：{db.engine.url.render_as_string(hide_password=True)}")


def _seal_legacy_audit(key_just_created: bool) -> None:
    """After an upgrade from the unkeyed audit chain: seal it, but only in the run that created
    the key (see audit/chain.py for why never later on its own)."""
    from .audit import chain, keys

    sealed_by = chain.sealing_key_id()
    if key_just_created and sealed_by is not None:
        # The database was sealed by a key that is not here (a restored database, a lost file):
        # a new key would fork the chain silently. Take it back and make the operator decide.
        keys.key_path().unlink()
        fail(f"审计日志已由密钥 {sealed_by} 封存，但找不到这把密钥：请把原来的 audit_key 放回 "
             f"{keys.key_path()}，或设置 FAZHI_AUDIT_KEY。未生成新密钥。若密钥确已丢失，可自行把新的随机"
             "密钥写入该文件（此后旧记录无法再校验）。")
    if not chain.has_legacy_rows():
        return
    if not key_just_created:
        click.echo("提示：审计日志中有尚未用密钥封存的旧记录。若本实例刚从旧版本升级，"
                   "请运行 `fazhi-exam audit seal-legacy`。", err=True)
        return
    try:
        count = chain.seal_legacy()
    except chain.ChainBroken as exc:
        db.session.rollback()
        click.echo(f"警告：{exc.message}", err=True)
        return
    db.session.commit()
    click.echo(f"已用审计密钥封存 {count} 条旧审计记录。")


@click.command("seed-demo")
@with_appcontext
@writes
def seed_demo_command():
    """加载演示数据（大张楼镇）；重复运行不会重复添加。"""
    from .accounts.demo import DEMO_ACCOUNTS, seed_demo, seed_demo_departures
    from .bank.laws import ensure_laws
    from .bank.shipped import load_shipped_banks
    from .exam.demo import seed_demo_exams

    # Committed part by part (banks in batches, exams attempt by attempt): a server already running
    # on this database keeps answering and saving while the demo is loaded.
    result = seed_demo()
    ensure_laws()
    db.session.commit()
    banks = load_shipped_banks(commit=db.session.commit)
    exams = seed_demo_exams(commit=db.session.commit)
    from .exam.paper_templates import load_templates

    templates = load_templates()
    db.session.commit()
    from .study.demo import seed_demo_programme, seed_demo_study

    sessions = seed_demo_study()
    seed_demo_programme()
    seed_demo_departures()
    db.session.commit()
    added = sum(b.created for b in banks)
    click.echo(f"题库已就绪：{len(banks)} 个题库，本次新增试题 {added} 道。")
    click.echo(f"考试已就绪：本次新增演示考试 {exams} 场（含答卷与成绩）。")
    for line in templates:
        click.echo(line)
    click.echo(f"学法计划已就绪：本次新增学习场次 {sessions} 场（含出勤记录，今天有一场可签到）。")
    click.echo(f"演示数据已就绪（本次新增用户 {result['users_added']} 名）。演示账号：")
    for acc in DEMO_ACCOUNTS:
        click.echo(f"  {acc.username:<12} 密码 {acc.password:<14} {acc.note}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--processes", default=1, show_default=True, type=int,
              help="服务进程数（多核服务器可设为核数，SQLite 也可以）")
@click.option("--threads", default=8, show_default=True, type=int, help="每个进程处理请求的线程数")
@click.option("--connection-limit", default=1000, show_default=True, type=int,
              help="每个进程同时保持的连接数上限（每部手机考试时保持一条长连接）")
@click.option("--channel-timeout", default=60, show_default=True, type=int,
              help="连接空闲多少秒后关闭")
@with_appcontext
def serve_command(host: str, port: int, processes: int, threads: int, connection_limit: int, channel_timeout: int):
    """用 waitress 生产级 WSGI 服务器运行（按一个考场 500 部以上手机配置）。"""
    import waitress

    app = current_app._get_current_object()
    if not app.config.get("SECRET_KEY"):
        fail("缺少密钥：请先运行 `fazhi-exam init-db`，或设置 FAZHI_SECRET_KEY。")
    if min(processes, threads, connection_limit, channel_timeout) < 1:
        fail("--processes、--threads、--connection-limit 和 --channel-timeout 须为正整数。")
    allowed = _open_files_for(connection_limit)
    if allowed < connection_limit:
        click.echo(f"注意：系统只允许本进程打开 {allowed} 个文件，连接数上限降为 {allowed}"
                   "（可用 ulimit -n 调高）。", err=True)
        connection_limit = allowed
    options = {"threads": threads, "ident": "fazhi-exam", "connection_limit": connection_limit,
               "channel_timeout": channel_timeout,
               "asyncore_use_poll": True}  # poll(): select() stops at 1024 open connections
    click.echo(f"法治学考已启动：http://{host}:{port}/ （按 Ctrl+C 停止；{processes} 个进程 × {threads} 个线程，"
               f"每个进程最多 {connection_limit} 个连接）")
    if processes == 1:
        waitress.serve(app, host=host, port=port, **options)
    else:
        _serve_forked(app, host, port, processes, options)


def _serve_forked(app, host: str, port: int, processes: int, options: dict) -> None:
    """Several waitress processes accepting on one listening socket (as gunicorn's workers do): each
    has its own interpreter, so a busy one (a large import) does not slow the others' requests."""
    import os
    import signal
    import socket

    import waitress

    listener = socket.create_server((host, port), backlog=2048, reuse_port=False)
    listener.set_inheritable(True)
    db.engine.dispose(close=False)  # no connection crosses the fork
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:  # a worker
            try:
                waitress.serve(app, sockets=[listener], **options)
            finally:
                os._exit(0)
        children.append(pid)

    def stop(*_args):
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    try:
        for child in children:
            os.waitpid(child, 0)
    except KeyboardInterrupt:
        stop()


SPARE_FILES = 64  # the database, its WAL, logs, uploads


def _open_files_for(connections: int) -> int:
    """Raise this process's open-file limit towards what `connections` need (up to the hard limit);
    returns how many connections it allows."""
    try:
        import resource
    except ImportError:  # not on Linux/Unix: nothing to raise
        return connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return connections if soft == resource.RLIM_INFINITY else min(connections, soft - SPARE_FILES)


@click.command("create-user")
@click.option("--username", required=True, help="用户名或手机号")
@click.option("--name", required=True, help="姓名")
@click.option("--password", required=True, help="初始密码")
@click.option("--role", "roles", multiple=True, default=["learner"], show_default=True,
              type=click.Choice(["learner", "trainer", "admin"]))
@click.option("--unit", default="", help="所属单位名称（如 王庄村 或 大张楼镇/王庄村）")
@click.option("--cohort", "cohorts", multiple=True, help="人员类别，可多次给出")
@click.option("--must-change/--no-must-change", default=True, show_default=True,
              help="首次登录是否须修改密码")
@click.option("--joined", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="入册日期 YYYY-MM-DD：从哪天起属于该单位和人员类别（默认今天）")
@with_appcontext
@writes
def create_user_command(username, name, password, roles, unit, cohorts, must_change, joined):
    """新建一个用户。"""
    from .accounts.orgs import find_unit_by_name
    from .accounts.users import UserFields, cohorts_by_name, create_user
    from .errors import DomainError

    org_unit = None
    if unit:
        found = find_unit_by_name(unit)
        if len(found) != 1:
            fail(f"找不到唯一的单位“{unit}”。")
        org_unit = found[0]
    chosen, missing = cohorts_by_name(cohorts)
    if missing:
        fail(f"未知的人员类别：{'、'.join(missing)}")
    try:
        user = create_user(None, UserFields(username=username, name=name, org_unit=org_unit,
                                            cohorts=chosen, roles=set(roles)),
                           password, must_change_password=must_change,
                           effective=joined.date() if joined else None)
    except DomainError as exc:
        db.session.rollback()
        fail(exc.message)
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{user.name}），角色：{user.role_labels}")


@click.group("users")
def users_group():
    """用户管理。"""


@users_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查并预览，不写入")
@with_appcontext
@writes
def users_import_command(file: Path, dry_run: bool):
    """从 .xlsx 或 .csv 批量导入用户（有任何错误则全部不导入）。"""
    from .accounts import user_import

    content = file.read_bytes()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit and len(content) > limit:
        fail(f"文件 {file} 太大（上限 {limit // 1024 // 1024} MB）。")
    report = user_import.check_file(None, file.name, content)
    if not report.ok:
        for error in report.errors:
            click.echo(f"{file}：{error}", err=True)
        fail(f"文件 {file} 有 {len(report.errors)} 处错误，未导入任何人员。")
    if dry_run:
        for row in report.rows[:20]:
            click.echo(f"  第 {row.row} 行：{row.fields.name} {row.fields.username} "
                       f"{row.unit_label} 入册日期 {row.effective or '导入当天'}")
        click.echo(f"检查通过：将导入 {len(report.rows)} 名人员（--dry-run，未写入）。")
        return
    with click.progressbar(length=len(report.rows), label="导入中") as bar:
        report = user_import.apply_file(None, file.name, content, commit=db.session.commit,
                                        progress=lambda done, total: bar.update(1))
    db.session.commit()
    click.echo(f"已导入 {report.created} 名人员。")


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(output: Path):
    """备份数据库：SQLite 使用在线备份（服务运行中也安全）。"""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        fail("当前使用 PostgreSQL，请用 pg_dump 备份，例如：\n"
             "  pg_dump --format=custom --file=fazhi_exam.dump \"$DATABASE_URL\"\n"
             "恢复：pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" fazhi_exam.dump",
             code=2)
    if output.exists():
        fail(f"目标文件 {output} 已存在，为避免覆盖，请换一个文件名。")
    output.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(output)
    try:
        with target:
            source.backup(target)
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if check != "ok":
        fail(f"备份文件校验失败：{check}")
    click.echo(f"已备份到 {output}（{output.stat().st_size // 1024} KB，完整性校验通过）。")


def register_commands(app: Flask) -> None:
    from .accounts.roster_cli import COMMANDS as ROSTER_COMMANDS
    from .audit.cli import audit_group
    from .bank.cli import bank_group
    from .exam.cli import attempts_group, exam_group
    from .stats.archive_cli import year_group
    from .stats.cli import stats_group
    from .stats.report_cli import report_command
    from .study.cli import study_group

    for command in ROSTER_COMMANDS:
        users_group.add_command(command)
    for command in [init_db_command, seed_demo_command, serve_command, create_user_command,
                    users_group, audit_group, backup_command, bank_group, exam_group,
                    attempts_group, study_group, stats_group, report_command, year_group]:
        app.cli.add_command(command)


def _create_app(*_args, **_kwargs):
    from . import create_app

    return create_app()


cli = FlaskGroup(create_app=_create_app, add_default_commands=True,
                 help="法治学考 命令行工具。")


def main() -> None:
    cli(prog_name="fazhi-exam")
