"""The banks shipped in question_banks/, loaded by seed-demo (again: duplicates are skipped)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .. import shipped_dir
from ..errors import ValidationError
from ..models import User
from . import importing


@dataclass
class Loaded:
    bank: str
    created: int
    skipped: int


def shipped_files():
    return sorted(shipped_dir("question_banks").glob("*.yaml"))


def load_shipped_banks(actor: User | None = None,
                       commit: Callable[[], None] | None = None) -> list[Loaded]:
    """`commit`: write in committed batches (importing.import_steps), not in the caller's transaction."""
    loaded = []
    for path in shipped_files():
        report = importing.check_file(path.name, path.read_bytes())
        if not report.ok:
            raise ValidationError(f"随项目发布的题库 {path.name} 有错误：{report.problems[0]}")
        report = importing.import_file(actor, path.name, path.read_bytes(), commit=commit)
        if commit:
            commit()
        loaded.append(Loaded(report.bank_name, report.created, len(report.duplicates)))
    return loaded
