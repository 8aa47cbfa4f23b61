"""Pass or fail: an attempt's measured results against its track version's marks.

Pure Python (no Django), deterministic: the same inputs give the same decision, with the
reason per dimension. Figures are rounded (half up, one decimal; accuracy as a percentage)
before they are compared, so the page never says "80.0, mark ≥ 80: failed".
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from certification.track_spec import Marks, TypingPolicy
from scoring.rounding import round_half_up

AT_LEAST, AT_MOST = ">=", "<="


@dataclass(frozen=True)
class Conversation:
    """What one exam conversation's report says, as the decision needs it."""

    compliance: float | None  # the compliance dimension's score; None: no reply to judge
    first_response_s: float | None  # None: the buyer wrote and was never answered
    total: float | None
    fatal_hits: int


@dataclass(frozen=True)
class Verdict:
    name: str
    measured: float | None
    mark: float
    op: str  # AT_LEAST or AT_MOST
    ok: bool
    reason: str  # "met", "missed" or "not_measured"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    passed: bool
    dimensions: tuple[Verdict, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "dimensions": [d.to_dict() for d in self.dimensions]}


def _verdict(name: str, measured: float | None, mark: float, op: str) -> Verdict:
    if measured is None:
        return Verdict(name, None, mark, op, False, "not_measured")
    value = round_half_up(measured, 1)
    ok = value >= mark if op == AT_LEAST else value <= mark
    return Verdict(name, value, mark, op, ok, "met" if ok else "missed")


def decide(
    *,
    marks: Marks,
    typing_policy: TypingPolicy,
    typing_cpm: float | None,
    typing_accuracy: float | None,
    conversations: Sequence[Conversation],
) -> Decision:
    """Every dimension must meet its mark. A conversation whose buyer was never answered
    has no first response: the median counts it as the slowest, and the maximum fails.
    A conversation with nothing to judge for compliance or total counts as 0."""
    firsts = [c.first_response_s for c in conversations]
    answered = [f for f in firsts if f is not None]
    if not conversations:
        median = longest = None
    elif len(answered) == len(firsts):
        median, longest = statistics.median(answered), max(answered)
    else:
        slowest = float("inf")
        median = statistics.median([slowest if f is None else f for f in firsts])
        median = None if median == slowest else median
        longest = None
    verdicts = [
        _verdict("typing_cpm", typing_cpm, typing_policy.min_cpm, AT_LEAST),
        _verdict(
            "typing_accuracy",
            None if typing_accuracy is None else typing_accuracy * 100,
            typing_policy.min_accuracy * 100,
            AT_LEAST,
        ),
        _verdict(
            "compliance",
            _mean([c.compliance or 0.0 for c in conversations]),
            marks.compliance,
            AT_LEAST,
        ),
        _verdict("first_response_median_s", median, marks.first_response_median_s, AT_MOST),
        (
            _verdict("first_response_max_s", longest, marks.first_response_max_s, AT_MOST)
            if len(answered) == len(firsts)
            else Verdict(
                "first_response_max_s",
                None,
                marks.first_response_max_s,
                AT_MOST,
                False,
                "unanswered",
            )
        ),
        _verdict("total", _mean([c.total or 0.0 for c in conversations]), marks.total, AT_LEAST),
        _verdict(
            "fatal_hits",
            float(sum(c.fatal_hits for c in conversations)) if conversations else None,
            marks.fatal_hits,
            AT_MOST,
        ),
    ]
    return Decision(all(v.ok for v in verdicts), tuple(verdicts))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
