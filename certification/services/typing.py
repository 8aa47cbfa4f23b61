"""The typing test (打字测试): start a run, finish it, judge whether a person typed it.

The server's clock is the only one that counts. ``started_at`` is stamped when the passage
is handed to the page, and a run lasts until the server receives it, at most the time
allowed plus ``GRACE_S`` for the page's last request to arrive; what the page says about
its own clock only places its input events (roleplay.telemetry, the same check a role-play
reply gets), so a page claiming a longer run gains nothing.

Speed and accuracy are the scoring package's typing-test measure (``score_typing_test``).
A run whose input no person could have produced is kept, with the reasons in ``flags``, and
never certified (``TypingTest.plausible``).
"""

from __future__ import annotations

import math
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import TypingTest
from certification.selectors.typing import typing_meets, typing_policy
from certification.typing_passages import passage_choose, passage_key, passages
from roleplay.telemetry import (
    MAX_CLOCK_MS,
    MAX_EVENT_DATA,
    MAX_EVENTS,
    TelemetryError,
    telemetry_check,
)
from scoring import score_typing_test
from scoring.errors import ScoringInputError
from scoring.inputs import EVENT_TYPES, PASTE_EVENT_TYPES
from simulator.service_errors import Conflict

__all__ = [
    "FLAG_TEXTS",
    "typing_meets",
    "typing_test_finish",
    "typing_test_start",
]

# The page submits by itself when the time is up; this covers its request's way here.
GRACE_S = 10
MAX_TYPED_CHARS = 2000  # ten times the longest passage: more is no attempt at it
MAX_PASTES = 10_000
# Sustained speed. Everyday pinyin typists manage 40-100 字/分 (the job asks 60: DOMAIN.md,
# source 000); the fastest Chinese typists in contests, with shape-based input (五笔), are
# reported at around 200-300 字/分. 400 字/分 kept up for 10 s is above all of them. The
# window is 10 s because an IME commits a whole word or phrase at once: bursts of a second
# or two far above this are normal and are not judged. (roleplay.telemetry judges a whole
# reply against 600, since a short reply leaves little time to measure; it is applied here
# too, over the whole run.)
MAX_SUSTAINED_CPM = 400
SUSTAINED_WINDOW_S = 10.0
# Characters in the text that no input event inserted, beyond which the text did not come
# from typing: a few for browsers that change text without reporting it (autocorrect).
UNREPORTED_CHARS = 3
UNREPORTED_SHARE = 0.05
# Events that put characters in the box by typing (a composition is recorded once, when
# it is committed: typing_test.js).
TYPED_EVENT_TYPES = ("insertText", "insertCompositionText")

# Why a run is not counted, as the result page tells the trainee.
FLAG_TEXTS = {
    "pasted": gettext_lazy("Text was pasted (or a paste was tried)."),
    "text_without_events": gettext_lazy("Part of the text arrived with no typing recorded for it."),
    "implausibly_fast": gettext_lazy("The typing was faster than any person types."),
    "clock_inconsistent": gettext_lazy(
        "The page's timing does not agree with the server's (typing before the passage was shown)."
    ),
    "events_inconsistent": gettext_lazy("The recorded typing is out of order or outside the run."),
    "late": gettext_lazy("The run was submitted after the time allowed."),
}


def _chars(text: str) -> int:
    return len("".join(text.split()))


@transaction.atomic
def typing_test_start(*, trainee) -> TypingTest:
    """A new run with a drawn passage; a run still going is abandoned (one at a time)."""
    # Lock the trainee's row: two starts at once must not leave two runs going.
    get_user_model().objects.select_for_update().filter(pk=trainee.pk).first()
    running = TypingTest.objects.filter(trainee=trainee, status=TypingTest.Status.RUNNING)
    running.update(status=TypingTest.Status.ABANDONED, finished_at=timezone.now())
    pool = passages()
    previous = TypingTest.objects.filter(trainee=trainee).order_by("-started_at", "-pk").first()
    seed = secrets.randbits(62)
    passage = passage_choose(seed, pool)
    if previous and len(pool) > 1 and previous.passage_key.endswith(":" + passage.key):
        seed += 1  # not the passage typed last time; still drawn from the stored seed
        passage = passage_choose(seed, pool)
    test = TypingTest(
        trainee=trainee,
        passage_key=passage_key(seed, passage),
        reference=passage.text,
        seconds_allowed=typing_policy().seconds,
        started_at=timezone.now(),
    )
    test.full_clean()
    test.save()
    return test


def typing_test_finish(*, trainee, test_id: int, typed, events, pastes, sent_t=None) -> TypingTest:
    """Score a run on the server's clock and judge its input. ``events``: the page's input
    events ({"t": ms on the page's clock, "type", "data"}); ``sent_t``: the page's clock
    when it sent them. A resend of a finished run returns it as stored."""
    _check_input(typed, events, pastes, sent_t)
    with transaction.atomic():
        test = TypingTest.objects.select_for_update().filter(pk=test_id, trainee=trainee).first()
        if test is None:
            raise ObjectDoesNotExist(_("No such typing test."))
        if test.status == TypingTest.Status.FINISHED:
            return test  # the page resent its finish (a lost answer): the first one stands
        if test.status == TypingTest.Status.ABANDONED:
            raise Conflict(
                _("This run was replaced by a newer one and can no longer be handed in.")
            )
        now = timezone.now()
        elapsed = max(0.0, (now - test.started_at).total_seconds())
        limit = test.seconds_allowed + GRACE_S
        seconds = max(min(elapsed, limit), 0.001)
        placed, flags = _judge(typed, events, pastes, sent_t, elapsed)
        if elapsed > limit:
            flags.append("late")
        try:
            result = score_typing_test(test.reference, typed, seconds)
        except ScoringInputError as exc:
            raise ValidationError(str(exc)) from None
        test.status = TypingTest.Status.FINISHED
        test.finished_at = now
        test.typed = typed
        test.events = placed
        test.pastes = pastes
        test.seconds = round(seconds, 3)
        test.cpm = result.cpm
        test.accuracy = result.accuracy
        test.result = {
            **result.to_dict(),
            "reference_chars": result.reference_chars,
            "typed_chars": result.typed_chars,
            "elapsed_s": round(elapsed, 3),
        }
        test.flags = flags
        test.full_clean()
        test.save()
    return test


