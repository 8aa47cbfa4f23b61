"""A Channels layer kept in the database, for the embedded default (SQLite or PostgreSQL).

Every process that shares the database shares the layer: the ASGI server and the Celery
worker alike. Receivers poll (20 ms, backing off to 100 ms when idle), which is plenty for
one machine's trainees; production uses Redis.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from asgiref.sync import sync_to_async
from channels.exceptions import ChannelFull
from channels.layers import BaseChannelLayer
from django.db import transaction
from django.utils import timezone

from simulator.background import GaveUp, record_failure, retry_async

MIN_POLL_S = 0.02
MAX_POLL_S = 0.1
# After the poll's retries are spent: wait this long, then start again (never stop).
POLL_RETRY_S = 1.0

logger = logging.getLogger(__name__)


def _db(function):
    # A thread pool of its own (not thread-sensitive): the layer may be called from a loop
    # that a blocked request thread is waiting on, and must not need that thread. Not
    # channels' database_sync_to_async either: it would close the caller's connection.
    return sync_to_async(function, thread_sensitive=False)


class DatabaseChannelLayer(BaseChannelLayer):
    extensions = ["groups", "flush"]

    def __init__(
        self,
        expiry: int = 60,
        group_expiry: int = 86400,
        capacity: int = 100,
        channel_capacity=None,
        **kwargs,
    ) -> None:
        super().__init__(expiry=expiry, capacity=capacity, channel_capacity=channel_capacity)
        self.group_expiry = group_expiry
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: dict[str, asyncio.Queue] = {}
        self._waiting: dict[str, int] = {}
        self._poller: asyncio.Task | None = None

    # --- database work (sync; run in Django's thread) ----------------------------------

    def _send(self, channel: str, message: dict) -> None:
        from realtime.models import LayerMessage

        now = timezone.now()
        LayerMessage.objects.filter(expires_at__lt=now).delete()
        if LayerMessage.objects.filter(channel=channel).count() >= self.get_capacity(channel):
            raise ChannelFull(channel)
        LayerMessage.objects.create(
            channel=channel, payload=message, expires_at=now + timedelta(seconds=self.expiry)
        )

    def _pop_many(self, channels: list[str]) -> list[tuple[str, dict]]:
        """Take every waiting message of these channels, oldest first."""
        from realtime.models import LayerMessage

        with transaction.atomic():
            rows = list(
                LayerMessage.objects.filter(
                    channel__in=channels, expires_at__gte=timezone.now()
                ).order_by("id")[:500]
            )
            if not rows:
                return []
            # The channels are this process' own (unique names), so no other receiver
            # competes for these rows.
            LayerMessage.objects.filter(pk__in=[row.pk for row in rows]).delete()
            return [(row.channel, row.payload) for row in rows]

    def _group_add(self, group: str, channel: str) -> None:
        from realtime.models import LayerGroupMember

        LayerGroupMember.objects.update_or_create(
            group=group,
            channel=channel,
            defaults={"expires_at": timezone.now() + timedelta(seconds=self.group_expiry)},
        )

    def _group_discard(self, group: str, channel: str) -> None:
        from realtime.models import LayerGroupMember

        LayerGroupMember.objects.filter(group=group, channel=channel).delete()

    def _group_channels(self, group: str) -> list[str]:
        from realtime.models import LayerGroupMember

        return list(
            LayerGroupMember.objects.filter(
                group=group, expires_at__gte=timezone.now()
            ).values_list("channel", flat=True)
        )

    def _flush(self) -> None:
        from realtime.models import LayerGroupMember, LayerMessage

        LayerMessage.objects.all().delete()
        LayerGroupMember.objects.all().delete()

    # --- the channel layer interface -----------------------------------------------------

    async def send(self, channel: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        await _db(self._send)(channel, message)

    async def receive(self, channel: str) -> dict:
        """Wait for a message. One poller per process serves every waiting receiver, so the
        database sees one query per poll however many sockets are open."""
        self.require_valid_channel_name(channel)
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (tests): start afresh on it
            self._loop, self._queues, self._waiting, self._poller = loop, {}, {}, None
        queue = self._queues.setdefault(channel, asyncio.Queue())
        self._waiting[channel] = self._waiting.get(channel, 0) + 1
        if self._poller is None or self._poller.done():
            self._poller = loop.create_task(self._poll())
        try:
            return await queue.get()
        finally:
            self._waiting[channel] -= 1
            if not self._waiting[channel]:
                del self._waiting[channel]
                if queue.empty():
                    self._queues.pop(channel, None)

    async def _poll(self) -> None:
        """Serve every waiting receiver until none is left. It must outlive any database
        error, or every socket of the process would go deaf: transient errors are retried
        with backoff (and counted when they persist), anything else is logged and retried
        more slowly."""
        delay = MIN_POLL_S
        while self._waiting:
            try:
                found = await retry_async(
                    "channel_layer.poll", lambda: _db(self._pop_many)(list(self._waiting))
                )
            except GaveUp:
                await asyncio.sleep(POLL_RETRY_S)
                continue
            except Exception as exc:
                logger.exception("channel layer poll failed")
                record_failure("channel_layer.poll", exc)
                await asyncio.sleep(POLL_RETRY_S)
                continue
            for channel, payload in found:
                self._queues.setdefault(channel, asyncio.Queue()).put_nowait(payload)
            if found:
                delay = MIN_POLL_S
                continue
            await asyncio.sleep(delay)
            delay = min(MAX_POLL_S, delay * 1.5)

    async def new_channel(self, prefix: str = "specific.") -> str:
        return f"{prefix}{uuid.uuid4().hex}"

    async def group_add(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        await _db(self._group_add)(group, channel)

    async def group_discard(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        await _db(self._group_discard)(group, channel)

    async def group_send(self, group: str, message: dict) -> None:
        self.require_valid_group_name(group)
        for channel in await _db(self._group_channels)(group):
            try:
                await self.send(channel, message)
            except ChannelFull:
                continue  # like the other layers: a full channel drops group messages

    async def flush(self) -> None:
        await _db(self._flush)()
