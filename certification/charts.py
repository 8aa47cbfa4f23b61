"""Charts drawn on the server as SVG: no script, nothing from a CDN, and they print.

Every label is escaped; colours and sizes are SVG attributes (the page's policy forbids
inline styles)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 560, 200, 32
BAR = "#2f6fde"
PASS = "#1a7f37"


def histogram(values: Sequence[float], *, title: str, bins: int = 10) -> SafeString:
    """Counts of ``values`` (0-100) in ``bins`` equal bins, as bars."""
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int(value // (100 / bins))))] += 1
    labels = [f"{i * 100 // bins}" for i in range(bins)]
    return bars(list(zip(labels, counts, strict=True)), title=title)


def bars(items: Sequence[tuple[str, float]], *, title: str, colour: str = BAR) -> SafeString:
    top = max((value for _, value in items), default=0) or 1
    slot = (WIDTH - 2 * PAD) / max(1, len(items))
    parts = []
    for index, (label, value) in enumerate(items):
        height = (HEIGHT - 2 * PAD) * value / top
        x = PAD + index * slot
        y = HEIGHT - PAD - height
        parts.append(
            format_html(
                "<g><title>{label}: {value}</title>"
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"/>'
                '<text x="{tx}" y="{ly}" font-size="11" text-anchor="middle">{label}</text>'
                '<text x="{tx}" y="{vy}" font-size="11" text-anchor="middle">{value}</text>'
                "</g>",
                label=label,
                value=_number(value),
                x=_at(x + slot * 0.1),
                y=_at(y),
                w=_at(slot * 0.8),
                h=_at(height),
                c=colour,
                tx=_at(x + slot / 2),
                ly=HEIGHT - PAD + 14,
                vy=_at(y - 4),
            )
        )
    return _svg(title, mark_safe("".join(parts)))


def trend(points: Sequence[tuple[date, int, int]], *, title: str) -> SafeString:
    """Pass rate per week (passed ÷ decided), as a line with a dot per week."""
    if not points:
        return _svg(title, mark_safe(""))
    step = (WIDTH - 2 * PAD) / max(1, len(points) - 1)
    coords = []
    for index, (_week, decided, passed) in enumerate(points):
        rate = passed / decided if decided else 0
        coords.append((PAD + index * step, HEIGHT - PAD - (HEIGHT - 2 * PAD) * rate))
    line = " ".join(f"{_at(x)},{_at(y)}" for x, y in coords)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {}/{}</title></circle>',
        (
            (_at(x), _at(y), PASS, week.isoformat(), passed, decided)
            for (x, y), (week, decided, passed) in zip(coords, points, strict=True)
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
        (
            (_at(x), HEIGHT - PAD + 14, week.strftime("%m-%d"))
            for (x, _y), (week, _d, _p) in zip(coords, points, strict=True)
        ),
    )
    body = format_html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>{}{}',
        line,
        PASS,
        dots,
        labels,
    )
    return _svg(title, body)


def _svg(title: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{t}</title>'
        '<line x1="{p}" y1="{b}" x2="{r}" y2="{b}" stroke="#999"/>{body}</svg>',
        w=WIDTH,
        h=HEIGHT,
        t=title,
        p=PAD,
        b=HEIGHT - PAD,
        r=WIDTH - PAD,
        body=body,
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _at(coordinate: float) -> str:
    return f"{coordinate:.1f}"
