"""Validation: raw (JSON-like) input in, typed input out, or a ScoringInputError naming the field.

Records (reply lines, messages, events) ignore keys they do not know, so that stored
transcripts may carry ids and timestamps of their own. Configuration that a trainer writes
(``targets``, required points, forbidden statements) is strict: a misspelt key would otherwise
silently change a certification score.

One module on purpose: the input types every measure reads and their parsers share the field
checks (``_number``, ``_time``, ``_text``, ``_strict_keys``) that word every error alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import ScoringInputError
from .rulepack import POSITIONS, SEVERITIES
from .scenario import EMPTY_SCENARIO, ScenarioRules, parse_scenario_rules

__all__ = [
    "DEFAULT_PENALTIES",
    "DEFAULT_WEIGHTS",
    "DIMENSIONS",
    "EVENT_TYPES",
    "MAX_TEXT_CHARS",
    "PASTE_EVENT_TYPES",
    "Band",
    "InputEvent",
    "Outcome",
    "ReplyInput",
    "SessionInput",
    "SessionMessage",
    "Targets",
    "parse_context",
    "parse_reply",
    "parse_session",
    "parse_targets",
    "parse_typing_test",
]

MAX_TEXT_CHARS = 5000
# Times, weights and speeds beyond this are mistakes (a time of 31 million years); past it
# sums of weights overflow and the half-up rounding of reports (28 digits) fails.
MAX_NUMBER = 1e15
# A typing test's duration: shorter ones give speeds too large to round.
MIN_TYPING_TEST_SECONDS = 0.001
MAX_MESSAGES = 10_000
MAX_EVENTS = 100_000
EVENT_TYPES = (
    "insertText",
    "insertCompositionText",
    "insertFromPaste",
    "insertQuickPhrase",
    "deleteContentBackward",
)
# Characters inserted by these were not typed.
PASTE_EVENT_TYPES = ("insertFromPaste", "insertQuickPhrase")
DIMENSIONS = ("response", "typing", "compliance", "outcome", "required_points")
# Defaults when a scenario declares no weights; any scale works, they are normalised.
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"response": 25.0, "typing": 15.0, "compliance": 30.0, "outcome": 15.0, "required_points": 15.0}
)
DEFAULT_PENALTIES: Mapping[str, float] = MappingProxyType(
    {"minor": 5.0, "major": 15.0, "fatal": 30.0}
)
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class InputEvent:
    t: float
    type: str
    data: str


@dataclass(frozen=True, slots=True)
class SessionMessage:
    role: str  # "buyer" or "agent"
    t: float
    text: str
    # None: the client recorded no input events for this message (it then counts for nothing
    # in typing); an empty tuple is treated the same way.
    events: tuple[InputEvent, ...] | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """Full marks at or under ``target_s``, zero at or over ``limit_s``, linear between."""

    target_s: float
    limit_s: float

    def to_dict(self) -> dict[str, float]:
        return {"target_s": self.target_s, "limit_s": self.limit_s}


@dataclass(frozen=True)
class Targets:
    """What a scenario demands. Every field has a documented default (docs/SCORING.md)."""

    first_response: Band = Band(6.0, 10.0)
    response: Band = Band(15.0, 60.0)
    unanswered_score: float = 0.0
    required_cpm: float = 60.0
    fatal_cap: float = 0.0
    penalties: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_PENALTIES))
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    weights_declared: bool = False
    scenario: ScenarioRules = EMPTY_SCENARIO
    # The highest total a session may reach once it hit a rule: a false claim about stock
    # or delivery can fail a session however good the rest was (rule id -> 0-100).
    caps: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "first_response": self.first_response.to_dict(),
            "response": {**self.response.to_dict(), "unanswered_score": self.unanswered_score},
            "typing": {"required_cpm": self.required_cpm},
            "compliance": {"fatal_cap": self.fatal_cap, "penalties": dict(self.penalties)},
            "weights": dict(self.weights),
            "weights_declared": self.weights_declared,
            "required_points": [p.to_dict() for p in self.scenario.required_points],
            "forbidden": [f.text for f in self.scenario.forbidden],
            **({"caps": dict(self.caps)} if self.caps else {}),
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """The scenario's result (e.g. the buyer paid), scored 0-100 by the caller."""

    score: float
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault the conversation itself recorded (the trainee took back an offer, read a
    code out to a scammer): no sentence rule sees it, yet a scenario may cap the total for
    it. ``id`` is the name caps use; ``label`` is what the report shows."""

    id: str
    label: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "label": self.label}


MAX_FAULTS = 50


@dataclass(frozen=True)
class SessionInput:
    messages: tuple[SessionMessage, ...]
    targets: Targets = field(default_factory=Targets)
    outcome: Outcome | None = None
    faults: tuple[Fault, ...] = ()


@dataclass(frozen=True, slots=True)
class ReplyInput:
    id: str
    text: str
    position: str
    context: ScenarioRules = EMPTY_SCENARIO


# ----------------------------------------------------------------------- helpers


def _object(value: Any, field_name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScoringInputError(field_name, f"must be an object, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _number(value: Any, field_name: str) -> float:
    # bool is an int in Python but never a time or a score in JSON.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoringInputError(field_name, f"must be a number, not {_kind(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ScoringInputError(field_name, "must be a finite number")
    if abs(number) > MAX_NUMBER:
        raise ScoringInputError(field_name, f"must be at most {MAX_NUMBER:g} (got {number:g})")
    return number


def _time(value: Any, field_name: str) -> float:
    number = _number(value, field_name)
    if number < 0:
        raise ScoringInputError(field_name, f"must be >= 0 (got {_show(number)})")
    return number


def _show(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


def _text(value: Any, field_name: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise ScoringInputError(field_name, f"must be a string, not {_kind(value)}")
    if len(value) > limit:
        raise ScoringInputError(
            field_name, f"is {len(value)} characters long; the limit is {limit}"
        )
    if _SURROGATE.search(value):
        # JSON "\ud800" escapes decode to lone surrogates, which are not Unicode text.
        raise ScoringInputError(field_name, "contains an unpaired surrogate (not valid Unicode)")
    return value


def _strict_keys(raw: Mapping[str, Any], allowed: tuple[str, ...], field_name: str) -> None:
    for key in raw:
        if key not in allowed:
            where = f"{field_name}.{key}" if field_name else str(key)
            raise ScoringInputError(where, f"unknown key (allowed: {', '.join(allowed)})")


# ------------------------------------------------------------------------ replies


def parse_context(raw: Any, field_name: str = "context") -> ScenarioRules:
    """A reply's ``context``: ``required_points`` and ``forbidden``; other keys are ignored."""
    if raw is None:
        return EMPTY_SCENARIO
    return parse_scenario_rules(_object(raw, field_name), field_name)


