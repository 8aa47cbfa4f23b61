"""The report's charts, drawn on the server as SVG: the five dimensions against their
targets, every wait against its bands (the first reply's 6 s / 10 s, the later ones'), and a
dimension's scores over a trainee's practice chats.

No script and nothing from a CDN, so they print and survive the page's content policy; every
label is escaped (format_html), colours and sizes are attributes, not inline styles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640
LABEL_W = 150  # the row labels' column
ROW_H = 30
PAD = 12
GOOD, FAIR, POOR, NONE = "#1a7f37", "#b26b00", "#c62828", "#9aa0a6"
# The bands behind a wait: answered within the target, within the limit, or later.
BAND_FILL = ("#e3f4e8", "#fdf0d8", "#fbe4e4")


def _colour(score: float | None) -> str:
    if score is None:
        return NONE
    if score >= 80:
        return GOOD
    return FAIR if score >= 60 else POOR


def _at(value: float) -> str:
    return f"{value:.1f}"


def _svg(
    title: str, height: float, body: SafeString, testid: str, width: int = WIDTH
) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'xmlns="http://www.w3.org/2000/svg" data-testid="{id}"><title>{t}</title>{body}</svg>',
        w=width,
        h=_at(height),
        t=title,
        body=body,
        id=testid,
    )


def dimension_chart(rows: Sequence[Mapping[str, Any]]) -> SafeString:
    """One bar per dimension: its score out of 100, and beside it the measure against the
    scenario's target ("首次响应 4.2 秒，目标 6 秒"). ``rows``: label, score (None when the
    dimension had no data), against (the words), weight."""
    bar_w = WIDTH - LABEL_W - 2 * PAD - 40
    parts = []
    for index, row in enumerate(rows):
        y = PAD + index * (ROW_H + 18)
        score = row["score"]
        width = bar_w * (score or 0) / 100
        parts.append(
            format_html(
                '<g class="dimension" data-dimension="{name}"><title>{label}: {shown}</title>'
                '<text x="{lx}" y="{ty}" font-size="13">{label}</text>'
                '<rect x="{x}" y="{y}" width="{full}" height="{h}" fill="#f1f3f4"/>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"/>'
                '<text x="{vx}" y="{ty}" font-size="13" font-weight="600">{shown}</text>'
                '<text x="{x}" y="{ay}" font-size="11" fill="#5f6368">{against}</text></g>',
                name=row["name"],
                label=row["label"],
                shown=_("no data") if score is None else f"{score:g}",
                lx=PAD,
                ty=_at(y + ROW_H / 2 + 4),
                x=LABEL_W,
                y=_at(y),
                full=_at(bar_w),
                w=_at(width),
                h=ROW_H - 8,
                c=_colour(score),
                vx=_at(LABEL_W + bar_w + 6),
                ay=_at(y + ROW_H + 6),
                against=row["against"],
            )
        )
    height = PAD * 2 + len(rows) * (ROW_H + 18)
    return _svg(
        _("Score by dimension against its target"),
        height,
        mark_safe("".join(parts)),
        "dimension-chart",
    )


def wait_chart(waits: Sequence[Mapping[str, Any]]) -> SafeString:
    """One row per wait: the bands (within the target, within the limit, later) and how long
    the buyer actually waited; an unanswered wait is marked as such."""
    if not waits:
        return SafeString("")
    longest = max(max(float(w["limit_s"]), float(w.get("wait_s") or 0.0)) for w in waits)
    scale_s = longest * 1.1
    plot_w = WIDTH - LABEL_W - 2 * PAD

    def x(seconds: float) -> float:
        return LABEL_W + plot_w * min(seconds, scale_s) / scale_s

    parts = []
    for index, wait in enumerate(waits):
        y = PAD + index * ROW_H
        target, limit = float(wait["target_s"]), float(wait["limit_s"])
        bands = ((0.0, target), (target, limit), (limit, scale_s))
        parts.append(
            format_html_join(
                "",
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                (
                    (_at(x(a)), _at(y), _at(x(b) - x(a)), ROW_H - 8, fill)
                    for (a, b), fill in zip(bands, BAND_FILL, strict=True)
                ),
            )
        )
        label = (_("#%(n)s first reply") if wait["band"] == "first" else _("#%(n)s reply")) % {
            "n": index + 1
        }
        waited = wait.get("wait_s")
        if waited is None:
            shown, colour, end = _("unanswered"), POOR, scale_s
        else:
            shown = _("%(s)s s") % {"s": f"{float(waited):g}"}
            colour = GOOD if waited <= target else (FAIR if waited <= limit else POOR)
            end = float(waited)
        parts.append(
            format_html(
                '<g class="wait" data-wait="{n}"><title>{label}: {shown} '
                "({target_words})</title>"
                '<text x="{lx}" y="{ty}" font-size="12">{label}</text>'
                '<rect x="{x0}" y="{by}" width="{w}" height="6" fill="{c}"/>'
                '<circle cx="{x1}" cy="{cy}" r="5" fill="{c}"/>'
                '<text x="{tx}" y="{ty}" font-size="11" fill="#202124">{shown}</text></g>',
                n=index + 1,
                label=label,
                shown=shown,
                target_words=_("target %(t)s s, limit %(l)s s")
                % {"t": f"{target:g}", "l": f"{limit:g}"},
                lx=PAD,
                ty=_at(y + ROW_H / 2 + 2),
                x0=_at(x(0)),
                by=_at(y + (ROW_H - 8) / 2 - 3),
                w=_at(x(end) - x(0)),
                c=colour,
                x1=_at(x(end)),
                cy=_at(y + (ROW_H - 8) / 2),
                tx=_at(min(x(end) + 8, WIDTH - 60)),
            )
        )
    axis_y = PAD + len(waits) * ROW_H
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" fill="#5f6368" text-anchor="middle">{}</text>',
        ((_at(x(s)), _at(axis_y + 10), f"{s:g}s") for s in _ticks(scale_s)),
    )
    legend = format_html(
        '<text x="{x}" y="{y}" font-size="11" fill="#5f6368">{words}</text>',
        x=LABEL_W,
        y=_at(axis_y + 28),
        words=_("Green: within the target · amber: within the limit · red: beyond it"),
    )
    body = mark_safe("".join(parts) + ticks + legend)
    return _svg(_("Every wait against its target and limit"), axis_y + 40, body, "wait-chart")


def _ticks(scale_s: float) -> list[float]:
    step = next(s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600) if scale_s / s <= 8)
    return [step * i for i in range(int(scale_s // step) + 1)]


TREND_W, TREND_H, TREND_PAD = 300, 130, 24


def score_trend(points: Sequence[tuple[str, float | None]], *, title: str, name: str) -> SafeString:
    """One dimension's score (0-100) over chats, oldest first: a line through the scored
    chats, the 80 mark (good) as a dashed line, the latest score written at the end.
    ``points``: a label for each chat (its date and scenario, shown on hover) and its score,
    None where the dimension had no data (a gap, not a zero)."""
    plot_w, plot_h = TREND_W - 2 * TREND_PAD - 24, TREND_H - 2 * TREND_PAD
    step = plot_w / max(1, len(points) - 1)

    def y(score: float) -> float:
        return TREND_PAD + plot_h * (1 - score / 100)

    scored = [
        (TREND_PAD + index * step, score, label)
        for index, (label, score) in enumerate(points)
        if score is not None
    ]
    grid = format_html_join(
        "",
        '<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#e0e0e0"/>'
        '<text x="{tx}" y="{ty}" font-size="9" fill="#5f6368" text-anchor="end">{v}</text>',
        (
            {
                "x0": TREND_PAD,
                "x1": TREND_PAD + plot_w,
                "y": _at(y(v)),
                "tx": TREND_PAD - 4,
                "ty": _at(y(v) + 3),
                "v": v,
            }
            for v in (0, 50, 100)
        ),
    )
    mark = format_html(
        '<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="{c}" stroke-dasharray="4 3"/>',
        x0=TREND_PAD,
        x1=TREND_PAD + plot_w,
        y=_at(y(80)),
        c=GOOD,
    )
    line = (
        format_html(
            '<polyline points="{}" fill="none" stroke="#2f6fde" stroke-width="2"/>',
            " ".join(f"{_at(x)},{_at(y(score))}" for x, score, _label in scored),
        )
        if len(scored) > 1
        else SafeString("")
    )
    dots = format_html_join(
        "",
        '<circle class="point" cx="{}" cy="{}" r="3.5" fill="{}"><title>{}: {}</title></circle>',
        (
            (_at(x), _at(y(score)), _colour(score), label, f"{score:g}")
            for x, score, label in scored
        ),
    )
    latest = (
        format_html(
            '<text x="{x}" y="{y}" font-size="12" font-weight="600" fill="{c}">{v}</text>',
            x=_at(scored[-1][0] + 6),
            y=_at(y(scored[-1][1]) + 4),
            c=_colour(scored[-1][1]),
            v=f"{scored[-1][1]:g}",
        )
        if scored
        else format_html(
            '<text x="{x}" y="{y}" font-size="11" fill="#5f6368">{v}</text>',
            x=TREND_PAD + 4,
            y=_at(TREND_H / 2),
            v=_("no data"),
        )
    )
    heading = format_html(
        '<text x="{x}" y="14" font-size="12" font-weight="600">{t}</text>', x=TREND_PAD, t=title
    )
    body = mark_safe(heading + grid + mark + line + dots + latest)
    return _svg(title, TREND_H, body, f"trend-{name}", width=TREND_W)
