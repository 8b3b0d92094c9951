"""Charts drawn on the server as SVG: no script, nothing for the CSP to allow.

Text in a chart (series names) is escaped like any other text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")


def days(end: date, n: int) -> list[str]:
    """The `n` ISO days up to and including `end`."""
    return [(end - timedelta(days=n - 1 - i)).isoformat() for i in range(n)]


def line_chart(
    series: Mapping[str, Mapping[str, int]],
    xs: Sequence[str],
    *,
    width: int = 720,
    height: int = 200,
    label: str = "hits per day",
) -> Markup:
    """One polyline per series over the x keys, with a legend and axis labels."""
    top = max([1, *(v.get(x, 0) for v in series.values() for x in xs)])
    pad, legend_h = 30, 16 * max(1, len(series))
    plot_w, plot_h = width - 2 * pad, height - pad - 10
    step = plot_w / max(1, len(xs) - 1)
    parts = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height + legend_h}" width="{width}" '
        f'height="{height + legend_h}" aria-label="{escape(label)}">',
        f'<line x1="{pad}" y1="{10 + plot_h}" x2="{width - pad}" y2="{10 + plot_h}" '
        'stroke="#888"/>',
        f'<text x="2" y="16" font-size="11" fill="#555">{top}</text>',
    ]
    if xs:
        parts.append(
            f'<text x="{pad}" y="{height - 4}" font-size="11" fill="#555">{escape(xs[0])}</text>'
        )
        parts.append(
            f'<text x="{width - pad}" y="{height - 4}" font-size="11" fill="#555" '
            f'text-anchor="end">{escape(xs[-1])}</text>'
        )
    for i, (name, values) in enumerate(sorted(series.items())):
        color = COLORS[i % len(COLORS)]
        points = " ".join(
            f"{pad + j * step:.1f},{10 + plot_h - plot_h * values.get(x, 0) / top:.1f}"
            for j, x in enumerate(xs)
        )
        parts.append(
            f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" '
            f'points="{points}"><title>{escape(name)}</title></polyline>'
        )
        y = height + 12 + 16 * i
        parts.append(f'<rect x="{pad}" y="{y - 9}" width="10" height="10" fill="{color}"/>')
        total = sum(values.get(x, 0) for x in xs)
        parts.append(f'<text x="{pad + 16}" y="{y}" font-size="12">{escape(name)} ({total})</text>')
    if not series:
        parts.append(
            f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" fill="#888">'
            "no hits in this period</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: Sequence[int], width: int = 120, height: int = 24) -> Markup:
    """A small line of counts."""
    top = max([1, *values])
    step = width / max(1, len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values)
    )
    return Markup(
        f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><polyline fill="none" '
        f'stroke="#1f77b4" stroke-width="1.5" points="{points}"/></svg>'
    )
