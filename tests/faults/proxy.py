"""A TCP proxy between the server processes and the real PostgreSQL, so a test can make the
database unreachable for a few seconds without touching the real server.

During an outage the proxy cuts every open connection and stops listening, so a new
connection is refused, as when the database host goes away; afterwards it listens again on
the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field


@dataclass
class TcpProxy:
    target_host: str
    target_port: int
    port: int = 0
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _server: asyncio.base_events.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    connections: int = 0
    cut: int = 0

    def start(self) -> int:
        threading.Thread(target=self.loop.run_forever, name="tcp-proxy", daemon=True).start()
        self._call(self._listen())
        return self.port

    def stop(self) -> None:
        self._call(self._close())
        self.loop.call_soon_threadsafe(self.loop.stop)

    def outage_begin(self) -> None:
        """Cut every connection and refuse new ones."""
        self._call(self._close())

    def outage_end(self) -> None:
        self._call(self._listen())

    def _call(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            self.cut += 1
            writer.transport.abort()  # a reset, not a polite close
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            if not sink.is_closing():
                sink.close()  # one side ended the conversation: end the other side too
            self._writers.discard(sink)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
