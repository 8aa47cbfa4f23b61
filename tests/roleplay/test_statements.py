"""The live path's fixed statements store and read exactly what the ORM would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from roleplay.models import Message, Session
from roleplay.services.live import session_start
from roleplay.statements import (
    messages_insert,
    overdue_line_ids,
    session_lock,
    session_save_state,
)

START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def session(published, trainee, scheduled, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        return session_start(trainee=trainee, scenario=published[0])


def _fields(session: Session) -> dict:
    return {f.attname: getattr(session, f.attname) for f in Session._meta.concrete_fields}


@pytest.mark.django_db(transaction=True)
def test_session_lock_reads_the_row_as_the_orm_does(session):
    with transaction.atomic():
        locked = session_lock(session.pk)
    assert _fields(locked) == _fields(Session.objects.get(pk=session.pk))
    assert isinstance(locked.started_at, datetime) and locked.started_at.tzinfo is not None
    assert isinstance(locked.engine_state, dict) and locked.engine_state
    assert session_lock(session.pk + 1000) is None


@pytest.mark.django_db(transaction=True)
def test_session_save_state_stores_the_live_fields_and_nothing_else(session):
    with transaction.atomic():
        locked = session_lock(session.pk)
        locked.engine_state = {**locked.engine_state, "step": "elsewhere"}
        locked.reply_times = [1.5, 2.25]
        locked.timer_version, locked.timer_at = 7, START + timedelta(seconds=90)
        locked.last_seq = 41
        locked.status, locked.outcome, locked.end_reason = "ended", "成交", "outcome"
        locked.ended_at = START + timedelta(minutes=3)
        locked.seed = 12345  # fixed when the session starts: not a live field
        session_save_state(locked)
    stored = Session.objects.get(pk=session.pk)
    assert stored.engine_state["step"] == "elsewhere"
    assert stored.reply_times == [1.5, 2.25]
    assert (stored.timer_version, stored.timer_at) == (7, START + timedelta(seconds=90))
    assert (stored.last_seq, stored.status, stored.outcome) == (41, "ended", "成交")
    assert stored.ended_at == START + timedelta(minutes=3)
    assert stored.seed == session.seed


@pytest.mark.django_db(transaction=True)
def test_messages_insert_sets_keys_and_a_repeated_client_id_changes_nothing(session):
    before = Message.objects.filter(session=session).count()
    reply = Message(
        session=session,
        role=Message.Role.AGENT,
        text="亲，<b>在的</b>",
        at=START + timedelta(seconds=5),
        seq=90,
        client_id="c-1",
        events=[{"t": 1.0, "type": "insertText", "data": "亲"}],
        hits=[],
    )
    line = Message(
        session=session, role=Message.Role.BUYER, text="好的", due_at=START + timedelta(seconds=8)
    )
    with transaction.atomic():
        messages_insert([reply, line])
    assert reply.pk and line.pk and line.pk != reply.pk
    stored = Message.objects.get(pk=reply.pk)
    assert (stored.text, stored.client_id, stored.seq) == ("亲，<b>在的</b>", "c-1", 90)
    assert stored.events == [{"t": 1.0, "type": "insertText", "data": "亲"}]
    assert Message.objects.get(pk=line.pk).at is None

    again = Message(
        session=session,
        role=Message.Role.AGENT,
        text="再发",
        seq=91,
        at=START + timedelta(seconds=6),
        client_id="c-1",
    )
    other = Message(session=session, role=Message.Role.BUYER, text="不该留下")
    with pytest.raises(IntegrityError), transaction.atomic():
        messages_insert([other, again])
    assert Message.objects.filter(session=session).count() == before + 2
    assert not Message.objects.filter(text__in=["再发", "不该留下"]).exists()


@pytest.mark.django_db(transaction=True)
def test_overdue_line_ids_lists_unpushed_due_lines_oldest_first(session):
    late = Message(
        session=session, role=Message.Role.BUYER, text="二", due_at=START + timedelta(seconds=20)
    )
    early = Message(
        session=session, role=Message.Role.BUYER, text="一", due_at=START + timedelta(seconds=10)
    )
    future = Message(
        session=session, role=Message.Role.BUYER, text="三", due_at=START + timedelta(seconds=60)
    )
    with transaction.atomic():
        messages_insert([late, early, future])
    assert overdue_line_ids(session.pk, START + timedelta(seconds=30)) == [early.pk, late.pk]
    assert overdue_line_ids(session.pk, START + timedelta(seconds=5)) == []
