"""Checking the input events a page sends with a reply, and placing them on server time.

The page records events on its own clock (milliseconds). Only their offsets before the
send are trusted: each event is placed at ``received_at - (sent_t - t)``, so the server's
clock stays the only clock, and compose time is measured the same way for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EVENT_TYPES = ("insertText", "insertCompositionText", "insertFromPaste", "insertQuickPhrase",
               "deleteContentBackward")
MAX_EVENTS = 5000
MAX_EVENT_DATA = 1000
MAX_COMPOSE_S = 30 * 60
# Faster than this, sustained over a reply, no person types Chinese: flagged, not refused.
MAX_HUMAN_CPM = 600


class TelemetryError(ValueError):
    """The events cannot be right; the message says which and why."""


@dataclass
class Telemetry:
    events: list[dict]  # on the session clock, in the scoring package's shape
    pasted_chars: int
    typed_chars: int
    flags: list[str] = field(default_factory=list)

    def findings(self) -> dict:
        return {"pasted_chars": self.pasted_chars, "typed_chars": self.typed_chars,
                "flags": list(self.flags)}


def _chars(text: str) -> int:
    return len("".join(text.split()))


def telemetry_check(events, sent_t, text: str, received_s: float, previous_agent_s: float
                    ) -> Telemetry:
    """Validate events and convert them to seconds on the session clock."""
    if events is None:
        events = []
    if not isinstance(events, list):
        raise TelemetryError("events must be a list")
    if len(events) > MAX_EVENTS:
        raise TelemetryError(f"at most {MAX_EVENTS} input events per reply")
    if events and (isinstance(sent_t, bool) or not isinstance(sent_t, int | float)):
        raise TelemetryError("sent_t (the page's clock at sending) is required with events")
    placed: list[dict] = []
    previous_t = None
    for index, event in enumerate(events):
        where = f"events[{index}]"
        if not isinstance(event, dict):
            raise TelemetryError(f"{where} must be an object")
        t, kind, data = event.get("t"), event.get("type"), event.get("data", "")
        if isinstance(t, bool) or not isinstance(t, int | float):
            raise TelemetryError(f"{where}.t must be a number (milliseconds)")
        if kind not in EVENT_TYPES:
            raise TelemetryError(f"{where}.type must be one of {', '.join(EVENT_TYPES)}")
        if not isinstance(data, str) or len(data) > MAX_EVENT_DATA:
            raise TelemetryError(f"{where}.data must be text of at most {MAX_EVENT_DATA} "
                                 "characters")
        if previous_t is not None and t < previous_t:
            raise TelemetryError(f"{where}.t is earlier than the event before it")
        if t > sent_t:
            raise TelemetryError(f"{where}.t is later than the reply was sent")
        if (sent_t - t) / 1000 > MAX_COMPOSE_S:
            raise TelemetryError(f"{where}.t is more than {MAX_COMPOSE_S // 60} minutes before "
                                 "sending")
        previous_t = t
        placed.append({"t": received_s - (sent_t - t) / 1000, "type": kind, "data": data})

    flags: list[str] = []
    if placed and placed[0]["t"] < previous_agent_s:
        # The page's clock disagrees with the server's about when typing began; never let a
        # reply's composing overlap the previous reply.
        flags.append("clock_adjusted")
        for event in placed:
            event["t"] = max(event["t"], previous_agent_s)
    pasted = sum(_chars(e["data"]) for e in placed
                 if e["type"] in ("insertFromPaste", "insertQuickPhrase"))
    typed = max(0, _chars(text) - pasted)
    if pasted:
        flags.append("pasted")
    inserted = sum(_chars(e["data"]) for e in placed if e["type"] != "deleteContentBackward")
    if _chars(text) and inserted < _chars(text) // 2:
        flags.append("text_without_events")
    if placed and typed:
        span = received_s - placed[0]["t"]
        if span > 0 and typed / span * 60 > MAX_HUMAN_CPM:
            flags.append("implausibly_fast")
    return Telemetry(placed, pasted, typed, flags)
