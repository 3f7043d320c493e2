"""Small server-side SVG bar charts.

No JavaScript and no ``style`` attributes (the Content-Security-Policy forbids inline styles): colours are
SVG presentation attributes (``fill=``), which CSP allows. Each chart has a <title> and <desc> named by
``aria-labelledby``; the table of the same figures sits beside it on the page.
"""

from __future__ import annotations

import functools
import math
import textwrap
from itertools import count
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe palette (Okabe-Ito), dark enough for white gaps between bars.
PALETTE = ["#0b5cad", "#d55e00", "#117733", "#882255", "#6b5b00", "#4f5661"]
_ids = count(1)

# Row labels of horizontal charts sit in the left margin. Character widths vary by font (DejaVu Sans, a common
# fallback for system-ui on Linux, averages about 7 px at 12 px), so labels are wrapped onto at most two lines
# of a length that fits the margin at a generous 7.2 px a character; a longer label ends in "…" and its full
# text is the label's <title> (and each bar's).
LABEL_FONT_SIZE = 12
# The smallest text of a chart (axis values, bar values). The chart is drawn at its own size, never scaled
# down to fit (it scrolls sideways in its box on a narrow screen), so 12 units are 12 CSS pixels on screen.
SMALL_FONT_SIZE = 12
LABEL_CHARACTER_WIDTH = 7.2
LABEL_LINE_HEIGHT = 14
LABEL_MARGIN = 190
LABEL_GAP = 8
LABEL_LINE_CHARACTERS = int((LABEL_MARGIN - LABEL_GAP - 2) // LABEL_CHARACTER_WIDTH)
LABEL_MAX_LINES = 2


def label_lines(label: str) -> list[str]:
    """A row label broken at spaces into lines that fit the left margin, the last one ending in "…" if cut."""
    return list(_wrapped(label))


@functools.lru_cache(maxsize=4096)
def _wrapped(label: str) -> tuple[str, ...]:
    # Kept: the same labels (outcomes, buckets, weeks, channels) come back on every report, and wrapping is
    # half of a chart's time.
    lines = textwrap.wrap(label, width=LABEL_LINE_CHARACTERS, max_lines=LABEL_MAX_LINES, placeholder="…")
    return tuple(lines) or ("",)


def _row_label(label: str, *, x: float, middle: float) -> str:
    lines = label_lines(label)
    first_y = middle + 4 - (len(lines) - 1) * LABEL_LINE_HEIGHT / 2
    spans = "".join(
        f'<tspan x="{x}" y="{first_y + index * LABEL_LINE_HEIGHT:.1f}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text font-size="{LABEL_FONT_SIZE}" text-anchor="end"><title>{escape(label)}</title>{spans}</text>'


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
        parts.append(
            f'<rect x="{x}" y="{y + index * 18}" width="12" height="12" fill="{PALETTE[index % len(PALETTE)]}"/>'
        )
        parts.append(f'<text x="{x + 18}" y="{y + index * 18 + 10}" font-size="12">{escape(name)}</text>')
    return parts


def bar_chart(
    *, title: str, description: str, labels: list[str], series: dict[str, list[float]], orientation: str = "horizontal"
) -> SafeString:
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
            body.append(
                f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="{SMALL_FONT_SIZE}" text-anchor="end">'
                f"{_number(maximum * tick / 4)}</text>"
            )
        label_every = max(1, len(labels) // 12)
        for index, label in enumerate(labels):
            x0 = left + index * group_w + group_w * 0.1
            for s, row in enumerate(values):
                h = plot_h * row[index] / maximum
                body.append(
                    f'<rect x="{x0 + s * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                    f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}"><title>'
                    f"{escape(label)}, {escape(names[s])}: {_number(row[index])}</title></rect>"
                )
            if index % label_every == 0:
                x = left + index * group_w + group_w / 2
                body.append(
                    f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="{SMALL_FONT_SIZE}" '
                    f'text-anchor="end" '
                    f'transform="rotate(-40 {x:.1f} {top + plot_h + 14})">{escape(label)}</text>'
                )
        body += _legend(names, left, 2)
    else:
        left, bar_h, gap = LABEL_MARGIN, 14, 8
        bars_h = bar_h * len(names)
        # Room for the tallest label, so two-line labels of neighbouring rows never touch.
        label_h = max(len(label_lines(label)) for label in labels) * LABEL_LINE_HEIGHT if labels else 0
        group_h = max(bars_h + gap, label_h + gap)
        top = 10 + 18 * len(names) + 6
        width = 640
        plot_w = width - left - 50
        height = top + group_h * len(labels) + 24
        for index, label in enumerate(labels):
            y0 = top + index * group_h
            bars_top = y0 + (group_h - gap - bars_h) / 2
            body.append(_row_label(label, x=left - LABEL_GAP, middle=bars_top + bars_h / 2 - 1))
            for s, row in enumerate(values):
                w = plot_w * row[index] / maximum
                y = bars_top + s * bar_h
                body.append(
                    f'<rect x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2}" '
                    f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(label)}, {escape(names[s])}: '
                    f"{_number(row[index])}</title></rect>"
                )
                body.append(
                    f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 4:.1f}" font-size="{SMALL_FONT_SIZE}">'
                    f"{_number(row[index])}</text>"
                )
        body.append(f'<line x1="{left}" x2="{left}" y1="{top - 4}" y2="{height - 20}" stroke="#4f5661"/>')
        body += _legend(names, left, 2)
    svg = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif" '
        f'fill="#1b1f24">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f"<desc id={quoteattr(chart_id + '-desc')}>{escape(description)}</desc>" + "".join(body) + "</svg>"
    )
    return mark_safe(svg)  # every text part above is escaped
