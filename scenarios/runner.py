"""The session runner: one pure implementation of a role-play conversation's moves, shared
by the live session (``roleplay``), the self-tests and the trainer's dry-run
(``scenarios.simulation``), so the three cannot drift apart.

Pure (no Django, no clock): times are seconds on the session's clock, and callers decide
how the buyer's lines reach the trainee. It wraps the engine with what every caller needs:
firing the timers due before a moment in order, the reason recorded with each buyer line,
and the scoring package's input and targets built from a transcript.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from scenarios import engine
from scenarios.validation import ScenarioSpec
from scoring import SessionReport, score_session
from yamlsource.i18n import gettext as _

DEFAULT_OUTCOME_SCORES = {"成交": 100, "转主管": 60, "流失": 0, "差评": 0}
# The reason recorded with a buyer line that no branch caused (a nudge after silence).
NUDGE_REASON = "nudge"
# The trainee's two ways to close a chat from the workbench and the outcome each ends it
# with: handing it to a supervisor (转接主管) is scored by the scenario's 转主管 score (a
# scenario makes it 100 where escalating is right, 0 where it is a way out); ending it before
# an outcome (结束会话) loses the buyer.
CLOSING_OUTCOMES = {"transfer": "转主管", "end": "流失"}


def close(state: engine.State, action: str) -> engine.State:
    """The conversation ended by the trainee's ``action`` (a key of CLOSING_OUTCOMES)."""
    return replace(state, outcome=CLOSING_OUTCOMES[action])


@dataclass(frozen=True)
class TimedTurn:
    """A timer that fired: when it was due on the session clock, and the buyer's move."""

    at: float
    turn: engine.Turn

    @property
    def reason(self) -> str:
        return turn_reason(self.turn, NUDGE_REASON)


def turn_reason(turn: engine.Turn, default: str = "") -> str:
    return turn.match.reason if turn.match else default


def start(spec: ScenarioSpec, seed: int) -> engine.Turn:
    """The buyer opens the chat at second 0."""
    return engine.start(spec, seed, at=0.0)


def fire_due_timers(spec: ScenarioSpec, state: engine.State, until: float) -> list[TimedTurn]:
    """Every timer due at or before ``until`` (nudges, silence branches, the patience limit),
    fired in order; the last turn's state is the new state. A reply at ``until`` must not
    overtake a timer that was due before it, however late the caller runs."""
    fired: list[TimedTurn] = []
    while not state.ended:
        due = engine.next_timer(spec, state)
        if due is None or due > until:
            break
        turn = engine.on_time(spec, state, due)
        fired.append(TimedTurn(due, turn))
        state = turn.state
    return fired


def reply(
    spec: ScenarioSpec, state: engine.State, text: str, at: float, *, first: bool, hits=None
) -> engine.Turn:
    """The trainee's reply at ``at`` (timers due before it already fired)."""
    return engine.on_reply(spec, state, text, at, "first" if first else "middle", hits=hits)


class ChatLine(Protocol):
    """A line of a finished conversation as scoring sees it (a stored message or a
    simulated transcript line)."""

    role: str  # buyer | agent | system
    kind: str
    text: str


def scored(line: ChatLine) -> bool:
    """Whether scoring sees this line: system notices are not chat, and the buyer's closing
    line ends the chat (nobody is expected to answer it, so it opens no wait)."""
    return line.role in ("buyer", "agent") and line.kind != "final"


def required_points(spec: ScenarioSpec) -> list[dict]:
    """The scenario's required points in the scoring package's keyword-group shape."""
    points = []
    for point in spec.data.get("required_points") or []:
        intent = spec.intents[point["intent"]]
        groups: list = []
        if intent.get("any"):
            groups.append(list(intent["any"]))
        groups.extend(intent.get("all") or [])
        entry = {"id": point["intent"], "all": groups}
        for key in ("suggestion", "severity"):
            if point.get(key):
                entry[key] = point[key]
        if not entry.get("suggestion") and intent.get("description"):
            entry["suggestion"] = intent["description"]
        points.append(entry)
    return points


def scoring_targets(spec: ScenarioSpec) -> dict:
    targets = dict(spec.data.get("scoring") or {})
    targets.pop("outcomes", None)
    targets["required_points"] = required_points(spec)
    targets["forbidden"] = list(spec.data.get("forbidden") or [])
    return targets


def outcome_score(spec: ScenarioSpec, outcome: str) -> float:
    scores = {**DEFAULT_OUTCOME_SCORES, **((spec.data.get("scoring") or {}).get("outcomes") or {})}
    return float(scores[outcome])


def session_faults(spec: ScenarioSpec, state: engine.State | None) -> list[dict]:
    """The faults the conversation recorded, as the scoring package takes them: each fault
    a branch recorded, then each offer taken back (named by its commitment, so a cap on
    the commitment's name applies)."""
    if state is None:
        return []
    labels = spec.data.get("faults") or {}
    faults = [{"id": name, "label": labels[name]} for name in state.faults if name in labels]
    commitments = spec.data.get("commitments") or {}
    for name in state.withdrawn:
        if name in commitments:
            label = _("took back the offer “%(offer)s”") % {"offer": commitments[name]["label"]}
            faults.append({"id": name, "label": label})
    return faults


def scoring_input(
    spec: ScenarioSpec,
    lines: Iterable[tuple[float, ChatLine, list | None]],
    outcome: str | None,
    state: engine.State | None = None,
) -> dict:
    """The scoring package's session document: ``lines`` are (seconds on the session clock,
    line, the agent's input events or None), in the order they were delivered; ``state``
    the engine's final state (the faults it recorded)."""
    messages = []
    for t, line, events in lines:
        if not scored(line):
            continue
        entry: dict = {"role": line.role, "t": round(t, 3), "text": line.text}
        if line.role == "agent" and events:
            entry["events"] = events
        messages.append(entry)
    data: dict = {"messages": messages}
    if outcome:
        data["outcome"] = {"score": outcome_score(spec, outcome), "label": outcome}
    faults = session_faults(spec, state)
    if faults:
        data["faults"] = faults
    return data


def score(
    spec: ScenarioSpec,
    lines: Iterable[tuple[float, ChatLine, list | None]],
    outcome: str | None,
    rulepack=None,
    state: engine.State | None = None,
) -> SessionReport:
    document = scoring_input(spec, lines, outcome, state)
    return score_session(document, scoring_targets(spec), rulepack)
