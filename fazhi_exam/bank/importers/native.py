"""The native format (DESIGN §7): YAML or JSON, one bank per file, as in question_banks/."""
from __future__ import annotations

import json
from typing import Any

import yaml

from .base import FormatError, ParsedQuestion, ParseProblem, ParseResult, parse_judge, parse_letters


class _NoAliasLoader(yaml.SafeLoader):
    """Anchors and aliases let a small file expand into a huge tree; banks never need them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("不允许使用 YAML 别名（*引用）")
        return super().compose_node(parent, index)


def load(content: bytes, filename: str) -> Any:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError("文件不是 UTF-8 编码") from exc
    try:
        if filename.lower().endswith(".json"):
            return json.loads(text)
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, json.JSONDecodeError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FormatError(f"文件格式有误{('（' + where + '）') if where else ''}：{detail}") from exc


TYPE_WORDS = {"single": "single", "单选": "single", "单选题": "single", "multiple": "multiple",
              "多选": "multiple", "多选题": "multiple", "judge": "judge", "判断": "judge",
              "判断题": "judge", "fill": "fill", "填空": "fill", "填空题": "fill", "essay": "essay",
              "简答": "essay", "简答题": "essay", "案例分析": "essay"}


def _answer(qtype: str, raw: Any) -> Any:
    if qtype in ("single", "multiple"):
        return parse_letters(str(raw)) if raw not in (None, "") else None
    if qtype == "judge":
        return raw if isinstance(raw, bool) else parse_judge(str(raw))
    if qtype == "fill":
        if isinstance(raw, list):
            return [[str(x) for x in (v if isinstance(v, list) else [v])] for v in raw]
        return None
    return raw if isinstance(raw, str) else None


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def parse(content: bytes, filename: str) -> ParseResult:
    data = load(content, filename)
    if isinstance(data, list):
        data = {"questions": data}
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise FormatError("文件中应有 questions 列表（见题库格式说明）")
    result = ParseResult(bank_name=str(data["bank"]).strip() if data.get("bank") else None,
                         description=str(data.get("description") or ""))
    if "practice" in data:
        if isinstance(data["practice"], bool):
            result.practice_open = data["practice"]
        else:
            result.problems.append(ParseProblem("", "practice 应为 true（允许练习）或 false（不允许练习）"))
    for i, raw in enumerate(data["questions"], 1):
        where = f"第 {i} 题"
        if not isinstance(raw, dict):
            result.problems.append(ParseProblem(where, "应为一道题的各项字段"))
            continue
        qtype = TYPE_WORDS.get(str(raw.get("type", "")).strip().lower())
        if qtype is None:
            result.problems.append(ParseProblem(where, f"未知题型“{raw.get('type')}”"))
            continue
        difficulty = raw.get("difficulty", 3)
        result.questions.append(ParsedQuestion(
            type=qtype,
            stem=str(raw.get("stem") or "").strip(),
            options=_strings(raw.get("options")),
            answer=_answer(qtype, raw.get("answer")),
            explanation=str(raw.get("explanation") or "").strip(),
            basis=str(raw.get("basis") or "").strip(),
            difficulty=difficulty if isinstance(difficulty, int) and not isinstance(difficulty, bool) else -1,
            tags=[t.strip() for t in _strings(raw.get("tags")) if t.strip()],
            grading_points=_strings(raw.get("grading_points")),
            where=where,
        ))
    return result
