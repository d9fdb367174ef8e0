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
