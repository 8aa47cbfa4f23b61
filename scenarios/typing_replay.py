"""A self-test's trainee typing, as the workbench would record it.

A self-test may say how fast its trainee types (``typing_cpm``); each reply then carries the
input events a person typing it would produce, so the typing dimension is scored as in a
live session. The meaning checks use the same arithmetic to refuse timings no person could
keep (a 60-character reply typed in 4 seconds).
"""

from __future__ import annotations

from scoring.normalize import count_chars

# A quick phrase is picked and inserted about a second before it is sent.
PASTE_LEAD_S = 1.0


def typing_seconds(text: str, cpm: float) -> float:
    """How long typing ``text`` takes at ``cpm`` characters a minute (whitespace is free,
    as in the typing score)."""
    return count_chars(text) * 60.0 / cpm


def typed_events(text: str, sent_at: float, cpm: float) -> list[dict]:
    """Input events of ``text`` typed at an even ``cpm`` and sent at ``sent_at``: what the
    workbench records of a person typing (one character every 60/cpm seconds, then Enter),
    so a self-test's typing is scored as a live session's is."""
    characters = [c for c in text if not c.isspace()]
    step = 60.0 / cpm
    start = sent_at - step * len(characters)
    return [
        {"t": round(start + step * index, 3), "type": "insertText", "data": character}
        for index, character in enumerate(characters)
    ]


def pasted_events(text: str, sent_at: float) -> list[dict]:
    """A quick phrase: the whole text inserted at once, a second before it is sent."""
    return [{"t": round(sent_at - PASTE_LEAD_S, 3), "type": "insertQuickPhrase", "data": text}]