def _check_input(typed, events, pastes, sent_t) -> None:
    """What the page sent has the right shape and size, or a ValidationError saying what."""
    if not isinstance(typed, str):
        raise ValidationError(_("The typed text must be text."))
    if len(typed) > MAX_TYPED_CHARS:
        raise ValidationError(
            _("The typed text is too long (at most %(n)d characters).") % {"n": MAX_TYPED_CHARS}
        )
    if isinstance(pastes, bool) or not isinstance(pastes, int) or not 0 <= pastes <= MAX_PASTES:
        raise ValidationError(_("The number of pastes must be a whole number from 0."))
    if not isinstance(events, list):
        raise ValidationError(_("The input events must be a list."))
    if len(events) > MAX_EVENTS:
        raise ValidationError(_("Too many input events (at most %(n)d).") % {"n": MAX_EVENTS})
    if events and not _clock_reading(sent_t):
        raise ValidationError(_("The page's clock at sending (sent_t) is missing or not a number."))
    for index, event in enumerate(events):
        if not (
            isinstance(event, dict)
            and _clock_reading(event.get("t"))
            and event.get("type") in EVENT_TYPES
            and isinstance(event.get("data", ""), str)
            and len(event.get("data", "")) <= MAX_EVENT_DATA
        ):
            raise ValidationError(
                _(
                    "Input event %(i)d is not valid: it needs a time t (milliseconds), a type "
                    "(%(types)s) and data (text of at most %(n)d characters)."
                )
                % {"i": index, "types": ", ".join(EVENT_TYPES), "n": MAX_EVENT_DATA}
            )


def _clock_reading(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) <= MAX_CLOCK_MS


def _judge(typed: str, events: list, pastes: int, sent_t, elapsed: float):
    """The events placed on the run's clock (seconds since the passage was shown) and the
    plausibility flags, in a fixed order."""
    flags: set[str] = set()
    if pastes:
        flags.add("pasted")
    try:
        # The shapes are checked above, so a TelemetryError here is about time: events out
        # of order, after the sending, or long before it.
        telemetry = telemetry_check(events, sent_t, typed, elapsed, 0.0) if events else None
    except TelemetryError:
        telemetry = None
        flags.add("events_inconsistent")
        # Kept as sent (times on the page's clock, in milliseconds) for whoever looks.
        placed = [
            {"t_page_ms": e["t"], "type": e["type"], "data": e.get("data", "")} for e in events
        ]
    else:
        placed = telemetry.events if telemetry else []
    if telemetry is not None:
        # roleplay's names, and "clock_adjusted" (typing before the start) said for this page.
        renamed = {"clock_adjusted": "clock_inconsistent"}
        flags.update(renamed.get(flag, flag) for flag in telemetry.flags)
    if any(e["type"] in PASTE_EVENT_TYPES for e in events):
        flags.add("pasted")
    if _unreported_chars(typed, events):
        flags.add("text_without_events")
    if telemetry is not None and _sustained_superhuman(telemetry.events):
        flags.add("implausibly_fast")
    return placed, [flag for flag in FLAG_TEXTS if flag in flags]


def _unreported_chars(typed: str, events: list) -> bool:
    """More of the text than a slip of the browser arrived with no event inserting it.
    Characters deleted again were inserted too, so this never accuses a typist."""
    inserted = sum(_chars(e.get("data", "")) for e in events if e["type"] in TYPED_EVENT_TYPES)
    allowance = max(UNREPORTED_CHARS, int(_chars(typed) * UNREPORTED_SHARE))
    return _chars(typed) > inserted + allowance


def _sustained_superhuman(placed: list[dict]) -> bool:
    """Some stretch of at least SUSTAINED_WINDOW_S between two events saw characters typed
    faster than MAX_SUSTAINED_CPM. Each event starts a stretch ending at the first event
    SUSTAINED_WINDOW_S or more later (two pointers: linear in the events)."""
    typed = [(e["t"], _chars(e["data"])) for e in placed if e["type"] in TYPED_EVENT_TYPES]
    cumulative = [0]
    for _t, chars in typed:
        cumulative.append(cumulative[-1] + chars)
    end = 0
    for start in range(len(typed)):
        end = max(end, start + 1)
        while end < len(typed) and typed[end][0] - typed[start][0] < SUSTAINED_WINDOW_S:
            end += 1
        if end == len(typed):
            return False
        span = typed[end][0] - typed[start][0]
        # The characters of the events after ``start`` up to ``end``: typed in ``span``.
        chars = cumulative[end + 1] - cumulative[start + 1]
        if chars / span * 60 > MAX_SUSTAINED_CPM:
            return True
    return False
