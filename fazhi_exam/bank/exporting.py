"""Exporting a bank: the questions' current versions, in one of the formats."""
from __future__ import annotations

from importlib import import_module

from sqlalchemy import select

from ..extensions import db
from ..models import Question, QuestionVersion
from .questions import as_parsed, bank_by_name

FORMATS = {"xlsx": ("excel", ".xlsx"), "yaml": ("native", ".yaml"), "gift": ("gift", ".gift"),
           "moodle": ("moodle_xml", ".xml")}
MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "yaml": "application/x-yaml", "gift": "text/plain", "moodle": "application/xml"}


def export_bank(name: str, fmt: str, *, include_retired: bool = False) -> tuple[bytes, int]:
    """(file, questions written); a format that leaves some out lists them in the file (left_out)."""
    content, count, _out = export_bank_listing(name, fmt, include_retired=include_retired)
    return content, count


def export_bank_listing(name: str, fmt: str, *, include_retired: bool = False) -> tuple[bytes, int, list[str]]:
    """(file, questions written, one line per question left out and why)."""
    bank = bank_by_name(name)
    stmt = (select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.bank_id == bank.id).order_by(Question.id))
    if not include_retired:
        stmt = stmt.where(Question.status != "retired")
    questions = [as_parsed(v) for v in db.session.scalars(stmt)]
    module = import_module(f"{__package__}.exporters.{FORMATS[fmt][0]}")
    if fmt == "yaml":
        return (module.export(questions, bank=bank.name, description=bank.description,
                              practice_open=bank.practice_open), len(questions), [])
    out = module.skipped(questions) if hasattr(module, "skipped") else []
    return module.export(questions, bank=bank.name), len(questions) - len(out), out
