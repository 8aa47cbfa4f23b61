"""The buyer's lines: stored with the turn that caused them, pushed at once or delivered
when the buyer has "typed" them, and pushed late (stamped with the real push time) when the
process that was to deliver them stopped. Runs under the session's row lock."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from roleplay.holds import hold_for_shown
from roleplay.models import Message, Session
from roleplay.services.after_commit import AfterCommit
from roleplay.statements import (
    delivery_statements,
    messages_insert,
    overdue_line_ids,
    session_lock,
)
from scenarios import engine


def next_seq(session: Session) -> int:
    session.last_seq += 1
    return session.last_seq


def emit_lines(
    session: Session,
    lines: list[engine.BuyerLine],
    trigger_at: datetime,
    step: str,
    reason: str,
    after: AfterCommit,
    stored_first: tuple[Message, ...] = (),
) -> None:
    """Store the buyer's lines (after ``stored_first``, in one insert): a line without a
    typing delay is pushed at once, the others are delivered when the buyer has typed them
    (see ``after_commit`` for who delivers them)."""
    messages = list(stored_first)
    for line in lines:
        role = Message.Role.SYSTEM if line.kind == "leave" else Message.Role.BUYER
        message = Message(
            session=session,
            role=role,
            text=line.text,
            kind=line.kind,
            step=step,
            due_at=trigger_at + timedelta(seconds=line.delay_s),
            branch_reason=reason[:300],
        )
        if line.delay_s <= 0:
            # Stamped with the real push time; due_at keeps when it was planned, so the
            # lateness of timers (nudges, the buyer leaving) can be measured.
            message.at = max(trigger_at, timezone.now())
            message.seq = next_seq(session)
        messages.append(message)
    if not messages:
        return
    messages_insert(messages)
    for message in messages[len(stored_first) :]:
        if message.at is not None:
            after.push_message(message)
        else:
            after.deliver(message)


def deliver_overdue(session: Session, now: datetime, after: AfterCommit) -> None:
    """Push, in order, buyer lines whose typing delay is over but that were never pushed
    (the process that was to push them stopped). Stamped now: when the trainee could
    first see them."""
    overdue_ids = overdue_line_ids(session.pk, now)
    if not overdue_ids:
        return  # the usual case, answered by one fixed statement
    # Rare (a process stopped): the rows are loaded to be stamped one by one.
    for message in Message.objects.filter(pk__in=overdue_ids).order_by("due_at", "pk"):
        message.at = now
        message.seq = next_seq(session)
        message.save(update_fields=["at", "seq"])
        after.push_message(message)


@transaction.atomic
def message_deliver(*, message_id: int, session_id: int | None = None) -> AfterCommit:
    """The buyer finished "typing" a line: stamp it and push it (once: a line already
    delivered, by a retry or by a reply that ran the timers first, leaves nothing to do)."""
    after = AfterCommit()
    if session_id is None:
        session_id = (
            Message.objects.filter(pk=message_id).values_list("session_id", flat=True).first()
        )
        if session_id is None:
            return after
    lock_session, stamp_line, count_line = delivery_statements(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(lock_session, [session_id])
        row = cursor.fetchone()
        if row is None:
            return after
        seq, now = row[0] + 1, timezone.now()
        # Under the session lock: a line already delivered matches no row.
        cursor.execute(
            stamp_line, [connection.ops.adapt_datetimefield_value(now), seq, message_id, session_id]
        )
        row = cursor.fetchone()
        if row is None:
            return after
        cursor.execute(count_line, [seq, session_id])
    role, kind, text, client_id = row
    after.push_message(
        Message(
            pk=message_id,
            session_id=session_id,
            role=role,
            kind=kind,
            text=text,
            client_id=client_id,
            at=now,
            seq=seq,
        )
    )
    return after


def session_catch_up(*, session_id: int) -> AfterCommit:
    """On (re)connect: push lines left overdue, so the backlog the page gets is complete."""
    after = AfterCommit()
    now = timezone.now()
    if not overdue_line_ids(session_id, now):
        return after  # the usual case; the lines are looked up again under the session lock
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_id)
        deliver_overdue(session, now, after)
        session.save(update_fields=["last_seq"])
    return after


def session_attach(*, session_id: int) -> None:
    """The workbench connected: from now on the session's buyer waits for her lines to
    reach the page (``roleplay.holds``). Written once per session: a reconnect only reads
    (an UPDATE that matches nothing still takes SQLite's write lock)."""
    unattached = Session.objects.filter(pk=session_id, page_confirms=False)
    if unattached.exists():
        unattached.update(page_confirms=True)


@transaction.atomic
def lines_shown(*, session_id: int, shown: dict[int, datetime]) -> int:
    """Stamp the buyer's lines a page has confirmed (sequence number -> when the server
    sent them on that page's socket), once each, and stop the buyer's clock for the time
    each was due but not yet shown. Returns how many lines were stamped."""
    session = session_lock(session_id)
    if session is None or not shown:
        return 0
    lines = list(
        Message.objects.filter(session_id=session_id, seq__in=list(shown), shown_at__isnull=True)
        .exclude(role=Message.Role.AGENT)
        .order_by("seq")
    )
    for message in lines:
        message.shown_at = shown[message.seq]
        hold_for_shown(session, message.due_at or message.shown_at, message.shown_at)
    if lines:
        Message.objects.bulk_update(lines, ["shown_at"])
        Session.objects.filter(pk=session_id).update(
            held_s=session.held_s, held_until=session.held_until
        )
    return len(lines)
