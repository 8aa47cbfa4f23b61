"""What goes over a session's socket: the group a session's sockets join, and a message as
the page receives it."""

from __future__ import annotations

from roleplay.models import Message


def group_name(session_id: int) -> str:
    return f"session.{session_id}"


def message_data(message: Message) -> dict:
    return {
        "id": message.pk,
        "seq": message.seq,
        "role": message.role,
        "kind": message.kind,
        "text": message.text,
        "at": message.at.isoformat() if message.at else None,
        "client_id": message.client_id or None,
        "session": message.session_id,
    }


def message_payload(message: Message) -> dict:
    return {"type": "session.message", "message": message_data(message)}
