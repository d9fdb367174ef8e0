"""Integers from URLs, query strings and forms, kept to what the database can hold: an id past
the column's range is simply not there (404), a number past it is ignored, never a 500."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER; SQLite holds more, but one rule for both
_DIGITS = re.compile(r"[+-]?[0-9]{1,12}")  # ASCII digits only: "①".isdigit() is True, int("①") fails


def to_int(value: Any) -> int | None:
    """An int within the column range, or None (not a number, or out of range)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if -INT_MAX <= number <= INT_MAX else None


def bounded_int(value: Any) -> int:
    """For MultiDict.get(type=...): ValueError makes get() return its default."""
    number = to_int(value)
    if number is None:
        raise ValueError(f"not an integer in range: {value!r}")
    return number


def int_list(values: Iterable[str]) -> list[int]:
    return [n for n in map(to_int, values) if n is not None and n > 0]


class BoundedParams(ImmutableMultiDict):
    """request.args / request.form: .get(name, type=int) answers None (or the default) for a
    number the database could not hold, instead of passing it on to a query."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's signature)
        return super().get(key, default, bounded_int if type is int else type)


class AppRequest(Request):
    parameter_storage_class = BoundedParams


class IdConverter(IntegerConverter):
    """<int:...> in every route: digits only and at most INT_MAX, else no match (404)."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = INT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install(app: Flask) -> None:
    app.request_class = AppRequest
    app.url_map.converters["int"] = IdConverter
