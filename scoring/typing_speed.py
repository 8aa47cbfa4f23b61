"""Typing in chat (打字速度): typed versus pasted characters and characters per minute.

Per agent message:

* ``pasted_chars``: characters (non-whitespace code points) inserted by paste or quick-phrase
  events;
* ``typed_chars`` = max(0, characters of the sent text - ``pasted_chars``);
* ``compose_s`` = send time - time of the message's first input event.

IME composition updates (``insertCompositionText``: "n", "ni", "nih", "你好") add nothing by
themselves: only the committed text that was sent counts, through ``typed_chars``. A message
without events counts for nothing. The session's ``cpm`` is Σ typed_chars ÷ Σ compose_s × 60
over messages with ``typed_chars`` > 0, and null when there are none.

Input no person produces is an anomaly, reported and left out of the speed rather than
rewarded with 100 (docs/SCORING.md gives the sources of the figures):

* ``text_without_events``: more of the sent text than a browser slip (3 characters or 5%)
  was never inserted by any input event;
* ``implausibly_fast``: a reply of at least ``MIN_CHARS_FOR_SPEED`` typed characters composed
  faster than ``MAX_REPLY_CPM``;
* ``sustained_superhuman``: the session's speed over at least ``MIN_CHARS_SUSTAINED`` typed
  characters above ``MAX_SUSTAINED_CPM``, beyond the recorded best of competition typists on
  a standard keyboard. The session's ``cpm`` is then null and the typing dimension excluded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .inputs import PASTE_EVENT_TYPES, InputEvent, SessionMessage
from .normalize import count_chars
from .rounding import round_half_up

__all__ = [
    "MAX_REPLY_CPM",
    "MAX_SUSTAINED_CPM",
    "MessageTyping",
    "TypingReport",
    "measure_message",
    "measure_typing",
    "typing_score",
]

SECONDS_PLACES = 3
CPM_PLACES = 1
# The fastest recorded Chinese typing on a standard keyboard is about 316 字/分 (Wubi, over
# ten minutes, 1998); national competitions are won at 220-250 字/分. Sustained beyond it over
# a session, or far beyond it within one reply, is not a person typing.
MAX_SUSTAINED_CPM = 320.0
MIN_CHARS_SUSTAINED = 30
MAX_REPLY_CPM = 400.0
MIN_CHARS_FOR_SPEED = 10
# Characters a browser may fail to report (autocorrect, a dropped event) before the text
# counts as arriving without typing.
UNREPORTED_CHARS = 3
UNREPORTED_SHARE = 0.05
_TYPED_EVENT_TYPES = ("insertText", "insertCompositionText")


@dataclass(frozen=True, slots=True)
class MessageTyping:
    message: int
    typed_chars: int
    pasted_chars: int
    compose_s: float | None
    counted: bool  # whether it enters the session cpm
    reason: str | None = None  # why it does not, when it does not
    anomaly: str | None = None  # text_without_events or implausibly_fast

    def to_dict(self) -> dict[str, Any]:
        data = {
            "message": self.message,
            "typed_chars": self.typed_chars,
            "pasted_chars": self.pasted_chars,
            "compose_s": self.compose_s,
            "counted": self.counted,
            "reason": self.reason,
        }
        if self.anomaly is not None:
            data["anomaly"] = self.anomaly
        return data


@dataclass(frozen=True)
class TypingReport:
    typed_chars: int
    pasted_chars: int
    compose_s: float  # Σ compose_s over counted messages: the cpm's denominator
    cpm: float | None
    messages: tuple[MessageTyping, ...]
    reason: str | None = None  # why cpm is null, when it is
    # Every input anomaly: {"message": index or None for the session, "anomaly": code}.
    anomalies: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "typed_chars": self.typed_chars,
            "pasted_chars": self.pasted_chars,
            "compose_s": self.compose_s,
            "cpm": self.cpm,
            "reason": self.reason,
            "anomalies": list(self.anomalies),
            "messages": [m.to_dict() for m in self.messages],
        }


def measure_message(
    index: int, text: str, sent_t: float, events: Sequence[InputEvent] | None
) -> MessageTyping:
    if not events:
        return MessageTyping(index, 0, 0, None, False, "no input events recorded")
    pasted = sum(count_chars(e.data) for e in events if e.type in PASTE_EVENT_TYPES)
    typed = max(0, count_chars(text) - pasted)
    compose = round_half_up(sent_t - events[0].t, SECONDS_PLACES)
    if typed == 0:
        return MessageTyping(index, 0, pasted, compose, False, "nothing typed (all pasted)")
    inserted = sum(count_chars(e.data) for e in events if e.type in _TYPED_EVENT_TYPES)
    anomaly: tuple[str, str] | None = None
    if typed > inserted + max(UNREPORTED_CHARS, int(typed * UNREPORTED_SHARE)):
        anomaly = ("text_without_events", "text arrived without input events")
    elif typed >= MIN_CHARS_FOR_SPEED and (compose <= 0 or typed / compose * 60 > MAX_REPLY_CPM):
        anomaly = ("implausibly_fast", f"faster than {MAX_REPLY_CPM:g} characters a minute")
    if anomaly is not None:
        code, why = anomaly
        return MessageTyping(index, typed, pasted, compose, False, f"input anomaly: {why}", code)
    return MessageTyping(index, typed, pasted, compose, True)


def measure_typing(messages: Sequence[SessionMessage]) -> TypingReport:
    per_message = tuple(
        measure_message(i, m.text, m.t, m.events)
        for i, m in enumerate(messages)
        if m.role == "agent"
    )
    counted = [m for m in per_message if m.counted]
    typed = sum(m.typed_chars for m in counted)
    pasted = sum(m.pasted_chars for m in per_message)
    compose = round_half_up(sum(m.compose_s or 0.0 for m in counted), SECONDS_PLACES)
    anomalies = [{"message": m.message, "anomaly": m.anomaly} for m in per_message if m.anomaly]
    cpm: float | None = None
    reason: str | None = None
    if not counted:
        reason = (
            "input anomaly in every typed reply"
            if anomalies
            else "no agent message with typed characters"
        )
    elif compose <= 0:
        reason = "typed characters but no composing time recorded"
    elif typed >= MIN_CHARS_SUSTAINED and typed / compose * 60 > MAX_SUSTAINED_CPM:
        anomalies.append({"message": None, "anomaly": "sustained_superhuman"})
        reason = f"input anomaly: sustained above {MAX_SUSTAINED_CPM:g} characters a minute"
    else:
        cpm = round_half_up(typed / compose * 60, CPM_PLACES)
    return TypingReport(typed, pasted, compose, cpm, per_message, reason, tuple(anomalies))


def typing_score(cpm: float, required_cpm: float) -> float:
    """100 at or above the required speed, proportionally less below it."""
    return min(100.0, 100.0 * cpm / required_cpm)
