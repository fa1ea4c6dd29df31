"""Small server-rendered SVG charts: no JavaScript, no third-party library.

Every chart is an ``<svg role="img">`` with a title; the page puts the same numbers in a
table beside it (inside ``<details>``) for screen readers and for copying. Text is
escaped here; colours come from CSS classes (``chart-bar``, ``chart-line``...).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 22
BAR_GAP = 6
LABEL_WIDTH = 180
WIDTH = 520


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def bar_chart(
    *, title: str, rows: Sequence[tuple[str, float]], maximum: float | None = None, unit: str = ""
) -> SafeString:
    """Horizontal bars, one per (name, value); ``maximum`` fixes the scale (e.g. 100 %)."""
    top = maximum if maximum is not None else max((v for _, v in rows), default=0) or 1
    height = max(1, len(rows)) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    span = WIDTH - LABEL_WIDTH - 60
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (name, value) in enumerate(rows):
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        length = 0 if top <= 0 else max(0.0, min(1.0, value / top)) * span
        short = name if len(name) <= 26 else name[:25] + "…"
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + 15}" '
            f'text-anchor="end">{escape(short)}</text>'
            f'<rect class="chart-track" x="{LABEL_WIDTH}" y="{y}" width="{span}" '
            f'height="{BAR_HEIGHT}" rx="3"></rect>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" rx="3"></rect>'
            f'<text class="chart-value" x="{LABEL_WIDTH + span + 6}" y="{y + 15}">'
            f"{escape(_fmt(value))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def line_chart(
    *, title: str, points: Sequence[tuple[str, float | None]], maximum: float = 100.0
) -> SafeString:
    """A line over time: (day label, value) in order; a None value leaves a gap."""
    height, left, bottom, top_pad = 180, 40, 24, 10
    plot_w, plot_h = WIDTH - left - 10, height - bottom - top_pad
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 50, 100):
        y = top_pad + plot_h - plot_h * tick / maximum
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" '
            f'y2="{y:.1f}"></line><text class="chart-label" x="{left - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{tick}</text>'
        )
    count = len(points)
    coords: list[tuple[float, float]] = []
    for index, (_, value) in enumerate(points):
        if value is None:
            continue
        x = left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)
        y = top_pad + plot_h - plot_h * max(0.0, min(value, maximum)) / maximum
        coords.append((x, y))
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline class="chart-line" fill="none" points="{path}"></polyline>')
    for x, y in coords:
        parts.append(f'<circle class="chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="3"></circle>')
    if points:
        parts.append(
            f'<text class="chart-label" x="{left}" y="{height - 6}">{escape(points[0][0])}</text>'
            f'<text class="chart-label" x="{left + plot_w}" y="{height - 6}" '
            f'text-anchor="end">{escape(points[-1][0])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
