"""The native format (DESIGN §7): YAML or JSON, one bank per file, as in question_banks/."""
from __future__ import annotations

import json
import re
from collections.abc import Hashable
from types import GeneratorType
from typing import Any

import yaml

from ... import limits
from .base import FormatError, ParsedQuestion, ParseProblem, ParseResult, parse_judge, parse_letters

_PARSER = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


class _TooBig(Exception):
    pass


def _build(text: str) -> Any:
    """What yaml.safe_load gives, built straight from the parser's events in one pass.

    safe_load first composes a tree of nodes (several hundred bytes each, about twice the file's size
    in a 5 MB bank) and lets anchors and aliases expand a small file into a huge one. Here aliases are
    refused, no node tree is kept, and values and nesting are counted against the limits as they come."""
    resolver, constructor = yaml.resolver.Resolver(), yaml.constructor.SafeConstructor()
    stack: list[list] = []  # open collections: [list] or [dict, key, key seen]
    root: Any = None
    nodes = documents = 0

    def add(value: Any) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        top = stack[-1]
        if len(top) == 1:
            top[0].append(value)
        elif not top[2]:
            if not isinstance(value, Hashable):
                raise yaml.YAMLError("映射的键不能是列表或映射")
            top[1], top[2] = value, True
        else:
            top[0][top[1]] = value
            top[2] = False

    for event in yaml.parse(text, Loader=_PARSER):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.YAMLError("不允许使用 YAML 别名（*引用）")
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise yaml.YAMLError("文件中只能有一个 YAML 文档（不要用 --- 分隔多个）")
        elif isinstance(event, yaml.ScalarEvent | yaml.SequenceStartEvent | yaml.MappingStartEvent):
            nodes += 1
            if nodes > limits.MAX_NODES:
                raise _TooBig(nodes)
            collection = yaml.MappingNode if isinstance(event, yaml.MappingStartEvent) else yaml.SequenceNode
            kind = yaml.ScalarNode if isinstance(event, yaml.ScalarEvent) else collection
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolver.resolve(kind, event.value if kind is yaml.ScalarNode else None, event.implicit)
            if kind is yaml.ScalarNode:
                construct = constructor.yaml_constructors.get(tag, constructor.yaml_constructors[None])
                value = construct(constructor, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark))
                if isinstance(value, GeneratorType):  # a collection's tag on a plain value
                    raise yaml.YAMLError(f"不支持的 YAML 标签 {tag}")
                add(value)
                continue
            if tag != (_MAP if kind is yaml.MappingNode else _SEQ):
                raise yaml.YAMLError(f"不支持的 YAML 标签 {tag}")
            value = {} if kind is yaml.MappingNode else []
            add(value)
            stack.append([value, None, False] if kind is yaml.MappingNode else [value])
            if len(stack) > limits.MAX_DEPTH:
                raise yaml.YAMLError(f"嵌套超过 {limits.MAX_DEPTH} 层")
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            stack.pop()
    return root


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_EMPTY = re.compile(r"\[\s*\]|\{\s*\}")


def _json_values(text: str) -> int:
    """Values in a JSON text, counted on its punctuation before json.loads builds them (1.7 million empty
    lists in 5 MB cost json.loads 240 MB): one for the whole, one after each comma, one more in each
    non-empty list or object — leaving out what is inside strings."""
    def empty(part: str) -> int:  # counted one by one: a list of 1.7 million "[]" would itself cost 100 MB
        return sum(1 for _ in _JSON_EMPTY.finditer(part))

    commas, opens, empties = text.count(","), text.count("[") + text.count("{"), empty(text)
    for match in _JSON_STRING.finditer(text):
        quoted = match.group()
        commas -= quoted.count(",")
        opens -= quoted.count("[") + quoted.count("{")
        empties -= empty(quoted)
    return 1 + commas + opens - empties


def _json_depth(data: Any) -> int:
    """The deepest nesting of loaded JSON, found without recursion."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            todo.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            todo.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
    return deepest


def load(content: bytes, filename: str) -> Any:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError("文件不是 UTF-8 编码") from exc
    try:
        if filename.lower().endswith(".json"):
            if (values := _json_values(text)) > limits.MAX_NODES:
                raise _TooBig(values)
            data = json.loads(text)
            if _json_depth(data) > limits.MAX_DEPTH:
                raise FormatError(f"文件格式有误：嵌套超过 {limits.MAX_DEPTH} 层")
            return data
        return _build(text)
    except _TooBig as exc:
        raise FormatError(limits.too_many(filename, exc.args[0], "个数据项", limits.MAX_NODES,
                                          at_least=not filename.lower().endswith(".json"))) from exc
    except (yaml.YAMLError, json.JSONDecodeError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in detail:  # libyaml's own guard (1,000 levels) came first
            detail = f"嵌套超过 {limits.MAX_DEPTH} 层"
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
    if len(data["questions"]) > limits.MAX_QUESTIONS:
        raise FormatError(limits.too_many(filename, len(data["questions"]), "道题", limits.MAX_QUESTIONS))
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
            title=str(raw.get("title") or "").strip(),
            option_feedback=[str(f or "") for f in raw.get("option_feedback") or []]
            if isinstance(raw.get("option_feedback"), list) else [],
        ))
    return result
