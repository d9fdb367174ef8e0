"""Bulk user import from .xlsx / .csv: parse, check every row, then all or nothing."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, or_, select

from .. import audit, isolation
from ..closed_years import check_dated
from ..database import pause_for_waiters
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..files import read_table
from ..models import Cohort, User
from . import roster
from .auth import normalise_identifier
from .orgs import find_unit_by_name, unit_label
from .passwords import PASSWORD_HINT, hash_password, validate_new_password
from .scope import unit_in_scope
from .users import UserFields, clean_fields, create_user, identifier_taken

COLUMNS = ["姓名", "用户名或手机号", "单位", "人员类别", "角色", "初始密码", "入册日期"]
OPTIONAL = {"角色", "入册日期"}  # may be left out: everyone is a 学员, joining today
ALIASES = {
    "姓名": ["姓名", "名字"],
    "用户名或手机号": ["用户名或手机号", "用户名", "手机号", "手机号码", "账号", "登录名"],
    "单位": ["单位", "所属单位", "村", "村居", "部门"],
    "人员类别": ["人员类别", "类别", "人员类型"],
    "角色": ["角色"],
    "初始密码": ["初始密码", "密码"],
    "入册日期": ["入册日期", "调入日期", "加入日期", "生效日期"],
}
DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T ]00:00(?::00)?)?$")
ROLE_WORDS = {
    "学员": "learner", "learner": "learner",
    "培训管理员": "trainer", "培训员": "trainer", "trainer": "trainer",
    "管理员": "admin", "admin": "admin",
}
SEPARATORS = ["、", "，", ",", ";", "；", "/", "|"]


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "表头"
        col = f"「{self.column}」" if self.column else ""
        return f"{where}{col}：{self.message}"


@dataclass
class ImportRow:
    row: int
    fields: UserFields
    password: str
    unit_label: str
    effective: date | None = None  # 入册日期; None: the day of the import


@dataclass
class ImportReport:
    filename: str
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_day(text: str) -> date:
    """2023-07-10, 2023/7/10, 2023.7.10, 2023年7月10日, or an Excel date cell."""
    match = DAY.match(text.strip())
    if match is None:
        raise ValueError(text)
    return date(*(int(g) for g in match.groups()))


def split_list(text: str) -> list[str]:
    for sep in SEPARATORS[1:]:
        text = text.replace(sep, SEPARATORS[0])
    return [p.strip() for p in text.split(SEPARATORS[0]) if p.strip()]


def _column_map(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    found, errors = {}, []
    for column, names in ALIASES.items():
        idx = next((i for i, h in enumerate(header) if h in names), None)
        if idx is None:
            if column not in OPTIONAL:
                errors.append(RowError(0, column, f"缺少“{column}”列（模板的列为：{'、'.join(COLUMNS)}）。"))
        else:
            found[column] = idx
    return found, errors


class _Lookups:
    """What the rows of one file ask the database, asked once: a unit per name, a closed-year check per
    day, and whether the file's usernames and phones are taken, in batches (one query per row each
    made a 20,000-row roster take 15 s)."""

    BATCH = 500

    def __init__(self, identifiers: set[str]):
        self.units: dict[str, list] = {}
        self.days: dict[date, str | None] = {}
        self.checked, self.taken = set(identifiers), set()
        values = sorted(identifiers)
        for i in range(0, len(values), self.BATCH):
            chunk = values[i:i + self.BATCH]
            for username, phone in db.session.execute(select(User.username, User.phone).where(
                    or_(User.username.in_(chunk), User.phone.in_(chunk)))):
                self.taken.update({username, phone} & self.checked)

    def unit(self, name: str) -> list:
        if name not in self.units:
            self.units[name] = find_unit_by_name(name)
        return self.units[name]

    def identifier_taken(self, value: str) -> bool:
        return value in self.taken if value in self.checked else identifier_taken(value)

    def closed(self, day: date) -> str | None:
        if day not in self.days:
            try:
                check_dated(day, f"以 {day:%Y-%m-%d} 为入册日期导入人员")
                self.days[day] = None
            except Conflict as exc:
                self.days[day] = exc.message
        return self.days[day]


def check_file(actor: User | None, filename: str, content: bytes) -> ImportReport:
    """Parse and validate every row without writing anything."""
    report = ImportReport(filename)
    try:
        table = isolation.run(read_table, filename, content, what="人员名单") if isolation.enabled() \
            else read_table(filename, content)
    except ValidationError as exc:
        report.errors.append(RowError(0, "", exc.message))
        return report
    cols, report.errors = _column_map(table.header)
    if report.errors:
        return report
    cohorts = {c.name: c for c in db.session.scalars(select(Cohort))}
    at = cols["用户名或手机号"]
    lookups = _Lookups({normalise_identifier(cells[at]) for _, cells in table.rows if at < len(cells)} - {""})
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        def cell(column: str, cells=cells) -> str:
            idx = cols.get(column)
            return cells[idx].strip() if idx is not None and idx < len(cells) else ""

        errors = _check_row(actor, number, cell, cohorts, seen, report, lookups)
        report.errors.extend(errors)
    if not report.rows and not report.errors:
        report.errors.append(RowError(0, "", "文件中没有任何人员数据。"))
    return report


def _check_row(actor, number: int, cell: Callable[[str], str], cohorts, seen, report, lookups: _Lookups):
    errors = []

    def err(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    units = lookups.unit(cell("单位"))
    unit = None
    if not cell("单位"):
        err("单位", "单位不能为空。")
    elif not units:
        err("单位", f"找不到单位“{cell('单位')}”（请先在“单位管理”中添加，或检查名称）。")
    elif len(units) > 1:
        err("单位", f"有多个单位叫“{cell('单位')}”，请写成“镇名/村名”。")
    else:
        unit = units[0]
        if actor is not None and not unit_in_scope(actor, unit):
            err("单位", f"单位“{unit.name}”不在您管理的范围内。")
    chosen = []
    for name in split_list(cell("人员类别")):
        if name in cohorts:
            chosen.append(cohorts[name])
        else:
            err("人员类别", f"未知的人员类别“{name}”（可选：{'、'.join(cohorts)}）。")
    roles = set()
    for word in split_list(cell("角色")) or ["学员"]:
        role = ROLE_WORDS.get(word.lower())
        if role is None:
            err("角色", f"未知的角色“{word}”（可选：学员、培训管理员、管理员）。")
        else:
            roles.add(role)
    raw = UserFields(username=cell("用户名或手机号"), name=cell("姓名"), org_unit=unit,
                     cohorts=chosen, roles=roles or {"learner"},
                     scope_unit=unit if unit is not None and unit.kind == "village" else None)
    try:
        fields = clean_fields(raw)
    except ValidationError as exc:
        column = "姓名" if "姓名" in exc.message else "用户名或手机号"
        err(column, exc.message)
        return errors
    password = cell("初始密码")
    try:
        validate_new_password(password, username=fields.username, phone=fields.phone,
                              name=fields.name)
    except ValidationError as exc:
        err("初始密码", "初始密码不能为空。" if not password else exc.message)
    for value in filter(None, {fields.username, fields.phone}):
        if value in seen:
            err("用户名或手机号", f"“{value}”与第 {seen[value]} 行重复。")
        elif lookups.identifier_taken(value):
            err("用户名或手机号", f"“{value}”已被系统中的其他账号使用。")
        seen.setdefault(value, number)
    effective = None
    if cell("入册日期"):
        try:
            effective = parse_day(cell("入册日期"))
        except ValueError:
            err("入册日期", f"日期“{cell('入册日期')}”无法识别，请写成 2023-07-10 的形式。")
        else:
            if effective > roster.today():
                err("入册日期", f"入册日期 {effective:%Y-%m-%d} 晚于今天。")
    if not errors:
        closed = lookups.closed(effective or roster.today())
        if closed:
            err("入册日期", closed)
    if not errors:
        report.rows.append(ImportRow(number, fields, password, unit_label(unit), effective))
    return errors


BATCH = 20  # people written per committed batch: about 0.1 s of SQLite's write lock each


def apply_file(actor: User | None, filename: str, content: bytes,
               progress: Callable[[int, int], None] | None = None,
               commit: Callable[[], None] | None = None) -> ImportReport:
    """Check the file again and hash the initial passwords (reading only, no lock held), then create
    every user — in the caller's transaction, or with `commit` in committed batches of BATCH, so that
    SQLite's write lock is held for one batch at a time (database.py) while exam saves go on; if a
    batch fails, the people already written are removed again and the error raised.
    Raises ValidationError (nothing written) when any row is bad."""
    report = check_file(actor, filename, content)
    if not report.ok:
        raise ValidationError(f"文件有 {len(report.errors)} 处错误，未导入任何人员。")
    # one hash per distinct initial password in the file, all before the first write
    hashes = {password: hash_password(password) for password in dict.fromkeys(r.password for r in report.rows)}
    total, written, batch = len(report.rows), [], []
    try:
        for i, row in enumerate(report.rows, 1):
            batch.append(create_user(actor, row.fields, row.password, must_change_password=True,
                                     password_hash=hashes[row.password], effective=row.effective))
            if commit and (i % BATCH == 0 or i == total):
                db.session.flush()
                written += [user.id for user in batch]
                commit()
                pause_for_waiters(db.engine)
                batch = []
            if progress:
                progress(i, total)
    except BaseException:
        if written:
            db.session.rollback()
            _remove(actor, filename, written)
            commit()
        raise
    report.created = total
    audit.record("users_imported", actor=actor, target=filename,
                 details={"created": report.created})
    return report


def _remove(actor: User | None, filename: str, ids: list[int]) -> None:
    """Undo the batches of an import that failed half-way (new accounts; their roster rows, roles
    and cohorts go with them)."""
    for i in range(0, len(ids), 500):
        db.session.execute(delete(User).where(User.id.in_(ids[i:i + 500])).execution_options(synchronize_session=False))
    audit.record("users_import_undone", actor=actor, target=filename, details={"removed": ids})


def template_workbook() -> bytes:
    """The downloadable template, with two example rows and the rules on a second sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "人员名单"
    ws.append(COLUMNS)
    ws.append(["张三", "13800000001", "王庄村", "村干部、党员", "学员", "Zs@2024ab", "2023-07-10"])
    ws.append(["李四", "lisi", "司法所", "镇干部、行政执法人员", "学员、培训管理员", "Ls@2024ab", ""])
    for col, width in zip("ABCDEFG", (12, 18, 20, 28, 20, 14, 14), strict=True):
        ws.column_dimensions[col].width = width
    notes = wb.create_sheet("填写说明")
    for line in [
        "每行一人，第一行为表头，请勿修改表头。",
        "用户名或手机号：登录用，不能重复；填 11 位手机号时同时作为手机号。",
        "单位：须与系统中的单位名称一致；重名时写成“镇名/村名”。",
        "人员类别：可填多个，用顿号“、”分隔，如“村干部、党员”。",
        "角色：学员、培训管理员、管理员，可填多个；不填即为学员。",
        f"初始密码：{PASSWORD_HINT}首次登录时须修改。",
        "入册日期：此人从哪一天起属于该单位和人员类别（如 2023-07-10），统计按这一天起计入；"
        "不填即为导入当天，不能晚于今天。此列可以不要。",
        "整个文件有任何一行错误时，不导入任何人员，并列出每一处错误。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
