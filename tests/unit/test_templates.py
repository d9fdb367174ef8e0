"""Template-wide rules (issue 16): a table that may scroll sideways on a phone can be scrolled from the
keyboard too (axe's scrollable-region-focusable), and no table has an empty column head."""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _lines(pattern: str):
    for path in sorted(TEMPLATES.rglob("*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in re.finditer(pattern, line):
                yield f"{path.relative_to(TEMPLATES)}:{n}", match.group(0)


def test_every_sideways_scrolling_table_can_be_reached_from_the_keyboard():
    wrappers = list(_lines(r'<div class="table-responsive[^>]*>'))
    assert len(wrappers) > 20
    assert [w for w in wrappers if 'tabindex="0"' not in w[1] or "aria-label=" not in w[1]] == []


def test_no_empty_column_head():
    assert list(_lines(r"<th( [^>]*)?>\s*</th>")) == []