def parse_reply(raw: Any) -> ReplyInput:
    """One line of ``python -m scoring replies``."""
    obj = _object(raw, "")
    for key in ("id", "text", "position"):
        if key not in obj:
            raise ScoringInputError(key, "is required")
    reply_id = obj["id"]
    if not isinstance(reply_id, str):
        raise ScoringInputError("id", f"must be a string, not {_kind(reply_id)}")
    _text(reply_id, "id", limit=200)
    position = obj["position"]
    if position not in POSITIONS:
        raise ScoringInputError("position", f"must be one of {', '.join(POSITIONS)}")
    return ReplyInput(
        id=reply_id,
        text=_text(obj["text"], "text"),
        position=position,
        context=parse_context(obj.get("context")),
    )


# ------------------------------------------------------------------------ targets


def _band(raw: Any, default: Band, field_name: str) -> tuple[Band, Mapping[str, Any]]:
    obj = _object(raw, field_name)
    target = _time(obj.get("target_s", default.target_s), f"{field_name}.target_s")
    limit = _time(obj.get("limit_s", default.limit_s), f"{field_name}.limit_s")
    if limit <= target:
        raise ScoringInputError(
            f"{field_name}.limit_s", f"must be greater than target_s ({_show(target)})"
        )
    return Band(target, limit), obj


