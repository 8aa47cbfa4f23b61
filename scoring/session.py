"""Score a whole role-play session: the measures, the dimensions and the total."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .compliance import Hit, check_normalized, locate_required_point
from .composite import (
    Dimension,
    Total,
    apply_caps,
    combine,
    compliance_score,
    excluded,
    included,
)
from .inputs import (
    Fault,
    Outcome,
    SessionInput,
    SessionMessage,
    Targets,
    parse_session,
    parse_targets,
)
from .matcher import Matcher
from .normalize import NormalizedText, normalize
from .response import ResponseReport, measure_response
from .rulepack import Rulepack, load_rulepack
from .scenario import REQUIRED_RULE, ScenarioRules
from .typing_speed import TypingReport, measure_typing, typing_score

__all__ = [
    "ENGINE_VERSION",
    "MessageHit",
    "PointCoverage",
    "SessionReport",
    "score_session",
]

# Bump whenever a change to the code can change a score: reports store it next to the
# rule-pack version and hash.
ENGINE_VERSION = "1.3.0"


@dataclass(frozen=True, slots=True)
class MessageHit:
    """A compliance hit placed in the session. ``message`` is None for a session-level hit
    (a required point never covered), which has no message to point into."""

    message: int | None
    hit: Hit
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, **self.hit.to_dict(), "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class PointCoverage:
    id: str
    covered: bool
    message: int | None = None
    start: int | None = None
    end: int | None = None
    evidence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "covered": self.covered,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class SessionReport:
    engine_version: str
    rulepack: Mapping[str, Any]
    targets: Targets
    response: ResponseReport
    typing: TypingReport
    hits: tuple[MessageHit, ...]
    points: tuple[PointCoverage, ...]
    outcome: Outcome | None
    dimensions: tuple[Dimension, ...]
    total: Total
    faults: tuple[Fault, ...] = ()

    def dimension(self, name: str) -> Dimension:
        for dim in self.dimensions:
            if dim.name == name:
                return dim
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Exactly what ``python -m scoring session`` prints."""
        return {
            "engine": {"name": "scoring", "version": self.engine_version},
            "rulepack": dict(self.rulepack),
            "targets": self.targets.to_dict(),
            "response": self.response.to_dict(),
            "typing": self.typing.to_dict(),
            "compliance": {"hits": [h.to_dict() for h in self.hits]},
            "required_points": {"points": [p.to_dict() for p in self.points]},
            "outcome": (
                None
                if self.outcome is None
                else {"score": self.outcome.score, "label": self.outcome.label}
            ),
            "dimensions": {d.name: d.to_dict() for d in self.dimensions},
            "total": self.total.score,
            "total_inputs": self.total.to_dict(),
            "faults": [fault.to_dict() for fault in self.faults],
        }


def _positions(agent_indexes: list[int]) -> dict[int, str]:
    if len(agent_indexes) == 1:
        return {agent_indexes[0]: "only"}
    positions = {i: "middle" for i in agent_indexes}
    if agent_indexes:
        positions[agent_indexes[0]] = "first"
        positions[agent_indexes[-1]] = "last"
    return positions


def score_session(
    session: SessionInput | Mapping[str, Any],
    targets: Targets | Mapping[str, Any] | None = None,
    rulepack: Rulepack | None = None,
) -> SessionReport:
    """Score a session. ``targets`` (the scenario's) replaces the session's own when given."""
    if not isinstance(session, SessionInput):
        session = parse_session(session)
    effective = _effective_targets(session, targets)
    pack = rulepack if rulepack is not None else load_rulepack()
    matcher = pack.matcher
    messages = session.messages

    response = measure_response(messages, effective)
    typing = measure_typing(messages)

    agent_indexes = [i for i, m in enumerate(messages) if m.role == "agent"]
    # Forbidden statements are per message; required points are judged over the session.
    hits, normalized = _message_hits(messages, agent_indexes, effective, matcher)
    points = _point_coverage(messages, agent_indexes, normalized, effective, hits)
    hits.sort(
        key=lambda h: (
            h.message is None,
            h.message or 0,
            h.hit.start,
            h.hit.end,
            h.hit.rule,
        )
    )

    dims = [
        _response_dimension(response),
        _typing_dimension(typing, effective),
        _compliance_dimension(hits, agent_indexes, effective),
        _outcome_dimension(session.outcome),
        _points_dimension(points),
    ]
    final_dims, total = combine(dims, effective.weights)
    if effective.caps:
        # A fault the conversation recorded caps the total as a rule hit does.
        rules_hit = {rule for h in hits for rule in (h.hit.rule, *h.hit.also)}
        rules_hit |= {fault.id for fault in session.faults}
        total = apply_caps(total, effective.caps, rules_hit)
    return SessionReport(
        engine_version=ENGINE_VERSION,
        rulepack=pack.identity(),
        targets=effective,
        response=response,
        typing=typing,
        hits=tuple(hits),
        points=tuple(points),
        outcome=session.outcome,
        dimensions=final_dims,
        total=total,
        faults=session.faults,
    )


