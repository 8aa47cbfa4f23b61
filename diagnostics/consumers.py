"""A WebSocket echo that goes through the channel layer, to prove the real-time stack."""

from __future__ import annotations

import time

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from simulator.json_input import JSONInputError, json_parse

MAX_ECHO_BYTES = 4096


class EchoConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Closing before accept rejects the handshake (HTTP 403): nothing is exchanged.
            await self.close()
            return
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None or len(text_data.encode()) > MAX_ECHO_BYTES:
            error = f"send a JSON text frame of at most {MAX_ECHO_BYTES} bytes"
            await self.send_json({"error": error})
            return
        try:
            # Bounded nesting: Python's json recurses, and its RecursionError dropped the socket.
            content = json_parse(text_data)
        except JSONInputError as exc:
            await self.send_json({"error": f"not JSON: {exc}"})
            return
        # Round trip through the layer, so the echo proves the layer works, not just the socket.
        await self.channel_layer.send(self.channel_name, {"type": "echo.reply", "payload": content})

    async def echo_reply(self, event: dict) -> None:
        await self.send_json(
            {
                "echo": event["payload"],
                "user": self.scope["user"].get_username(),
                "server_time": time.time(),
            }
        )