def _score_value(value: Any, field_name: str) -> float:
    number = _number(value, field_name)
    if not 0 <= number <= 100:
        raise ScoringInputError(field_name, f"must be between 0 and 100 (got {_show(number)})")
    return number


def parse_targets(raw: Any, field_name: str = "targets") -> Targets:
    """A scenario's targets; missing parts take the documented defaults."""
    if raw is None:
        return Targets()
    obj = _object(raw, field_name)
    allowed = (
        "first_response",
        "response",
        "typing",
        "compliance",
        "weights",
        "required_points",
        "forbidden",
        "caps",
    )
    _strict_keys(obj, allowed, field_name)
    defaults = Targets()
    first = _first_response_target(obj, field_name, defaults)
    later, unanswered = _response_target(obj, field_name, defaults)
    required_cpm = _typing_target(obj, field_name, defaults)
    fatal_cap, penalties = _compliance_target(obj, field_name, defaults)
    weights, declared = _weights_target(obj, field_name, defaults)
    return Targets(
        first_response=first,
        response=later,
        unanswered_score=unanswered,
        required_cpm=required_cpm,
        fatal_cap=fatal_cap,
        penalties=penalties,
        weights=weights,
        weights_declared=declared,
        scenario=parse_scenario_rules(obj, field_name),
        caps=_caps_target(obj, field_name),
    )


_CAP_RULE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def _caps_target(obj: Mapping[str, Any], field_name: str) -> Mapping[str, float]:
    if obj.get("caps") is None:
        return {}
    where = f"{field_name}.caps"
    caps = _object(obj["caps"], where)
    result: dict[str, float] = {}
    for rule, value in caps.items():
        if not isinstance(rule, str) or not _CAP_RULE.match(rule):
            raise ScoringInputError(where, f"not a rule id: {rule!r}")
        result[rule] = _score_value(value, f"{where}.{rule}")
    return result


def _first_response_target(obj: Mapping[str, Any], field_name: str, defaults: Targets) -> Band:
    if obj.get("first_response") is None:
        return defaults.first_response
    where = f"{field_name}.first_response"
    first, sub = _band(obj["first_response"], defaults.first_response, where)
    _strict_keys(sub, ("target_s", "limit_s"), where)
    return first


def _response_target(
    obj: Mapping[str, Any], field_name: str, defaults: Targets
) -> tuple[Band, float]:
    if obj.get("response") is None:
        return defaults.response, defaults.unanswered_score
    where = f"{field_name}.response"
    later, sub = _band(obj["response"], defaults.response, where)
    _strict_keys(sub, ("target_s", "limit_s", "unanswered_score"), where)
    if "unanswered_score" not in sub:
        return later, defaults.unanswered_score
    return later, _score_value(sub["unanswered_score"], f"{where}.unanswered_score")


def _typing_target(obj: Mapping[str, Any], field_name: str, defaults: Targets) -> float:
    if obj.get("typing") is None:
        return defaults.required_cpm
    where = f"{field_name}.typing"
    sub = _object(obj["typing"], where)
    _strict_keys(sub, ("required_cpm",), where)
    if "required_cpm" not in sub:
        return defaults.required_cpm
    required_cpm = _number(sub["required_cpm"], f"{where}.required_cpm")
    if required_cpm <= 0:
        raise ScoringInputError(f"{where}.required_cpm", "must be > 0")
    return required_cpm


