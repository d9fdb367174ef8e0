"""Closing a year (归档, DESIGN §5). Closing takes a snapshot of everything the year's pages say —
for the whole town and for each org unit a village admin may be limited to: the summary behind the
dashboard, the API and the report's sentences and tables; the .xlsx export, each table as .csv, and
the report .docx, as the bytes they were. From then on every read of that year comes from the
snapshot (`view`, `export_bytes`, `docx`), so it stays byte-identical whatever happens to rosters,
names or records later; closed_years.py refuses the acts that would change the year's records
until an admin reopens it with a reason. Reopening and closing again takes a new snapshot."""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import audit, clock
from ..closed_years import live_closure
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import OrgUnit, User, YearClosure, YearSnapshot
from ..models.archive import REASON_MAX
from . import export, item_store, report, report_docx, study, year
from .study import AttendanceTotals
from .year_plain import from_plain, to_plain, totals_from_plain, totals_to_plain

TOWN = ""  # the scope key of the whole town


@dataclass
class YearView:
    """What the year's pages read: live, or from a closed year's snapshot (closure set)."""

    year: int
    scope: str | None
    summary: year.YearSummary
    months: list[tuple[int, int, int]]  # (month, expected, present)
    unit_attendance: list[AttendanceTotals]
    planned: int
    unit_name: str  # the name the report goes under
    generated_at: datetime
    closure: YearClosure | None = None


def _live(year_: int, scope: str | None) -> YearView:
    return YearView(year_, scope, year.summary(year_, scope), study.attendance_by_month(year_, scope),
                    study.attendance_by_unit(year_, scope), year.planned_sessions(year_), report.unit_name(scope),
                    clock.now())


def _key(scope: str | None) -> str:
    return TOWN if scope is None else scope


def _part(closure: YearClosure, scope: str | None, name: str) -> bytes:
    content = db.session.scalar(select(YearSnapshot.content).where(
        YearSnapshot.closure_id == closure.id, YearSnapshot.scope == _key(scope), YearSnapshot.name == name))
    if content is None:
        raise NotFound(f"{closure.year}年已归档；归档时本单位还没有村级管理员账号，没有保存本单位的归档数据。"
                       "请向镇管理员索取全镇的归档数据，或请其重新打开并再次归档该年度。")
    return content


def view(year_: int, scope: str | None) -> YearView:
    closure = live_closure(year_)
    if closure is None:
        return _live(year_, scope)
    d = json.loads(zlib.decompress(_part(closure, scope, "year.json")))
    return YearView(year_, scope, from_plain(d["summary"]), [tuple(m) for m in d["months"]],
                    totals_from_plain(d["unit_attendance"]), d["planned"], d["unit_name"], closure.closed_at,
                    closure)


def export_bytes(year_: int, scope: str | None, table: str | None = None) -> bytes:
    """The year's .xlsx (every table), or one table as .csv."""
    closure = live_closure(year_)
    if closure is not None:
        content = _part(closure, scope, f"{table}.csv" if table else "export.xlsx")
        return zlib.decompress(content) if table else content
    summary = year.summary(year_, scope)
    return export.csv_table(summary, table) if table else export.xlsx_bytes(summary)


def docx(year_: int, scope: str | None) -> tuple[bytes, str]:
    """The report .docx and the unit name it goes under."""
    closure = live_closure(year_)
    if closure is not None:
        return _part(closure, scope, "report.docx"), view(year_, scope).unit_name
    v = _live(year_, scope)
    return report_docx.docx_bytes(v.summary, v.unit_name, generated_at=v.generated_at), v.unit_name


# --- closing and reopening ----------------------------------------------------------------------

def _snapshot(year_: int, scope: str | None, at: datetime, items: list[list]) -> dict[str, bytes]:
    v = _live(year_, scope)
    v.generated_at = at
    plain = {"summary": to_plain(v.summary), "months": v.months, "unit_attendance": totals_to_plain(v.unit_attendance),
             "planned": v.planned, "unit_name": v.unit_name}
    tables = {key: list(export.table_rows(v.summary, key, items=items))  # each read once
              for key in export.tables_for(scope)}
    parts = {"year.json": zlib.compress(json.dumps(plain, ensure_ascii=False, sort_keys=True).encode()),
             "export.xlsx": export.xlsx_bytes(v.summary, tables=tables),
             "report.docx": report_docx.docx_bytes(v.summary, v.unit_name, generated_at=at)}
    for key in tables:
        parts[f"{key}.csv"] = zlib.compress(export.csv_table(v.summary, key, tables=tables))
    return parts


def scopes() -> list[str | None]:
    """The whole town, and each unit a village admin (a staff account limited to a unit) reads."""
    units = select(OrgUnit.path).join(User, User.scope_org_unit_id == OrgUnit.id).where(User.active.is_(True))
    return [None, *sorted(set(db.session.scalars(units)))]


def close_year(actor: User | None, year_: int) -> YearClosure:
    this_year = clock.now().astimezone(clock.BEIJING).year
    if year_ > this_year:
        raise ValidationError(f"{year_}年还没有到，不能归档。")
    if live_closure(year_) is not None:
        raise Conflict(f"{year_}年已经归档。", code="year_closed")
    now = clock.now()
    # Everything is read and built first, holding no lock (an exam may be running: its saves must not
    # wait); then one short write transaction stores the closure, its parts and the item analyses.
    town = year.summary(year_, None)
    # Worked out meanwhile in threads of their own; kept below, in the closing's write.
    ahead = item_store.analyses_ahead([line.exam for line in town.exams], store=False)
    items: list[list] = []
    parts: list[tuple[str | None, dict[str, bytes]]] = []
    for scope in [*scopes()[1:], None]:  # the town last: its item analysis sheet is ready by then
        if scope is None:
            items = list(export.item_rows(town, ahead))  # the same for every scope
        parts.append((scope, _snapshot(year_, scope, now, items)))
    if live_closure(year_) is not None:  # closed by someone else meanwhile
        raise Conflict(f"{year_}年已经归档。", code="year_closed")
    closure = YearClosure(year=year_, closed_at=now, closed_by_id=actor.id if actor else None,
                          closed_by_name=(actor.name if actor else "命令行")[:100])
    db.session.add(closure)
    db.session.flush()
    for scope, snapshot in parts:
        db.session.add_all(YearSnapshot(closure_id=closure.id, scope=_key(scope), name=name, content=content)
                           for name, content in snapshot.items())
    db.session.flush()
    for worked in ahead.result():
        item_store.keep(worked)
    audit.record("year_closed", actor=actor, target=f"{year_}年", details={"year": year_, "closure": closure.id})
    return closure


def reopen_year(actor: User | None, year_: int, reason: str | None) -> YearClosure:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("请填写重新打开的原因（将记入审计日志）。")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"原因不能超过 {REASON_MAX} 个字。")
    closure = live_closure(year_)
    if closure is None:
        raise Conflict(f"{year_}年没有归档，无需重新打开。", code="year_open")
    closure.reopened_at, closure.reopen_reason = clock.now(), reason
    closure.reopened_by_id = actor.id if actor else None
    db.session.flush()
    audit.record("year_reopened", actor=actor, target=f"{year_}年",
                 details={"year": year_, "closure": closure.id, "reason": reason})
    return closure


def history(year_: int | None = None) -> list[YearClosure]:
    stmt = select(YearClosure).order_by(YearClosure.year.desc(), YearClosure.id.desc())
    if year_ is not None:
        stmt = stmt.where(YearClosure.year == year_)
    return list(db.session.scalars(stmt))
