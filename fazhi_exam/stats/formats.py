"""How figures are written everywhere (pages, exports, the report): a rate of exactly 100 % as
"100%", any other with one decimal place ("93.3%"), never rounded up to look like 100 % (99.96 % is
"99.9%"); a missing rate as "—"."""
from __future__ import annotations


def percent(rate: float | None) -> str:
    if rate is None:
        return "—"
    if abs(rate - 1) < 1e-12:
        return "100%"
    shown = f"{rate * 100:.1f}"
    if rate < 1 and shown == "100.0":
        shown = "99.9"
    return f"{shown}%"


def score(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".removesuffix(".0")


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
