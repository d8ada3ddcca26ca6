"""The status of the response an ASGI app sends, for middleware that reports on it."""

from __future__ import annotations

from starlette.types import Message, Send


class StatusRecorder:
    """Wraps `send` and remembers the response status (500 until one is sent,
    which is what the client gets when the app raises before answering)."""

    def __init__(self, send: Send) -> None:
        self.status = 500
        self._send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self._send(message)
