"""One word for each thing (issue 16): no template and no string in the code uses a word that
fazhi_exam/glossary.py avoids (及格 for 合格, 实考 for 参考 …). The exported files are checked in
tests/web/test_stats_pages.py::test_one_word_for_each_figure_in_page_export_and_report."""
from __future__ import annotations

import tokenize
from pathlib import Path

from fazhi_exam import glossary

ROOT = Path(__file__).resolve().parents[2]


def _python_strings(path: Path):
    with path.open("rb") as f:
        for token in tokenize.tokenize(f.readline):
            if token.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)):
                yield token.start[0], token.string


def test_no_template_uses_an_avoided_word():
    found = {f"{path.relative_to(ROOT)}:{n}": glossary.avoided_in(line)
             for path in sorted((ROOT / "templates").rglob("*.html"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if glossary.avoided_in(line)}
    assert found == {}


def test_no_string_in_the_code_uses_an_avoided_word():
    found = {f"{path.relative_to(ROOT)}:{n}": glossary.avoided_in(text)
             for path in sorted((ROOT / "fazhi_exam").rglob("*.py")) if path.name != "glossary.py"
             for n, text in _python_strings(path) if glossary.avoided_in(text)}
    assert found == {}


def test_the_scan_would_see_an_avoided_word(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('LABEL = "及格分"\n# 及格 in a comment is not read by users\n', encoding="utf-8")
    assert [(n, glossary.avoided_in(text)) for n, text in _python_strings(sample)] == [(1, ["及格 → 合格"])]


def test_every_short_name_is_the_start_of_its_name_or_the_name():
    for key, term in glossary.TERMS.items():
        assert term.name.startswith(term.short) or term.short == term.name, key
    assert not any(glossary.avoided_in(t.name + t.short) for t in glossary.TERMS.values())



def test_times_are_written_one_way():
    """Times for people are written by fazhi_exam/clock.py only (to the minute; the audit log to the
    second); the audit chain's machine stamp (UTC, ISO) is the one other strftime."""
    allowed = {"fazhi_exam/clock.py", "fazhi_exam/audit/chain.py"}
    found = [f"{path.relative_to(ROOT)}:{n}"
             for path in sorted((ROOT / "fazhi_exam").rglob("*.py")) if str(path.relative_to(ROOT)) not in allowed
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "strftime(" in line or ":%H:%M" in line]  # a date (no time, no zone) may be {d:%Y-%m-%d}
    found += [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "templates").rglob("*.html"))
              for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if "strftime" in line or "|beijing)[" in line]
    assert found == []
    from datetime import UTC, datetime

    from fazhi_exam import clock

    at = datetime(2026, 12, 4, 13, 0, 59, tzinfo=UTC)
    assert (clock.minute(at), clock.day(at), clock.cn_day(at), clock.cn_month_day(at), clock.to_second(at)) == (
        "2026-12-04 21:00", "2026-12-04", "2026年12月4日", "12月4日", "2026-12-04 21:00:59")
