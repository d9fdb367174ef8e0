"""Export a bank in the native YAML format (the format of question_banks/)."""
from __future__ import annotations

from collections.abc import Iterable

import yaml

from ..importers.base import ParsedQuestion


def question_dict(q: ParsedQuestion) -> dict:
    item: dict = {"type": q.type, "stem": q.stem}
    if q.title:
        item = {"type": q.type, "title": q.title, "stem": q.stem}
    if q.options:
        item["options"] = list(q.options)
    item["answer"] = q.answer
    item["explanation"] = q.explanation
    item["basis"] = q.basis
    item["difficulty"] = q.difficulty
    item["tags"] = list(q.tags)
    if q.grading_points:
        item["grading_points"] = list(q.grading_points)
    if any(q.option_feedback):
        item["option_feedback"] = list(q.option_feedback)
    return item


def export(questions: Iterable[ParsedQuestion], *, bank: str, description: str = "",
           practice_open: bool = True) -> bytes:
    data: dict = {"bank": bank, "description": description}
    if not practice_open:  # only when closed, so files of open banks stay as they were
        data["practice"] = False
    data["questions"] = [question_dict(q) for q in questions]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).encode("utf-8")
