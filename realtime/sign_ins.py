"""Open sockets follow their sign-in: when a user's sign-in may have ended (their password
was changed or reset, they signed out), every socket of theirs is told to check its own.

A Django session carries a hash of the password it was opened with; pages refuse it once
that no longer matches, but an open WebSocket was authenticated once, at its handshake, and
would otherwise go on. Each socket joins its user's group; on this message it reloads its
session and closes itself if that sign-in no longer holds (the browser that changed its own
password keeps its sockets: its session was given the new hash).
"""

from __future__ import annotations

import logging

from django.db import transaction

from realtime.push import group_send_sync
from simulator.background import record_failure

logger = logging.getLogger(__name__)

# The close code a socket uses when its sign-in has ended (4000-4999: the application's).
SIGNED_OUT_CLOSE_CODE = 4401
RECHECK = "user.sign_in_changed"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def sockets_recheck_sign_in(user_id: int, renewed: dict[str, str] | None = None) -> None:
    """Once the current transaction commits, tell the user's open sockets to check their
    sign-in. ``renewed`` maps a session key that was replaced (the browser that changed its
    own password got a new one) to its successor, which those sockets adopt. A push that
    fails is logged and counted: those sockets then end at their next reconnect, whose
    handshake checks the sign-in."""
    message = {"type": RECHECK, "renewed": dict(renewed or {})}

    def push() -> None:
        try:
            group_send_sync(user_group(user_id), message)
        except Exception as exc:  # the change itself is committed and stands
            record_failure("socket sign-in recheck", exc)

    transaction.on_commit(push)
