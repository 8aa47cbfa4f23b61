"""Fixed SQL statements for the live path: every reply, buyer line and wake-up of every live
session runs them, and building ORM queries costs several times the statements themselves.

Values go through each field's own database preparation, so the statements store exactly
what the ORM would; the SQL is portable (PostgreSQL, and SQLite 3.35+ for RETURNING).
Everything else in the project uses the ORM.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from django.db import connection
from django.db.models import Model

from roleplay.models import Message, Session

# What the live path changes on a session row; the rest is fixed when the session starts.
SESSION_STATE_FIELDS = (
    "status",
    "outcome",
    "end_reason",
    "ended_at",
    "engine_state",
    "timer_version",
    "timer_at",
    "last_seq",
    "reply_times",
)
_MESSAGE_FIELDS = tuple(f for f in Message._meta.concrete_fields if not f.primary_key)
_SESSION_FIELDS = tuple(Session._meta.get_field(name) for name in SESSION_STATE_FIELDS)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _for_update() -> str:
    # SQLite has no row locks; its IMMEDIATE transactions already serialise writers.
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


@lru_cache(maxsize=4)
def _session_update(vendor: str) -> str:
    columns = ", ".join(f"{_q(f.column)} = %s" for f in _SESSION_FIELDS)
    return f"UPDATE {_q(Session._meta.db_table)} SET {columns} WHERE {_q('id')} = %s"


@lru_cache(maxsize=32)
def _message_insert(vendor: str, rows: int) -> str:
    columns = ", ".join(_q(f.column) for f in _MESSAGE_FIELDS)
    row = "(" + ", ".join(["%s"] * len(_MESSAGE_FIELDS)) + ")"
    return (
        f"INSERT INTO {_q(Message._meta.db_table)} ({columns}) VALUES "
        f"{', '.join([row] * rows)} RETURNING {_q('id')}"
    )


@lru_cache(maxsize=4)
def _overdue_select(vendor: str) -> str:
    q = _q
    return (
        f"SELECT {q('id')} FROM {q(Message._meta.db_table)} WHERE {q('session_id')} = %s "
        f"AND {q('at')} IS NULL AND {q('due_at')} <= %s ORDER BY {q('due_at')}, {q('id')}"
    )


@lru_cache(maxsize=4)
def delivery_statements(vendor: str) -> tuple[str, str, str]:
    """Lock the session and read its last sequence number; stamp one undelivered line
    (returning what the push needs); store the new last sequence number."""
    q = _q
    sessions, messages = q(Session._meta.db_table), q(Message._meta.db_table)
    return (
        f"SELECT {q('last_seq')} FROM {sessions} WHERE {q('id')} = %s{_for_update()}",
        f"UPDATE {messages} SET {q('at')} = %s, {q('seq')} = %s "
        f"WHERE {q('id')} = %s AND {q('session_id')} = %s AND {q('at')} IS NULL "
        f"RETURNING {q('role')}, {q('kind')}, {q('text')}, {q('client_id')}",
        f"UPDATE {sessions} SET {q('last_seq')} = %s WHERE {q('id')} = %s",
    )


@lru_cache(maxsize=4)
def _session_lock(vendor: str) -> tuple[str, tuple]:
    table = Session._meta.db_table
    fields = Session._meta.concrete_fields
    sql = (
        f"SELECT {', '.join(_q(f.column) for f in fields)} FROM {_q(table)} "
        f"WHERE {_q('id')} = %s{_for_update()}"
    )
    # The converters the ORM would apply to each column (SQLite returns text for dates).
    converters = []
    for f in fields:
        col = f.get_col(table)
        converters.append(
            (col, tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
        )
    return sql, tuple(converters)


def session_lock(session_id: int) -> Session | None:
    """The session row, locked until the transaction ends (``select_for_update().get()``
    as one fixed statement)."""
    sql, converters = _session_lock(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (col, functions) in zip(row, converters, strict=True):
        for convert in functions:
            value = convert(value, col, connection)
        values.append(value)
    return Session.from_db(connection.alias, None, values)


def _prepared(instance: Model, field, add: bool) -> object:
    return field.get_db_prep_save(field.pre_save(instance, add), connection)


def session_save_state(session: Session) -> None:
    """Store the session's live state (``SESSION_STATE_FIELDS``) in one UPDATE."""
    values = [_prepared(session, f, False) for f in _SESSION_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_session_update(connection.vendor), [*values, session.pk])


def messages_insert(messages: list[Message]) -> None:
    """Insert new messages in one statement and set their primary keys. A repeated client
    id fails the whole insert with IntegrityError, as ``bulk_create`` would."""
    if not messages:
        return
    values: list = []
    for message in messages:
        values.extend(_prepared(message, f, True) for f in _MESSAGE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(_message_insert(connection.vendor, len(messages)), values)
        ids = [row[0] for row in cursor.fetchall()]
    for message, pk in zip(messages, ids, strict=True):
        message.pk = pk
        message._state.adding = False
        message._state.db = connection.alias


def overdue_line_ids(session_id: int, now: datetime) -> list[int]:
    """Lines whose typing delay is over but that were never pushed, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            _overdue_select(connection.vendor),
            [session_id, connection.ops.adapt_datetimefield_value(now)],
        )
        return [row[0] for row in cursor.fetchall()]
