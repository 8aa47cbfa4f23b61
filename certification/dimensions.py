"""How each decided dimension is named and shown: its label, its unit and how a figure is
written, in the interface language. The one place for them: the attempt's result page and
API, the results dashboard, the certificate page and PDF and the signed credential all read
them here, so a figure reads the same wherever it appears. The decision itself is
certification.decision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from scoring.rounding import round_half_up

# One decimal, rounded half up, as the decision rounds before it compares: the page never
# shows a figure the decision did not judge.
PLACES = 1


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str | Promise
    unit: str | Promise  # "" when the figure needs none (a count)
    # Keep the decimal when it is zero ("97.0%"): a share is read to the tenth of a point.
    # Other figures drop it ("81 points", "6 s").
    fixed: bool = False

    def figure(self, value: float) -> str:
        """The number alone, as every page and the credential write it."""
        text = f"{round_half_up(value, PLACES):.{PLACES}f}"
        return text if self.fixed else text.removesuffix(".0")

    def text(self, value: float) -> str:
        """A measured figure with its unit: "72.4 characters/min", "97.3%", "4.2 s"."""
        return _with_unit(self.figure(value), str(self.unit))

    def mark_text(self, value: float) -> str:
        """A mark (a threshold a person set, a round number): "95%", "6 s"."""
        return _with_unit(
            f"{round_half_up(value, PLACES):.{PLACES}f}".removesuffix(".0"), str(self.unit)
        )


def _with_unit(figure: str, unit: str) -> str:
    if not unit:
        return figure
    return f"{figure}{unit}" if unit == "%" else f"{figure} {unit}"


_POINTS = pgettext_lazy("unit of a score", "points")
_SECONDS = _("s")

DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("typing_cpm", _("Typing speed"), _("characters/min")),
        Dimension("typing_accuracy", _("Typing accuracy"), "%", fixed=True),
        Dimension("compliance", _("Script compliance"), _POINTS),
        Dimension("first_response_median_s", _("Median first response"), _SECONDS),
        Dimension("first_response_max_s", _("Slowest first response"), _SECONDS),
        Dimension("total", _("Exam total"), _POINTS),
        Dimension("fatal_hits", _("Fatal compliance faults"), ""),
    )
}
# (label, unit) by name, for pages that print the two beside a figure of their own.
LABELS = {name: (d.label, d.unit) for name, d in DIMENSIONS.items()}
REASONS = {
    "met": _("met"),
    "missed": _("missed"),
    "not_measured": _("not measured"),
    "unanswered": _("a buyer was never answered"),
}

# What a certificate shows, in its order (certification.services.certificates copies these
# figures from the decided attempt).
CERTIFICATE_DIMENSIONS = (
    "typing_cpm",
    "typing_accuracy",
    "first_response_median_s",
    "compliance",
    "total",
)
# A certificate keeps the typing run's own accuracy, a share (0.973); the decision, and so
# every page, has it in percent.
_CERTIFICATE_SHARES = frozenset({"typing_accuracy"})


def dimension(name: str) -> Dimension:
    """The dimension called ``name``; one this version does not know is shown by its name."""
    return DIMENSIONS.get(name) or Dimension(name, name, "")


def percent(share: float) -> float:
    """A share (0 to 1) in percent, computed on its decimal digits so that rounding it half
    up is what a person would do on paper (0.0145 is 1.45, never 1.4499…)."""
    return float(Decimal(repr(float(share))) * 100)


def share_text(share: float, *, mark: bool = False) -> str:
    """A share (0 to 1) as a percentage, written as typing accuracy is everywhere: a
    measured one "97.0%", a mark "95%"."""
    shown = DIMENSIONS["typing_accuracy"]
    return shown.mark_text(percent(share)) if mark else shown.text(percent(share))


def certificate_figures(results: dict) -> list[tuple[Dimension, float]]:
    """A certificate's measured results in the certificate's order, on the scale pages show
    (accuracy in percent); those it does not hold are left out."""
    figures = []
    for name in CERTIFICATE_DIMENSIONS:
        value = (results or {}).get(name)
        if value is None:
            continue
        figures.append((DIMENSIONS[name], percent(value) if name in _CERTIFICATE_SHARES else value))
    return figures


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

    # Properties, not fields: the attempt API lists the fields (dataclasses.asdict).
    @property
    def measured_text(self) -> str:
        return "—" if self.measured is None else dimension(self.name).text(self.measured)

    @property
    def mark_text(self) -> str:
        return dimension(self.name).mark_text(self.mark)


def dimension_rows(results: dict) -> list[DimensionRow]:
    rows = []
    for item in results.get("dimensions") or []:
        shown = dimension(item["name"])
        rows.append(
            DimensionRow(
                name=item["name"],
                label=str(shown.label),
                unit=str(shown.unit),
                measured=item.get("measured"),
                mark=item["mark"],
                op="≥" if item["op"] == ">=" else "≤",
                ok=item["ok"],
                reason=str(REASONS.get(item["reason"], item["reason"])),
            )
        )
    return rows