def _compliance_target(
    obj: Mapping[str, Any], field_name: str, defaults: Targets
) -> tuple[float, dict[str, float]]:
    fatal_cap = defaults.fatal_cap
    penalties = dict(defaults.penalties)
    if obj.get("compliance") is None:
        return fatal_cap, penalties
    where = f"{field_name}.compliance"
    sub = _object(obj["compliance"], where)
    _strict_keys(sub, ("fatal_cap", "penalties"), where)
    if "fatal_cap" in sub:
        fatal_cap = _score_value(sub["fatal_cap"], f"{where}.fatal_cap")
    if sub.get("penalties") is not None:
        given = _object(sub["penalties"], f"{where}.penalties")
        _strict_keys(given, SEVERITIES, f"{where}.penalties")
        for severity, value in given.items():
            penalties[severity] = _score_value(value, f"{where}.penalties.{severity}")
    return fatal_cap, penalties


def _weights_target(
    obj: Mapping[str, Any], field_name: str, defaults: Targets
) -> tuple[dict[str, float], bool]:
    """The weights, and whether the scenario declared them."""
    if obj.get("weights") is None:
        return dict(defaults.weights), False
    where = f"{field_name}.weights"
    given = _object(obj["weights"], where)
    _strict_keys(given, DIMENSIONS, where)
    # Declared weights replace the defaults as a whole: a dimension left out weighs 0.
    weights = {dim: 0.0 for dim in DIMENSIONS}
    for dim, value in given.items():
        weight = _number(value, f"{where}.{dim}")
        if weight < 0:
            raise ScoringInputError(f"{where}.{dim}", "must be >= 0")
        weights[dim] = weight
    if not any(weights.values()):
        raise ScoringInputError(where, "at least one weight must be > 0")
    return weights, True


# ------------------------------------------------------------------------ session


def _events(
    raw: Any, field_name: str, message_t: float, earliest: float | None
) -> tuple[InputEvent, ...]:
    if not isinstance(raw, list):
        raise ScoringInputError(field_name, f"must be a list, not {_kind(raw)}")
    if len(raw) > MAX_EVENTS:
        raise ScoringInputError(field_name, f"more than {MAX_EVENTS} events")
    events: list[InputEvent] = []
    previous: float | None = None
    for i, item in enumerate(raw):
        where = f"{field_name}[{i}]"
        obj = _object(item, where)
        if "t" not in obj:
            raise ScoringInputError(f"{where}.t", "is required")
        t = _time(obj["t"], f"{where}.t")
        if previous is not None and t < previous:
            raise ScoringInputError(
                f"{where}.t", f"must be >= previous event time ({_show(previous)})"
            )
        if t > message_t:
            raise ScoringInputError(
                f"{where}.t", f"must be <= the message's send time ({_show(message_t)})"
            )
        if i == 0 and earliest is not None and t < earliest:
            # Input before the previous agent message was sent belongs to that message.
            raise ScoringInputError(
                f"{where}.t",
                f"must be >= the previous agent message's time ({_show(earliest)})",
            )
        event_type = obj.get("type")
        if event_type not in EVENT_TYPES:
            raise ScoringInputError(f"{where}.type", f"must be one of {', '.join(EVENT_TYPES)}")
        data = obj.get("data")
        # Browsers report data null for deletions and some composition updates.
        data = "" if data is None else _text(data, f"{where}.data")
        events.append(InputEvent(t, event_type, data))
        previous = t
    return tuple(events)


def parse_session(raw: Any, field_name: str = "") -> SessionInput:
    """The ``python -m scoring session`` document: ``messages``, ``targets``, ``outcome``,
    ``faults``."""
    obj = _object(raw, field_name)
    prefix = f"{field_name}." if field_name else ""
    # In this order, so that of several mistakes the same one is reported first.
    messages = _messages(obj, prefix)
    outcome = _outcome(obj.get("outcome"), f"{prefix}outcome")
    targets = parse_targets(obj.get("targets"), f"{prefix}targets")
    faults = _faults(obj.get("faults"), f"{prefix}faults")
    return SessionInput(messages=messages, targets=targets, outcome=outcome, faults=faults)


