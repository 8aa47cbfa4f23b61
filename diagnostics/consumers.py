"""A WebSocket echo that goes through the channel layer, to prove the real-time stack."""

from __future__ import annotations

import time

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Close codes in the application range (4000-4999): the browser sees why it was closed.
CLOSE_UNAUTHENTICATED = 4401
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
            await self.send_json({"error": f"send a JSON text frame of at most {MAX_ECHO_BYTES} bytes"})
            return
        await super().receive(text_data=text_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data: str):
        import json

        try:
            return json.loads(text_data)
        except ValueError:
            return {"_invalid": text_data[:100]}

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and "_invalid" in content:
            await self.send_json({"error": "not JSON"})
            return
        # Round trip through the layer, so the echo proves the layer works, not just the socket.
        await self.channel_layer.send(
            self.channel_name, {"type": "echo.reply", "payload": content}
        )

    async def echo_reply(self, event: dict) -> None:
        await self.send_json(
            {
                "echo": event["payload"],
                "user": self.scope["user"].get_username(),
                "server_time": time.time(),
            }
        )
