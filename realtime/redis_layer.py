"""The production channel layer: channels-redis, with group messages for this process' own
sockets handed over in memory.

A group message through channels-redis costs the sender four Redis round trips (expire the
group, read its members, expire each member's list, push) and the receiving process four
more (restore its backup, pop, back up, clear the backup), for every push of a buyer line.
Most of the time the socket a push is for is open in the very process that pushes it (the
reply and the typed line come from the socket's own process). Here a group message costs
one round trip, a script that expires the group and returns its members; the members of
this process get the message straight into their receive buffer, and only members of other
processes (a second tab served elsewhere) are written to Redis, in one more round trip.
Direct ``send`` to a channel is unchanged: it always goes through Redis.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from channels_redis.core import ChannelLock, RedisChannelLayer

logger = logging.getLogger(__name__)

# Expire the group's stale members and return the others, in one round trip.
_MEMBERS = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""

# channels-redis' group push, with its per-list expiry folded in (one round trip).
# ARGV: the messages (one per key), the capacities (one per key), now, expiry.
_PUSH = """
local now = tonumber(ARGV[#ARGV - 1])
local expiry = tonumber(ARGV[#ARGV])
local over_capacity = 0
for i = 1, #KEYS do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, math.floor(now) - expiry)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class _ReadFailure:
    def __init__(self, error: Exception) -> None:
        self.error = error


@dataclass
class _ProcessList:
    """One Redis list of this process (one per channel-name prefix: ``specific.``,
    ``healthz.``, ...), the task popping it and the channels waiting on it now."""

    reader: asyncio.Task | None = None
    stopped_reader: asyncio.Task | None = None
    listening: set[str] = field(default_factory=set)


class ProcessLocalRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._local_suffix = self.client_prefix + "!"
        # The loop this process' sockets receive on; a push from another thread (a sync
        # service in a request thread) is handed to it thread-safely.
        self._receiving_loop: asyncio.AbstractEventLoop | None = None
        self._lists: dict[str, _ProcessList] = {}
        self.local_deliveries = 0  # group messages that never touched Redis (diagnostics)

    def _is_local(self, channel: str) -> bool:
        return "!" in channel and self.non_local_name(channel).endswith(self._local_suffix)

    def _adopt(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make ``loop`` the receiving loop. Everything asyncio made for the previous one
        (locks, queues, readers) belongs to that loop and cannot be awaited here."""
        previous = self._receiving_loop
        if previous is not None and not previous.is_closed() and previous.is_running():
            raise RuntimeError("Two event loops are trying to receive() on one channel layer")
        self._receiving_loop = loop
        self._lists = {}
        self.receive_buffer.clear()
        self.receive_clean_locks = ChannelLock()
        self.receive_cleaners = []

    async def receive(self, channel: str) -> dict:
        """Wait for a message on a channel of this process.

        One reader per process list pops it and files each message under its channel;
        every socket waits on its own buffer, where local deliveries land too.
        (channels-redis instead passes a lock from socket to socket, and the socket
        holding it sits in the blocking pop, deaf to its own buffer, for up to 5 s.)
        """
        if "!" not in channel:
            return await super().receive(channel)
        assert self.require_valid_channel_name(channel)
        real_channel = self.non_local_name(channel)
        assert real_channel.endswith(self._local_suffix), "Wrong client prefix"
        loop = asyncio.get_running_loop()
        if self._receiving_loop is not loop:
            self._adopt(loop)
        # Each prefix has a list of its own: a reader popping ``healthz.…!`` never sees
        # what is pushed to ``specific.…!``.
        process_list = self._lists.setdefault(real_channel, _ProcessList())
        process_list.listening.add(channel)
        if process_list.reader is None or process_list.reader.done():
            process_list.reader = loop.create_task(
                self._read(real_channel, process_list, process_list.stopped_reader)
            )
        buffer = self.receive_buffer[channel]
        try:
            message = await buffer.get()
        except asyncio.CancelledError:
            # A consumer cancels its receive only when it closes: the channel is gone.
            process_list.listening.discard(channel)
            self.receive_buffer.pop(channel, None)
            if not process_list.listening and process_list.reader is not None:
                # Nobody listens any more: stop popping (a message popped and not yet
                # filed stays in the backup list, which the next reader puts back first).
                process_list.stopped_reader = process_list.reader
                process_list.reader = None
                process_list.stopped_reader.cancel()
            raise
        # ``listening`` holds the channels waiting right now: a one-off receive (the health
        # check's round trip) leaves nothing behind, and a socket adds itself again on its
        # next receive. The reader stops only when a waiting socket closes with no other
        # waiting, so a socket busy with a message never stops it.
        process_list.listening.discard(channel)
        if buffer.empty():
            self.receive_buffer.pop(channel, None)
        if isinstance(message, _ReadFailure):
            raise message.error
        return message

    async def _read(
        self, real_channel: str, process_list: _ProcessList, previous: asyncio.Task | None
    ) -> None:
        if previous is not None:
            # A stopped reader may still be unwinding its blocking pop: one at a time.
            await asyncio.wait([previous])
        try:
            while True:
                target, message = await self.receive_single(real_channel)
                for channel in target if isinstance(target, list) else [target]:
                    self.receive_buffer[channel].put_nowait(message)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # Redis went away: every listening socket hears of it
            for channel in process_list.listening:
                self.receive_buffer[channel].put_nowait(_ReadFailure(error))

    def _deliver_locally(self, channels: list[str], message: dict) -> None:
        for channel in channels:
            # A copy each, as a message read from Redis would be. A full buffer drops its
            # oldest message, as channels-redis does for a consumer that stopped reading.
            self.receive_buffer[channel].put_nowait(dict(message))
        self.local_deliveries += len(channels)

    async def group_send(self, group: str, message: dict) -> None:
        assert self.require_valid_group_name(group), "Group name not valid"
        connection = self.connection(self.consistent_hash(group))
        members = await connection.register_script(_MEMBERS)(
            keys=[self._group_key(group)], args=[int(time.time()) - self.group_expiry]
        )
        local: list[str] = []
        remote: list[str] = []
        for member in members:
            name = member.decode("utf8")
            (local if self._is_local(name) else remote).append(name)
        if local:
            loop, running = self._receiving_loop, asyncio.get_running_loop()
            if loop is running:
                self._deliver_locally(local, message)
            elif loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._deliver_locally, local, message)
            else:
                remote += local  # no receiving loop known: through Redis, as any other
        if remote:
            await self._push(group, remote, message)

    async def _push(self, group: str, channels: list[str], message: dict) -> None:
        by_connection, messages, capacities = self._map_channel_keys_to_connection(
            channels, message
        )
        for index, keys in by_connection.items():
            args = [messages[key] for key in keys] + [capacities[key] for key in keys]
            connection = self.connection(index)
            over_capacity = await connection.register_script(_PUSH)(
                keys=keys, args=[*args, time.time(), int(self.expiry)]
            )
            if over_capacity:
                logger.info(
                    "%s of %s channels over capacity in group %s",
                    over_capacity,
                    len(channels),
                    group,
                )
