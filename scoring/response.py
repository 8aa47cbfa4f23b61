"""Response times (响应时间): waits, first and average response, band scores.

A *wait* starts at the first buyer message after the last agent message (or after the start)
and ends at the next agent message; several buyer messages in a row are one wait. The first
wait of the session is scored against the first-response band (default 6 s / 10 s, seed 001
and 002), later waits against the later band (default 15 s / 60 s). A band gives 100 at or
under its target, 0 at or over its limit and falls linearly between. A wait that never got an
answer scores ``unanswered_score`` (default 0). The dimension score is the mean of all waits'
scores, so a trainee can recompute it from the listed waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .inputs import Band, SessionMessage, Targets
from .rounding import round_half_up

__all__ = ["ResponseReport", "Wait", "band_score", "measure_response"]

SECONDS_PLACES = 3
SCORE_PLACES = 1


def band_score(wait_s: float, band: Band) -> float:
    """100 at or under the target, 0 at or over the limit, linear between."""
    if wait_s <= band.target_s:
        return 100.0
    if wait_s >= band.limit_s:
        return 0.0
    return 100.0 * (band.limit_s - wait_s) / (band.limit_s - band.target_s)


@dataclass(frozen=True, slots=True)
class Wait:
    buyer_message: int  # index of the buyer message that opened the wait
    start_t: float
    band: str  # "first" or "later"
    target_s: float
    limit_s: float
    score: float
    agent_message: int | None = None  # None: never answered
    end_t: float | None = None
    wait_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "buyer_message": self.buyer_message,
            "start_t": self.start_t,
        }
        if self.agent_message is not None:
            data.update(agent_message=self.agent_message, end_t=self.end_t, wait_s=self.wait_s)
        data.update(band=self.band, target_s=self.target_s, limit_s=self.limit_s, score=self.score)
        return data


@dataclass(frozen=True)
class ResponseReport:
    first_s: float | None
    average_s: float | None
    waits: tuple[float, ...]
    unanswered: tuple[Wait, ...]
    details: tuple[Wait, ...]  # every wait in order, answered or not
    score: float | None  # None when the buyer never wrote
    unanswered_score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "first_s": self.first_s,
            "average_s": self.average_s,
            "waits": list(self.waits),
            "unanswered": [w.to_dict() for w in self.unanswered],
            "details": [w.to_dict() for w in self.details],
        }

    def inputs(self) -> dict[str, Any]:
        """What the response dimension was computed from."""
        return {
            "wait_scores": [w.score for w in self.details],
            "unanswered": len(self.unanswered),
            "unanswered_score": self.unanswered_score,
            "formula": "mean of the band score of every wait; an unanswered wait scores "
            "unanswered_score",
        }


def measure_response(messages: Sequence[SessionMessage], targets: Targets) -> ResponseReport:
    details: list[Wait] = []
    open_wait: tuple[int, float] | None = None

    def band_for(index: int) -> tuple[str, Band]:
        return ("first", targets.first_response) if index == 0 else ("later", targets.response)

    for index, message in enumerate(messages):
        if message.role == "buyer":
            if open_wait is None:
                open_wait = (index, message.t)
        elif open_wait is not None:
            buyer_index, start = open_wait
            wait_s = round_half_up(message.t - start, SECONDS_PLACES)
            name, band = band_for(len(details))
            details.append(
                Wait(
                    buyer_message=buyer_index,
                    start_t=start,
                    band=name,
                    target_s=band.target_s,
                    limit_s=band.limit_s,
                    score=round_half_up(band_score(wait_s, band), SCORE_PLACES),
                    agent_message=index,
                    end_t=message.t,
                    wait_s=wait_s,
                )
            )
            open_wait = None
    if open_wait is not None:
        buyer_index, start = open_wait
        name, band = band_for(len(details))
        details.append(
            Wait(
                buyer_message=buyer_index,
                start_t=start,
                band=name,
                target_s=band.target_s,
                limit_s=band.limit_s,
                score=targets.unanswered_score,
            )
        )
    answered = tuple(w.wait_s for w in details if w.wait_s is not None)
    first = details[0].wait_s if details else None
    average = round_half_up(sum(answered) / len(answered), SECONDS_PLACES) if answered else None
    score = (
        round_half_up(sum(w.score for w in details) / len(details), SCORE_PLACES)
        if details
        else None
    )
    return ResponseReport(
        first_s=first,
        average_s=average,
        waits=answered,
        unanswered=tuple(w for w in details if w.wait_s is None),
        details=tuple(details),
        score=score,
        unanswered_score=targets.unanswered_score,
    )
