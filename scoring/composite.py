"""Dimension scores and the weighted total.

Five dimensions, each 0-100 and rounded half up to one decimal:

* ``response``: mean band score of all waits (see response.py);
* ``typing``: 100 at or above the required speed (default 60 cpm), cpm ÷ required × 100
  below it; a slow typist loses here and nowhere else;
* ``compliance``: 100 minus a penalty per rule hit by severity (defaults minor 5, major 15,
  fatal 30), floored at 0; any fatal hit caps it at ``fatal_cap`` (default 0). Required-point
  hits are listed with the others but scored in their own dimension, never twice;
* ``outcome``: the scenario result the caller passes in (e.g. 100 when the buyer paid);
* ``required_points``: covered points ÷ all points × 100.

A dimension without data (no buyer message, nothing typed, no agent message, no outcome
given, no required points) is *excluded*: it says why, and the total is the weighted mean of
the included dimensions, i.e. the remaining weights are renormalised. The total is computed
from the rounded dimension scores that the report shows, so a trainee can redo the sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .inputs import DIMENSIONS, Targets
from .rounding import round_half_up

__all__ = [
    "Dimension",
    "Total",
    "apply_caps",
    "combine",
    "compliance_score",
    "excluded",
    "included",
]

SCORE_PLACES = 1
SHARE_PLACES = 4


@dataclass(frozen=True)
class Dimension:
    name: str
    score: float | None  # None when excluded for lack of data
    weight: float = 0.0
    share: float = 0.0  # the weight's part of the total after renormalising
    reason: str | None = None  # why it is excluded
    inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def included(self) -> bool:
        return self.score is not None and self.weight > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "weight": self.weight,
            "share": self.share,
            "included": self.included,
            "reason": self.reason,
            "inputs": dict(self.inputs),
        }


@dataclass(frozen=True)
class Total:
    score: float | None
    used: tuple[str, ...]
    excluded: Mapping[str, str]
    renormalised: bool
    # The scenario's caps that this session's hits triggered (rule id -> highest total), and
    # the weighted total before them; empty when no cap applies.
    caps: Mapping[str, float] = field(default_factory=dict)
    uncapped: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "formula": "sum of score x weight over included dimensions / sum of their weights",
            "used": list(self.used),
            "excluded": dict(self.excluded),
            "renormalised": self.renormalised,
        }
        if self.caps:
            data["caps"] = dict(self.caps)
            data["uncapped"] = self.uncapped
        return data


def apply_caps(total: Total, caps: Mapping[str, float], rules_hit: set[str]) -> Total:
    """The total at most the lowest cap among the rules hit (a cap that is not lower than
    the total is still reported: the trainee sees the fault would have capped it)."""
    triggered = {rule: cap for rule, cap in caps.items() if rule in rules_hit}
    if not triggered:
        return total
    score = total.score
    if score is not None:
        score = min(score, min(triggered.values()))
    return replace(total, score=score, caps=triggered, uncapped=total.score)


def included(name: str, score: float, inputs: Mapping[str, Any]) -> Dimension:
    return Dimension(name, round_half_up(score, SCORE_PLACES), inputs=inputs)


def excluded(name: str, reason: str, inputs: Mapping[str, Any] | None = None) -> Dimension:
    return Dimension(name, None, reason=reason, inputs=inputs or {})


def compliance_score(severities: Sequence[str], targets: Targets) -> tuple[float, dict[str, Any]]:
    """Score from the severities of the counted hits, and the inputs that explain it."""
    counts = {severity: 0 for severity in targets.penalties}
    for severity in severities:
        counts[severity] += 1
    deductions = sum(targets.penalties[s] * n for s, n in counts.items())
    score = max(0.0, 100.0 - deductions)
    capped = counts.get("fatal", 0) > 0 and score > targets.fatal_cap
    if counts.get("fatal", 0) > 0:
        score = min(score, targets.fatal_cap)
    return score, {
        "counts": counts,
        "penalties": dict(targets.penalties),
        "deductions": deductions,
        "fatal_cap": targets.fatal_cap,
        "capped_by_fatal": capped,
        "formula": "max(0, 100 - sum of penalties); at most fatal_cap if any hit is fatal",
    }


def combine(
    dimensions: Sequence[Dimension], weights: Mapping[str, float]
) -> tuple[tuple[Dimension, ...], Total]:
    """Attach weights and shares, and compute the total over the included dimensions."""
    by_name = {d.name: d for d in dimensions}
    with_weights = []
    for name in DIMENSIONS:
        dim = by_name[name]
        weight = float(weights.get(name, 0.0))
        reason = dim.reason
        if reason is None and weight == 0:
            reason = "weight 0 in this scenario"
        with_weights.append(
            Dimension(name, dim.score, weight=weight, reason=reason, inputs=dim.inputs)
        )
    used = [d for d in with_weights if d.included]
    weight_sum = sum(d.weight for d in used)
    final = tuple(
        Dimension(
            d.name,
            d.score,
            weight=d.weight,
            share=round_half_up(d.weight / weight_sum, SHARE_PLACES) if d.included else 0.0,
            reason=d.reason,
            inputs=d.inputs,
        )
        for d in with_weights
    )
    score: float | None = None
    if used:
        total = sum(d.weight * (d.score or 0.0) for d in used) / weight_sum
        # Guard against the last ulp: a weighted mean of values in [0, 100] stays in [0, 100].
        score = round_half_up(min(100.0, max(0.0, total)), SCORE_PLACES)
    skipped = {d.name: d.reason or "" for d in final if not d.included}
    renormalised = any(d.weight > 0 for d in final if not d.included)
    return final, Total(score, tuple(d.name for d in used), skipped, renormalised)
