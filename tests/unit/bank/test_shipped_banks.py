"""The banks we ship: each loads through the importer without a single problem, the counts
meet what a township needs for real papers, nothing is asked twice, every question cites its
basis — and, where the reference law texts sit beside the checkout, every citation resolves."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from fazhi_exam.bank import importing
from fazhi_exam.bank.laws import seed_versions, stale_citations
from fazhi_exam.bank.shipped import shipped_files
from fazhi_exam.bank.validation import dedupe_key

AUDIENCES = {"干部", "执法", "明白人"}
CHECKER = Path(__file__).resolve().parents[3].parent / "shared" / "tools" / "check_citations.py"


@pytest.fixture(scope="module")
def parsed():
    """Parse without a database: the checks that need no rows."""
    from fazhi_exam.bank.importers import native

    return {path.name: native.parse(path.read_bytes(), path.name) for path in shipped_files()}


def test_every_bank_checks_clean_through_the_importer(ctx):
    for path in shipped_files():
        report = importing.check_file(path.name, path.read_bytes())
        assert report.ok, (path.name, [str(p) for p in report.problems[:5]])
        assert not report.duplicates and report.questions, path.name


def test_counts_per_bank_and_in_all(parsed):
    assert len(parsed) >= 16
    total = Counter()
    for name, result in parsed.items():
        types = Counter(q.type for q in result.questions)
        n = sum(types.values())
        total.update(types)
        assert n >= 30, (name, n)
        assert types["single"] >= 0.35 * n, (name, types)  # roughly half 单选
        assert types["multiple"] >= 0.15 * n, (name, types)  # roughly a quarter 多选
        assert types["judge"] >= 0.15 * n, (name, types)  # roughly a quarter 判断
        difficulties = {q.difficulty for q in result.questions}
        assert len(difficulties) >= 3, (name, difficulties)
    assert sum(total.values()) >= 1000, total
    assert total["fill"] >= 30 and total["essay"] >= 16, total


def test_no_question_is_asked_twice(parsed):
    seen: dict[str, str] = {}
    for name, result in parsed.items():
        for q in result.questions:
            key = dedupe_key(q.stem, q.options)
            assert key not in seen, f"{name} {q.where} 与 {seen[key]} 重复：{q.stem[:30]}"
            seen[key] = f"{name} {q.where}"


def test_every_question_has_basis_explanation_and_audience(parsed):
    for name, result in parsed.items():
        for q in result.questions:
            assert q.basis.startswith(("《", "习近平法治思想")), (name, q.where, q.basis)
            assert q.explanation or q.type == "essay", (name, q.where)
            assert set(q.tags) & AUDIENCES, (name, q.where, q.tags)
            if q.type == "essay":
                assert q.grading_points, (name, q.where)


def test_banned_padding_options(parsed):
    for name, result in parsed.items():
        for q in result.questions:
            assert not any(p in o for o in q.options for p in ("以上都对", "以上都不对", "以上均正确")), (name, q.where)


@pytest.mark.skipif(not CHECKER.exists(), reason="reference law texts (../shared) not beside the checkout")
def test_every_statute_citation_resolves():
    folder = Path(__file__).resolve().parents[3] / "question_banks"
    result = subprocess.run([sys.executable, str(CHECKER), str(folder), "--strict"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "unresolved 0" in result.stdout


@pytest.fixture(scope="module")
def raw():
    return {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in shipped_files()}


def test_at_least_2000_questions_in_30_banks(parsed):
    assert len(parsed) >= 30 and sum(len(r.questions) for r in parsed.values()) >= 2000


def test_every_cited_law_is_in_the_laws_table_and_no_question_is_older_than_its_law(raw):
    assert stale_citations(raw, seed_versions()) == []


def test_an_amendment_entered_in_the_table_flags_exactly_the_questions_citing_it(raw):
    versions = seed_versions()
    citing = {(name, n) for name, data in raw.items() for n, q in enumerate(data["questions"], 1)
              if "行政复议法" in str(q.get("basis"))}
    stale = stale_citations(raw, {**versions, "行政复议法": date(2027, 1, 1)})
    assert len(stale) == len(citing) > 50
    assert all("《行政复议法》的现行版本（2027-01-01）晚于本题核对的日期" in line for line in stale)


@pytest.mark.skipif(not CHECKER.exists(), reason="reference law texts (../shared) not beside the checkout")
@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: p.stem)
def test_quotations_in_explanations_are_word_for_word(path):
    from tests.unit.bank import quotes

    assert quotes.problems(path) == []


def test_no_explanation_only_quotes_the_article(raw):
    """An explanation says why in plain words, not only "第X条规定：“……”" (issue 17)."""
    import re

    only_quote = []
    for name, data in raw.items():
        for number, q in enumerate(data["questions"], 1):
            text = str(q.get("explanation") or "")
            if q["type"] == "essay" or not text:
                continue
            rest = re.sub(r"“[^“”]*”", "", text)
            rest = re.sub(r"第[零〇一二两三四五六七八九十百千]+条(第[零一二三四五六七八九十]+款)?(第[（(]?[一二三四五六七八九十]+[）)]?项)?"
                          r"|规定|：|。|，|；|《[^》]*》|\s", "", rest)
            if len(rest) <= 4:
                only_quote.append(f"{name} 第{number}题")
    assert only_quote == []
