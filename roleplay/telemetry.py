"""Checking the input events a page sends with a reply, and placing them on server time.

The page records events on its own clock (milliseconds). Only their offsets before the
send are trusted: each event is placed at ``received_at - (sent_t - t)``, so the server's
clock stays the only clock, and compose time is measured the same way for everyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# The events the page records are the ones the scoring package reads: one vocabulary.
from scoring.inputs import EVENT_TYPES

MAX_EVENTS = 5000
MAX_EVENT_DATA = 1000
MAX_COMPOSE_S = 30 * 60
# Faster than this, sustained over a reply, no person types Chinese: flagged, not refused.
MAX_HUMAN_CPM = 600
# The page's clock is performance.now() (Date.now() would be about 1.8e12): a larger value
# is no clock reading, and a huge integer would overflow the float arithmetic below.
MAX_CLOCK_MS = 10**15


class TelemetryError(ValueError):
    """The events cannot be right; the message says which and why."""


@dataclass
class Telemetry:
    events: list[dict]  # on the session clock, in the scoring package's shape
    pasted_chars: int
    typed_chars: int
    flags: list[str] = field(default_factory=list)

    def findings(self) -> dict:
        return {
            "pasted_chars": self.pasted_chars,
            "typed_chars": self.typed_chars,
            "flags": list(self.flags),
        }


def _chars(text: str) -> int:
    return len("".join(text.split()))


def telemetry_check(
    events, sent_t, text: str, received_s: float, previous_agent_s: float
) -> Telemetry:
    """Validate events and convert them to seconds on the session clock."""
    if events is None:
        events = []
    _check_batch(events, sent_t)
    placed = _placed(events, sent_t, received_s)

    flags: list[str] = []
    if placed and placed[0]["t"] < previous_agent_s:
        # The page's clock disagrees with the server's about when typing began; never let a
        # reply's composing overlap the previous reply.
        flags.append("clock_adjusted")
        for event in placed:
            event["t"] = max(event["t"], previous_agent_s)
    pasted = sum(
        _chars(e["data"]) for e in placed if e["type"] in ("insertFromPaste", "insertQuickPhrase")
    )
    typed = max(0, _chars(text) - pasted)
    if pasted:
        flags.append("pasted")
    if _text_without_events(placed, text):
        flags.append("text_without_events")
    if _implausibly_fast(placed, typed, received_s):
        flags.append("implausibly_fast")
    return Telemetry(placed, pasted, typed, flags)


def _check_batch(events, sent_t) -> None:
    if not isinstance(events, list):
        raise TelemetryError("events must be a list")
    if len(events) > MAX_EVENTS:
        raise TelemetryError(f"at most {MAX_EVENTS} input events per reply")
    if events and sent_t is None:
        raise TelemetryError("sent_t (the page's clock at sending) is required with events")
    if sent_t is not None:
        _check_clock_reading(sent_t, "sent_t")


def _check_clock_reading(value, where: str) -> None:
    """A reading of the page's clock: a finite number of milliseconds. NaN and Infinity
    (which Python's json reads) would fail the database's JSON check when stored."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TelemetryError(f"{where} must be a number (milliseconds)")
    if isinstance(value, float) and not math.isfinite(value):
        raise TelemetryError(f"{where} must be a finite number")
    if abs(value) > MAX_CLOCK_MS:
        raise TelemetryError(f"{where} must be within ±{MAX_CLOCK_MS} (milliseconds)")


def _placed(events: list, sent_t, received_s: float) -> list[dict]:
    """The checked events, each placed at ``received_s - (sent_t - t)`` (in seconds)."""
    placed: list[dict] = []
    previous_t = None
    for index, event in enumerate(events):
        t, kind, data = _checked_event(event, f"events[{index}]", previous_t, sent_t)
        previous_t = t
        placed.append({"t": received_s - (sent_t - t) / 1000, "type": kind, "data": data})
    return placed


def _checked_event(event, where: str, previous_t, sent_t) -> tuple[int | float, str, str]:
    """One event's time (page clock, milliseconds), type and data, or a TelemetryError."""
    if not isinstance(event, dict):
        raise TelemetryError(f"{where} must be an object")
    t, kind, data = event.get("t"), event.get("type"), event.get("data", "")
    _check_clock_reading(t, f"{where}.t")
    if kind not in EVENT_TYPES:
        raise TelemetryError(f"{where}.type must be one of {', '.join(EVENT_TYPES)}")
    if not isinstance(data, str) or len(data) > MAX_EVENT_DATA:
        raise TelemetryError(f"{where}.data must be text of at most {MAX_EVENT_DATA} characters")
    _check_event_time(t, where, previous_t, sent_t)
    return t, kind, data


def _check_event_time(t, where: str, previous_t, sent_t) -> None:
    if previous_t is not None and t < previous_t:
        raise TelemetryError(f"{where}.t is earlier than the event before it")
    if t > sent_t:
        raise TelemetryError(f"{where}.t is later than the reply was sent")
    if (sent_t - t) / 1000 > MAX_COMPOSE_S:
        raise TelemetryError(f"{where}.t is more than {MAX_COMPOSE_S // 60} minutes before sending")


def _text_without_events(placed: list[dict], text: str) -> bool:
    """Less than half the reply's characters were ever inserted by an event."""
    inserted = sum(_chars(e["data"]) for e in placed if e["type"] != "deleteContentBackward")
    return bool(_chars(text)) and inserted < _chars(text) // 2


def _implausibly_fast(placed: list[dict], typed: int, received_s: float) -> bool:
    if not placed or not typed:
        return False
    span = received_s - placed[0]["t"]
    return span > 0 and typed / span * 60 > MAX_HUMAN_CPM
