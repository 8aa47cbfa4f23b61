"""The buyer's clock: the session clock minus the time her lines had not reached the page.

A buyer line's wait, her nudge and her patience limit count from the moment the line was
shown, not from when the server meant to show it. While a line that is due has not reached
a connected page (the database was locked when it was to be delivered, the page was
reconnecting), the buyer's clock stands still; once the page confirms the line, the time it
stood still is kept in ``Session.held_s``. A line no page ever showed is not held against
the trainee: scoring leaves it out (``selectors.scored_messages``).

"Shown" is decided by the server, not by the page's word: a line counts as shown at the
moment the server sent it on a socket that later confirmed it, by a receipt or by any other
frame (a reply, a heartbeat). A page that holds back its receipts gains nothing; one that
closes its socket without a word is shown the line again when it reconnects, and the report
says how long was not counted.

This applies to sessions whose page confirms what it shows (``Session.page_confirms``, set
when the workbench first connects). A session driven without a page keeps the plain clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from roleplay.models import Session


@dataclass(frozen=True)
class BuyerClock:
    """The buyer's clock of one session at one moment (``now``, server time).

    ``unshown_since``: when the oldest due line that no page has confirmed was due (None:
    every due line has been shown, or the session is not page-confirmed)."""

    session: Session
    now: datetime
    unshown_since: datetime | None = None

    @property
    def pending_s(self) -> float:
        """How long the clock has stood still so far for lines not shown yet."""
        if self.unshown_since is None:
            return 0.0
        held_until = self.session.held_until
        start = max(self.unshown_since, held_until) if held_until else self.unshown_since
        return max(0.0, (self.now - start).total_seconds())

    @property
    def seconds(self) -> float:
        """Now, on the buyer's clock (the engine's time axis)."""
        wall = (self.now - self.session.started_at).total_seconds()
        return wall - self.session.held_s - self.pending_s

    def wall(self, seconds: float) -> datetime:
        """The server time at which the buyer's clock reads ``seconds``, if it runs on
        from now (a timer's due moment)."""
        return self.now + timedelta(seconds=seconds - self.seconds)


def hold_for_shown(session: Session, due: datetime, shown: datetime) -> None:
    """A line due at ``due`` was shown at ``shown``: the buyer's clock stood still in
    between (time already counted for an earlier line is not counted twice)."""
    start = max(due, session.held_until) if session.held_until else due
    if shown > start:
        session.held_s += (shown - start).total_seconds()
        session.held_until = shown
