"""What a live-path write leaves to do once its transaction has committed, as a value.

Nothing is pushed that was not stored, so a service never pushes or sends a task itself:
it records the work here and the caller runs it after the commit.

- ``pushes``: payloads for a session's sockets (its group): lines delivered now, the end of
  the chat, the report being ready.
- ``deliveries``: buyer lines being "typed", to be stamped and pushed when due
  (``lines.message_deliver``).
- ``tasks``: Celery tasks to send (wake-ups, time limits, scoring).

Who runs it, and how (the only place that decides a line's delivery route):

1. The session's socket (``roleplay.consumers``), for the calls it makes (a reply, a line it
   delivers, a reconnect): it sends its own pushes on the socket first, in commit order,
   then to the group; it delivers due lines itself on its event loop (no broker round trip);
   it sends the tasks from a thread, after the acknowledgement.
2. Everyone else (pages, Celery tasks): ``dispatch()``, which once the outermost
   transaction commits pushes through the channel layer and sends each delivery as a
   Celery task with its due time as ``eta``.
3. A delivery whose process stopped before it was due (a server restart) is not lost: the
   session's next wake-up or reconnect pushes every overdue line, stamped with the time it
   was really pushed (``lines.session_catch_up``, ``live.session_timer``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from realtime.push import group_send_sync
from roleplay.models import Message
from roleplay.payloads import group_name, message_payload


@dataclass(frozen=True)
class Delivery:
    message_id: int
    session_id: int
    due: datetime


@dataclass(frozen=True)
class TaskCall:
    name: str  # the Celery task's registered name (roleplay.tasks)
    args: tuple
    eta: datetime | None = None


@dataclass
class AfterCommit:
    pushes: list[tuple[int, dict]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    tasks: list[TaskCall] = field(default_factory=list)

    def push(self, session_id: int, payload: dict) -> None:
        self.pushes.append((session_id, payload))

    def push_message(self, message: Message) -> None:
        self.push(message.session_id, message_payload(message))

    def deliver(self, message: Message) -> None:
        self.deliveries.append(Delivery(message.pk, message.session_id, message.due_at))

    def send(self, name: str, args: tuple, eta: datetime | None = None) -> None:
        self.tasks.append(TaskCall(name, args, eta))

    def extend(self, other: AfterCommit) -> None:
        self.pushes.extend(other.pushes)
        self.deliveries.extend(other.deliveries)
        self.tasks.extend(other.tasks)

    def dispatch(self) -> None:
        """Run it outside a socket, once the outermost transaction commits (at once when
        none is open)."""
        if self.pushes or self.deliveries or self.tasks:
            transaction.on_commit(self._run_elsewhere)

    def _run_elsewhere(self) -> None:
        for session_id, payload in self.pushes:
            group_send_sync(group_name(session_id), payload)
        for delivery in self.deliveries:
            self._send(
                TaskCall(
                    "roleplay.deliver", (delivery.message_id, delivery.session_id), delivery.due
                )
            )
        self.send_tasks()

    def send_tasks(self) -> None:
        for call in self.tasks:
            self._send(call)

    @staticmethod
    def _send(call: TaskCall) -> None:
        from roleplay.tasks import TASKS  # the tasks call the services: imported when run

        task = TASKS[call.name]
        if call.eta is None:
            task.delay(*call.args)
        else:
            task.apply_async(call.args, eta=call.eta)