def _effective_targets(
    session: SessionInput, targets: Targets | Mapping[str, Any] | None
) -> Targets:
    if targets is None:
        return session.targets
    if isinstance(targets, Targets):
        return targets
    return parse_targets(targets)


def _message_hits(
    messages: tuple[SessionMessage, ...],
    agent_indexes: list[int],
    effective: Targets,
    matcher: Matcher,
) -> tuple[list[MessageHit], dict[int, NormalizedText]]:
    """Each agent message's hits, and its normalised text (for the required points)."""
    positions = _positions(agent_indexes)
    per_message = ScenarioRules(forbidden=effective.scenario.forbidden)
    normalized: dict[int, NormalizedText] = {}
    hits: list[MessageHit] = []
    for index in agent_indexes:
        text = messages[index].text
        nt = normalize(text)
        normalized[index] = nt
        for hit in check_normalized(nt, positions[index], per_message, matcher):
            hits.append(MessageHit(index, hit, text[hit.start : hit.end]))
    return hits, normalized


def _point_coverage(
    messages: tuple[SessionMessage, ...],
    agent_indexes: list[int],
    normalized: dict[int, NormalizedText],
    effective: Targets,
    hits: list[MessageHit],
) -> list[PointCoverage]:
    """Where each required point is first covered; a point never covered adds a hit."""
    points: list[PointCoverage] = []
    for point in effective.scenario.required_points:
        coverage = PointCoverage(point.id, False)
        for index in agent_indexes:
            span = locate_required_point(normalized[index].text, point)
            if span is not None:
                start, end = normalized[index].to_original(*span)
                text = messages[index].text
                coverage = PointCoverage(point.id, True, index, start, end, text[start:end])
                break
        points.append(coverage)
        if not coverage.covered:
            hits.append(
                MessageHit(None, Hit(REQUIRED_RULE, point.severity, 0, 0, point.suggestion), "")
            )
    return points


def _response_dimension(response: ResponseReport) -> Dimension:
    if response.score is None:
        return excluded("response", "no buyer message, so nothing to respond to")
    return included("response", response.score, response.inputs())


def _typing_dimension(typing: TypingReport, effective: Targets) -> Dimension:
    if typing.cpm is None:
        return excluded("typing", typing.reason or "no typing data")
    return included(
        "typing",
        typing_score(typing.cpm, effective.required_cpm),
        {
            "cpm": typing.cpm,
            "required_cpm": effective.required_cpm,
            "formula": "100 at or above required_cpm, else cpm / required_cpm x 100",
        },
    )


def _compliance_dimension(
    hits: list[MessageHit], agent_indexes: list[int], effective: Targets
) -> Dimension:
    if not agent_indexes:
        return excluded("compliance", "no agent message to check")
    counted = [h.hit.severity for h in hits if h.hit.rule != REQUIRED_RULE]
    score, inputs = compliance_score(counted, effective)
    inputs["not_counted"] = f"{REQUIRED_RULE} hits are scored under required_points"
    return included("compliance", score, inputs)


def _outcome_dimension(outcome: Outcome | None) -> Dimension:
    if outcome is None:
        return excluded("outcome", "no outcome given for this session")
    return included("outcome", outcome.score, {"score": outcome.score, "label": outcome.label})


def _points_dimension(points: list[PointCoverage]) -> Dimension:
    if not points:
        return excluded("required_points", "the scenario lists no required points")
    covered = sum(1 for p in points if p.covered)
    return included(
        "required_points",
        100.0 * covered / len(points),
        {
            "covered": covered,
            "total": len(points),
            "missing": [p.id for p in points if not p.covered],
            "formula": "covered / total x 100",
        },
    )
