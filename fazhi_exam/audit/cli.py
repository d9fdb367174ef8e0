"""`fazhi-exam audit …`: verify the hash chain, take and check anchors, rotate the key, seal old rows."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli_util import fail, writes
from ..extensions import db


@click.group("audit")
def audit_group():
    """审计日志。"""


@audit_group.command("verify")
@click.option("--anchor", "anchors", multiple=True, metavar="锚点",
              help="`audit anchor` 打印的一行；可多次给出")
@click.option("--anchor-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="存有锚点的文件（每行一个，如 cron 追加的记录）")
@with_appcontext
def audit_verify_command(anchors: tuple[str, ...], anchor_file: Path | None):
    """校验审计日志的哈希链，报告第一处断裂；给出锚点时核对日志仍含锚点所记的记录。"""
    from .. import audit
    from ..audit import chain
    from ..errors import DomainError

    try:
        given = [a for text in anchors for a in chain.parse_anchors(text)]
        if anchor_file is not None:
            try:
                text = anchor_file.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                fail(f"锚点文件 {anchor_file} 不是 UTF-8 文本。")
            given += chain.parse_anchors(text)
        result = audit.verify()
    except DomainError as exc:
        fail(exc.message)
    if not result.ok:
        fail(f"审计日志已被篡改：{result.reason}（前 {result.checked} 条完好）。")
    click.echo(f"审计日志完整：共 {result.checked} 条记录，哈希链校验通过（密钥 {result.key_id}）。")
    failed = 0
    for anchor in given:
        ok, message = chain.check_anchor(anchor, result)
        click.echo(("锚点相符：" if ok else "锚点未通过：") + message, err=not ok)
        failed += not ok
    if failed:
        fail(f"{failed} 个锚点与审计日志不符。")


@audit_group.command("anchor")
@with_appcontext
def audit_anchor_command():
    """打印审计日志的锚点（一行）：请抄在纸质台账上或报送上级，日后用 verify --anchor 核对。"""
    from .. import audit
    from ..audit import chain
    from ..errors import DomainError

    try:
        result = audit.verify()
    except DomainError as exc:
        fail(exc.message)
    if not result.ok:
        fail(f"审计日志校验未通过，不能取锚点：{result.reason}（前 {result.checked} 条完好）。")
    click.echo(chain.anchor_line(result))


@audit_group.command("rotate-key")
@with_appcontext
@writes
def audit_rotate_key_command():
    """轮换审计密钥：校验整条日志后用新密钥重新封存，旧密钥另存为 audit_key.retired-日期-编号。"""
    from .. import audit, clock
    from ..audit import chain, keys
    from ..errors import DomainError

    try:
        rotation = chain.rotate_key()
        retired = keys.install(rotation.new, rotation.old, clock.now())
        try:
            db.session.commit()
        except Exception:
            keys.reinstate(rotation.old)
            raise
    except DomainError as exc:
        db.session.rollback()
        fail(exc.message)
    click.echo(f"已轮换审计密钥：{rotation.old.id} → {rotation.new.id}，重新封存 {rotation.rows} 条记录；"
               f"旧密钥保存在 {retired}（用来核对以前的锚点，请勿删除）。")
    click.echo("新的锚点（请记下）：")
    click.echo(chain.anchor_line(audit.verify()))


@audit_group.command("seal-legacy")
@with_appcontext
@writes
def audit_seal_legacy_command():
    """升级后用审计密钥封存旧版本留下的无密钥记录（先按旧算法校验，通过才封存）。"""
    from .. import audit
    from ..audit import chain
    from ..errors import DomainError

    try:
        count = chain.seal_legacy()
    except DomainError as exc:
        db.session.rollback()
        fail(exc.message)
    db.session.commit()
    if not count:
        click.echo("没有需要封存的旧审计记录。")
        return
    click.echo(f"已用审计密钥封存 {count} 条旧审计记录。新的锚点（请记下）：")
    click.echo(chain.anchor_line(audit.verify()))
