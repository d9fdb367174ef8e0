"""Charts drawn on the server as SVG (no scripts, no CDN): horizontal bars for rates by village,
columns for a score distribution or attendance by month. Text is escaped; each chart has a
<title> and the numbers printed beside the bars, so it reads without colour."""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .formats import percent as _pct

BAR = "#b71c1c"
MUTED = "#e0e0e0"
WARN = "#ef6c00"
MAX_LABEL = 20  # characters of a bar's label; longer ones end in … (the full text is its tooltip)


def rate_bars(title: str, rows: Sequence[tuple[str, float | None, str | None]], *, target: float = 1.0) -> Markup:
    """rows: (label, rate 0–1 or None, link or None). Bars below the target are drawn in orange."""
    longest = max((len(label) for label, _, _ in rows), default=4)
    label_w, bar_w, row_h = min(max(longest, 4), MAX_LABEL) * 12 + 10, 240, 22
    height = row_h * len(rows) + 10
    # A picture with links in it is a group of links (role="img" may not hold anything focusable)
    role = 'role="group"' if any(link for _, _, link in rows) else 'role="img"'
    parts = [f'<svg class="chart" {role} aria-label="{escape(title)}" viewBox="0 0 {label_w + bar_w + 70} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>']
    for i, (label, rate, link) in enumerate(rows):
        y = 5 + i * row_h
        width = 0 if rate is None else max(rate, 0) * bar_w
        colour = BAR if rate is not None and rate >= target else WARN
        bar = (f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}" fill="{MUTED}"/>'
               f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 8}" fill="{colour}"/>')
        shown = label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"
        text = (f'<text x="{label_w - 6}" y="{y + row_h - 8}" text-anchor="end" font-size="12">'
                f'<title>{escape(label)}</title>{escape(shown)}</text>'
                f'<text x="{label_w + bar_w + 6}" y="{y + row_h - 8}" font-size="12">{_pct(rate)}</text>')
        item = bar + text
        named = f'{label}：{_pct(rate)}'
        parts.append(f'<a href="{escape(link)}" aria-label="{escape(named)}">{item}</a>' if link else item)
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(title: str, labels: Sequence[str], values: Sequence[float], *, unit: str = "人",
            second: Sequence[float] | None = None) -> Markup:
    """Columns with their value on top; `second` (0–1 values, e.g. a rate) is printed under the label."""
    col_w, plot_h, top, bottom = 44, 140, 20, 36
    width = col_w * len(labels) + 20
    high = max(values, default=0) or 1
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {plot_h + top + bottom}" width="100%" '
             f'preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>',
             f'<line x1="10" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#999"/>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = 10 + i * col_w
        h = value / high * plot_h
        parts.append(f'<rect x="{x + 6}" y="{top + plot_h - h:.1f}" width="{col_w - 12}" height="{h:.1f}" '
                     f'fill="{BAR}"/>')
        shown = f"{value:g}"
        parts.append(f'<text x="{x + col_w / 2}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle" '
                     f'font-size="11">{escape(shown)}</text>')
        parts.append(f'<text x="{x + col_w / 2}" y="{top + plot_h + 14}" text-anchor="middle" '
                     f'font-size="11">{escape(label)}</text>')
        if second is not None:
            parts.append(f'<text x="{x + col_w / 2}" y="{top + plot_h + 29}" text-anchor="middle" '
                         f'font-size="10" fill="#555">{_pct(second[i])}</text>')
    parts.append(f'<desc>{escape(unit)}</desc></svg>')
    return Markup("".join(parts))


def band_labels(n: int = 10) -> list[str]:
    step = 100 // n
    return [f"{i * step}–{i * step + step - 1}" if i < n - 1 else f"{i * step}–100" for i in range(n)]
