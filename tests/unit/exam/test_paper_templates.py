"""The ready-made papers in question_banks/papers/: each is a valid exam definition that the shipped
banks can fill from the right audience tag (seed-demo loading them as drafts: tests/unit/test_cli.py)."""
from __future__ import annotations

import pytest

from fazhi_exam.bank.importers.native import load
from fazhi_exam.exam.definitions import parse_spec
from fazhi_exam.exam.paper_templates import template_files

AUDIENCE_TAG = {"镇村干部年度学法考试": "干部", "行政执法人员执法资格考前练习": "执法", "法律明白人培训考试": "明白人"}


@pytest.mark.parametrize("path", template_files(), ids=lambda p: p.stem)
def test_each_template_is_a_definition_drawing_by_its_audience_tag(path):
    spec = parse_spec(load(path.read_bytes(), path.name))
    assert spec.title in AUDIENCE_TAG
    assert {tuple(rule.tags) for rule in spec.paper} == {(AUDIENCE_TAG[spec.title],)}
    assert sum(rule.count * rule.points for rule in spec.paper) == 100
