"""How each decided dimension is named and shown (labels and units in the interface
language); the decision itself is certification.decision."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

LABELS = {
    "typing_cpm": (_("Typing speed"), _("characters/min")),
    "typing_accuracy": (_("Typing accuracy"), "%"),
    "compliance": (_("Script compliance"), _("points")),
    "first_response_median_s": (_("Median first response"), _("s")),
    "first_response_max_s": (_("Slowest first response"), _("s")),
    "total": (_("Total score"), _("points")),
    "fatal_hits": (_("Fatal compliance faults"), ""),
}
REASONS = {
    "met": _("met"),
    "missed": _("missed"),
    "not_measured": _("not measured"),
    "unanswered": _("a buyer was never answered"),
}


@dataclass(frozen=True)
class DimensionRow:
    name: str
    label: str
    unit: str
    measured: float | None
    mark: float
    op: str
    ok: bool
    reason: str


def dimension_rows(results: dict) -> list[DimensionRow]:
    rows = []
    for item in results.get("dimensions") or []:
        label, unit = LABELS.get(item["name"], (item["name"], ""))
        rows.append(
            DimensionRow(
                name=item["name"],
                label=str(label),
                unit=str(unit),
                measured=item.get("measured"),
                mark=item["mark"],
                op="≥" if item["op"] == ">=" else "≤",
                ok=item["ok"],
                reason=str(REASONS.get(item["reason"], item["reason"])),
            )
        )
    return rows
