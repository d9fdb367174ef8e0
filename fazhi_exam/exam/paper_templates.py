"""Ready-made papers shipped with the banks (question_banks/papers/*.yaml, exam definition files of
DESIGN §6): seed-demo loads each as a draft exam, its window moved to the future if the file's has
passed, for a trainer to set the real time and publish."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from .. import clock, shipped_dir
from ..bank.importers.native import load
from ..extensions import db
from ..models import Exam
from .assembly import held_back_note
from .definitions import create_exam, parse_spec


def template_files() -> list[Path]:
    return sorted((shipped_dir("question_banks") / "papers").glob("*.yaml"))


def load_templates() -> list[str]:
    """Create the draft exams missing (by title); returns a line per template for the command's output."""
    existing = set(db.session.scalars(select(Exam.title)))
    lines = []
    for path in template_files():
        spec = parse_spec(load(path.read_bytes(), path.name))
        if spec.title in existing:
            continue
        now = clock.now()
        if spec.closes_at <= now:  # keep the time of day and the length; move to four weeks from now
            shift = timedelta(days=(now - spec.opens_at).days + 28)
            spec.opens_at, spec.closes_at = spec.opens_at + shift, spec.closes_at + shift
        exam = create_exam(None, spec, publish=False)
        note = held_back_note(exam)
        line = f"试卷模板“{exam.title}”已载入为草稿（满分 {exam.total_points:g}）"
        lines.append(f"{line}；{note}" if note else line)
    return lines
