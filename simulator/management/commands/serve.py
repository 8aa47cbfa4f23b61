"""`manage.py serve`: the production ASGI server (HTTP and WebSockets) with the project's
settings, so `make run`, the live tests and the benchmark all serve the same way."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

# A reply is at most 1,000 characters plus its input events; nothing legitimate comes near
# this, and a bigger frame is refused before it is read into memory.
WS_MAX_BYTES = 1024 * 1024


class Command(BaseCommand):
    help = "Serve HTTP and WebSockets with uvicorn (uvloop, httptools, websockets)."
    # Like uvicorn started directly: `manage.py check --deploy` is the place for checks,
    # and every live test and benchmark process starts faster without them.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--fd",
            type=int,
            default=None,
            help="serve an inherited listening socket; several processes "
            "can share one (as a process manager does)",
        )
        parser.add_argument("--access-log", action="store_true")

    def handle(
        self, *args, host: str, port: int, fd: int | None, access_log: bool, **options
    ) -> None:
        import uvicorn

        uvicorn.run(
            "simulator.asgi:application",
            host=host,
            port=port,
            fd=fd,
            loop="uvloop",
            http="httptools",
            ws="websockets-sansio",
            # Chat frames are small JSON: compressing them costs more CPU than it saves.
            ws_per_message_deflate=False,
            ws_max_size=WS_MAX_BYTES,
            # Channels' router does not speak the lifespan protocol.
            lifespan="off",
            access_log=access_log,
            log_level="warning" if options["verbosity"] < 2 else "info",
            # Open WebSockets would otherwise hold a stop (Ctrl-C, SIGTERM) indefinitely.
            timeout_graceful_shutdown=3,
        )