def _faults(raw: Any, where: str) -> tuple[Fault, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ScoringInputError(where, f"must be a list, not {_kind(raw)}")
    if len(raw) > MAX_FAULTS:
        raise ScoringInputError(where, f"more than {MAX_FAULTS} faults")
    faults: list[Fault] = []
    for index, item in enumerate(raw):
        at = f"{where}[{index}]"
        entry = _object(item, at)
        _strict_keys(entry, ("id", "label"), at)
        for key in ("id", "label"):
            if key not in entry:
                raise ScoringInputError(f"{at}.{key}", "is required")
        fault_id = _text(entry["id"], f"{at}.id", limit=60)
        if not _CAP_RULE.match(fault_id):
            raise ScoringInputError(f"{at}.id", "must be lower-case letters, digits and _")
        faults.append(Fault(fault_id, _text(entry["label"], f"{at}.label", limit=200)))
    return tuple(faults)


def _messages(obj: Mapping[str, Any], prefix: str) -> tuple[SessionMessage, ...]:
    if "messages" not in obj:
        raise ScoringInputError(f"{prefix}messages", "is required")
    items = obj["messages"]
    if not isinstance(items, list):
        raise ScoringInputError(f"{prefix}messages", f"must be a list, not {_kind(items)}")
    if len(items) > MAX_MESSAGES:
        raise ScoringInputError(f"{prefix}messages", f"more than {MAX_MESSAGES} messages")
    messages: list[SessionMessage] = []
    previous_t: float | None = None
    last_agent_t: float | None = None
    for i, item in enumerate(items):
        message = _message(item, f"{prefix}messages[{i}]", previous_t, last_agent_t)
        messages.append(message)
        previous_t = message.t
        if message.role == "agent":
            last_agent_t = message.t
    return tuple(messages)


def _message(
    item: Any, where: str, previous_t: float | None, last_agent_t: float | None
) -> SessionMessage:
    msg = _object(item, where)
    for key in ("role", "t", "text"):
        if key not in msg:
            raise ScoringInputError(f"{where}.{key}", "is required")
    role = msg["role"]
    if role not in ("buyer", "agent"):
        raise ScoringInputError(f"{where}.role", 'must be "buyer" or "agent"')
    t = _time(msg["t"], f"{where}.t")
    if previous_t is not None and t < previous_t:
        raise ScoringInputError(
            f"{where}.t", f"must be >= previous message time ({_show(previous_t)})"
        )
    text = _text(msg["text"], f"{where}.text")
    events: tuple[InputEvent, ...] | None = None
    if msg.get("events") is not None:
        if role != "agent":
            if msg["events"] != []:
                raise ScoringInputError(f"{where}.events", "only agent messages carry events")
        else:
            events = _events(msg["events"], f"{where}.events", t, last_agent_t)
    return SessionMessage(role, t, text, events)


def _outcome(raw: Any, where: str) -> Outcome | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        return Outcome(_score_value(raw, where))
    _strict_keys(raw, ("score", "label"), where)
    if "score" not in raw:
        raise ScoringInputError(f"{where}.score", "is required")
    label = raw.get("label")
    if label is not None:
        label = _text(label, f"{where}.label", limit=200)
    return Outcome(_score_value(raw["score"], f"{where}.score"), label)


# --------------------------------------------------------------------- typing test


def parse_typing_test(reference: Any, typed: Any, seconds: Any) -> tuple[str, str, float]:
    """Check the typing-test inputs; the reference must have at least one character."""
    ref = _text(reference, "reference")
    if not "".join(ref.split()):
        raise ScoringInputError("reference", "has no characters besides whitespace")
    typed_text = _text(typed, "typed")
    duration = _number(seconds, "seconds")
    if duration <= 0:
        raise ScoringInputError("seconds", f"must be > 0 (got {_show(duration)})")
    if duration < MIN_TYPING_TEST_SECONDS:
        raise ScoringInputError(
            "seconds", f"must be at least {MIN_TYPING_TEST_SECONDS:g} (got {duration:g})"
        )
    return ref, typed_text, duration
