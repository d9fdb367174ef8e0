"""YAML and JSON banks within the limits: built straight from the parser's events (no node tree, no
aliases), values and nesting counted, questions counted; the shipped banks read as safe_load reads them."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from fazhi_exam import limits
from fazhi_exam.bank.importers import native
from tests.unit.bank.test_import_limits import refused

BANKS = Path(__file__).resolve().parents[3] / "question_banks"


def test_shipped_banks_build_as_safe_load_builds_them():
    for path in sorted(BANKS.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert native._build(text) == yaml.safe_load(text), path.name


def test_billion_laughs_and_other_yaml_tricks_are_refused(ctx, monkeypatch):
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    assert refused("x.yaml", (laughs + "questions: [*i]\n").encode()) == "文件格式有误：不允许使用 YAML 别名（*引用）"
    assert "只能有一个 YAML 文档" in refused("x.yaml", b"questions: []\n---\nquestions: []\n")
    assert refused("x.yaml", b"questions: " + b"[" * 30 + b"]" * 30) == "文件格式有误：嵌套超过 20 层"
    assert refused("x.json", b'{"questions": ' + b"[" * 30 + b"]" * 30 + b"}") == "文件格式有误：嵌套超过 20 层"
    deep = b'{"questions": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert refused("x.json", deep).startswith("文件格式有误")  # json's own recursion guard
    monkeypatch.setattr(limits, "MAX_NODES", 1000)
    assert refused("x.yaml", ("questions: [" + ", ".join(["1"] * 2000) + "]").encode()) == (
        "文件“x.yaml”至少有 1,001 个数据项，超过每个文件 1,000 个数据项的上限，已拒绝处理（请拆分成几个文件）。")
    assert refused("x.json", json.dumps({"questions": [1] * 2000}).encode()) == (
        "文件“x.json”有 2,002 个数据项，超过每个文件 1,000 个数据项的上限，已拒绝处理（请拆分成几个文件）。")


def test_native_questions_over_the_limit(ctx, monkeypatch):
    monkeypatch.setattr(limits, "MAX_QUESTIONS", 10)
    data = {"bank": "测试", "questions": [{"type": "judge", "stem": f"第{i}题。", "answer": True} for i in range(11)]}
    message = "文件“x.{}”有 11 道题，超过每个文件 10 道题的上限，已拒绝处理（请拆分成几个文件）。"
    assert refused("x.yaml", yaml.safe_dump(data, allow_unicode=True).encode()) == message.format("yaml")
    assert refused("x.json", json.dumps(data).encode()) == message.format("json")
