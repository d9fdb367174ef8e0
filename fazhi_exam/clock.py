"""The one seam for time: everything that needs 'now' asks here, tests move it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """Current time as an aware UTC datetime."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def freeze(at: datetime) -> None:
    global _frozen
    _frozen = at if at.tzinfo else at.replace(tzinfo=UTC)


def advance(delta: timedelta) -> None:
    global _frozen, _offset
    if _frozen is not None:
        _frozen += delta
    else:
        _offset += delta


def reset() -> None:
    global _frozen, _offset
    _frozen, _offset = None, timedelta(0)


BEIJING = timezone(timedelta(hours=8), "北京时间")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """A calendar year in Beijing time, as UTC instants [start, end)."""
    return (datetime(year, 1, 1, tzinfo=BEIJING).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=BEIJING).astimezone(UTC))


# --- the one way times and dates are written for people (Beijing time, never seconds) -------------
# Tables and forms: 2026-12-04 21:00 / 2026-12-04; official documents and letters: 2026年12月4日;
# within one year's report or notice: 12月4日. Only the audit log shows seconds (to_second).


def _local(at: datetime) -> datetime:
    return at.astimezone(BEIJING)


def minute(at: datetime | None) -> str:
    return _local(at).strftime("%Y-%m-%d %H:%M") if at else ""


def to_second(at: datetime | None) -> str:
    return _local(at).strftime("%Y-%m-%d %H:%M:%S") if at else ""


def day(at: datetime | None) -> str:
    return _local(at).strftime("%Y-%m-%d") if at else ""


def time_of_day(at: datetime | None) -> str:
    return _local(at).strftime("%H:%M") if at else ""


def cn_day(at: datetime | None) -> str:
    if at is None:
        return ""
    d = _local(at)
    return f"{d.year}年{d.month}月{d.day}日"


def cn_month_day(at: datetime | None) -> str:
    if at is None:
        return ""
    d = _local(at)
    return f"{d.month}月{d.day}日"
