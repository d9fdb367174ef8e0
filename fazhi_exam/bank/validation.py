"""Checks every question must pass, whatever file or form it came from."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from .importers.base import ParsedQuestion
from .types import MAX_TEXT, REGISTRY

MAX_TAGS, MAX_TAG = 12, 30


def question_problems(q: ParsedQuestion) -> list[str]:
    qtype = REGISTRY.get(q.type)
    if qtype is None:
        return [f"未知题型“{q.type}”（可选：单选、多选、判断、填空、简答）"]
    problems = qtype.validate(q.stem or "", q.options or [], q.answer)
    if not isinstance(q.difficulty, int) or not 1 <= q.difficulty <= 5:
        problems.append("难度应为 1–5 的整数")
    if len(q.explanation or "") > MAX_TEXT:
        problems.append(f"解析超过 {MAX_TEXT} 字")
    if len(q.basis or "") > 500:
        problems.append("法律依据超过 500 字")
    if len(q.tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in q.tags):
        problems.append(f"标签最多 {MAX_TAGS} 个，每个不超过 {MAX_TAG} 字")
    if len(q.title or "") > 255:
        problems.append("题目名称超过 255 字")
    if q.option_feedback:
        slots = 2 if q.type == "judge" else len(q.options or [])
        if q.type not in ("single", "multiple", "judge") or len(q.option_feedback) != slots:
            problems.append(f"选项反馈应与选项一一对应（{slots} 条）" if slots else "这种题型没有选项反馈")
        elif any(not isinstance(f, str) or len(f) > MAX_TEXT for f in q.option_feedback):
            problems.append(f"选项反馈每条不超过 {MAX_TEXT} 字")
    return problems


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"[\s\W_]+", "", text)


def dedupe_key(stem: str, options: list[str]) -> str:
    """Same normalised stem and the same options (in any order) → the same question."""
    key = _norm(stem) + "\x1f" + "\x1f".join(sorted(_norm(o) for o in options))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
