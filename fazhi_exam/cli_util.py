"""Small helpers shared by the CLI command modules."""
from __future__ import annotations

import sys
from functools import wraps

import click

from .database import set_write_intent


def writes(f):
    """CLI commands write (database.py: each transaction takes SQLite's write lock at its first
    write, so reading and parsing a file first holds no lock)."""

    @wraps(f)
    def wrapper(*args, **kwargs):
        set_write_intent(True)
        return f(*args, **kwargs)

    return wrapper


def fail(message: str, code: int = 1):
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)
