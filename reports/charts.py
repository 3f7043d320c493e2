"""Small server-side SVG bar charts.

No JavaScript and no ``style`` attributes (the Content-Security-Policy forbids inline styles): colours are
SVG presentation attributes (``fill=``), which CSP allows. Each chart has a <title> and <desc> named by
``aria-labelledby``; the table of the same figures sits beside it on the page.
"""

from __future__ import annotations

import math
from itertools import count
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe palette (Okabe-Ito), dark enough for white gaps between bars.
PALETTE = ["#0b5cad", "#d55e00", "#117733", "#882255", "#6b5b00", "#4f5661"]
_ids = count(1)


def _nice_maximum(value: float, ticks: int = 4) -> float:
    """The smallest maximum above ``value`` whose ``ticks`` gridlines fall on 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return ticks
    raw_step = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude != int(step * magnitude):
            continue  # ticks stay whole numbers
        if raw_step <= step * magnitude:
            return max(step * magnitude, 1) * ticks
    return 10 * magnitude * ticks


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _legend(series_names, x, y) -> list[str]:
    parts = []
    for index, name in enumerate(series_names):
        parts.append(f'<rect x="{x}" y="{y + index * 18}" width="12" height="12" '
                     f'fill="{PALETTE[index % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 18}" y="{y + index * 18 + 10}" font-size="12">{escape(name)}</text>')
    return parts


def bar_chart(*, title: str, description: str, labels: list[str], series: dict[str, list[float]],
              orientation: str = "horizontal") -> SafeString:
    """Grouped bars: one group per label, one bar per series. Horizontal suits long labels."""
    chart_id = f"chart-{next(_ids)}"
    names = list(series)
    values = [[float(v or 0) for v in series[name]] for name in names]
    maximum = _nice_maximum(max([v for row in values for v in row], default=0))
    body = []
    if orientation == "vertical":
        width, height, left, top, bottom = 640, 260, 40, 10 + 18 * len(names), 60
        plot_w, plot_h = width - left - 10, height - top - bottom
        group_w = plot_w / max(len(labels), 1)
        bar_w = max(group_w * 0.8 / max(len(names), 1), 1)
        for tick in range(5):
            y = top + plot_h - plot_h * tick / 4
            body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5d9de"/>')
            body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
                        f'{_number(maximum * tick / 4)}</text>')
        label_every = max(1, len(labels) // 12)
        for index, label in enumerate(labels):
            x0 = left + index * group_w + group_w * 0.1
            for s, row in enumerate(values):
                h = plot_h * row[index] / maximum
                body.append(f'<rect x="{x0 + s * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                            f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}"><title>'
                            f'{escape(label)}, {escape(names[s])}: {_number(row[index])}</title></rect>')
            if index % label_every == 0:
                x = left + index * group_w + group_w / 2
                body.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="11" text-anchor="end" '
                            f'transform="rotate(-40 {x:.1f} {top + plot_h + 14})">{escape(label)}</text>')
        body += _legend(names, left, 2)
    else:
        left, bar_h, gap = 190, 14, 8
        group_h = bar_h * len(names) + gap
        top = 10 + 18 * len(names) + 6
        width = 640
        plot_w = width - left - 50
        height = top + group_h * len(labels) + 24
        for index, label in enumerate(labels):
            y0 = top + index * group_h
            short = label if len(label) <= 30 else label[:29] + "…"
            body.append(f'<text x="{left - 6}" y="{y0 + group_h / 2 + 2:.1f}" font-size="12" text-anchor="end">'
                        f'{escape(short)}</text>')
            for s, row in enumerate(values):
                w = plot_w * row[index] / maximum
                y = y0 + s * bar_h
                body.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                            f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(label)}, {escape(names[s])}: '
                            f'{_number(row[index])}</title></rect>')
                body.append(f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 4}" font-size="11">'
                            f'{_number(row[index])}</text>')
        body.append(f'<line x1="{left}" x2="{left}" y1="{top - 4}" y2="{height - 20}" stroke="#4f5661"/>')
        body += _legend(names, left, 2)
    svg = (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif" '
           f'fill="#1b1f24">'
           f'<title id="{chart_id}-title">{escape(title)}</title>'
           f'<desc id={quoteattr(chart_id + "-desc")}>{escape(description)}</desc>'
           + "".join(body) + "</svg>")
    return mark_safe(svg)  # every text part above is escaped
