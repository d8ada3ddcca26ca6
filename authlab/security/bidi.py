"""A minimal WebDriver BiDi client (W3C): JSON commands and events over one WebSocket.

Firefox speaks BiDi natively on --remote-debugging-port, so the lab drives Debian's
firefox-esr from Python with nothing else installed (geckodriver is not packaged for
Debian 12, and a Node driver would add a second runtime for a dozen commands).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import queue
import threading
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

COMMAND_TIMEOUT = 30.0

EventHandler = Callable[[dict[str, Any]], None]


class BiDiError(RuntimeError):
    """A command the browser answered with an error (or never answered)."""


class BiDiConnection:
    """Commands wait for their answer; events go to handlers on a thread of their own
    (a handler may send commands: on the reader thread it would wait for itself)."""

    def __init__(self, url: str) -> None:
        # Entered as a context manager, as websockets wants; left in close().
        self._exit = contextlib.ExitStack()
        self._socket: ClientConnection = self._exit.enter_context(
            connect(url, max_size=None, open_timeout=15)
        )
        self._ids = itertools.count(1)
        self._waiting: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._handlers: dict[str, list[EventHandler]] = {}
        self._lock = threading.Lock()
        self._events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="bidi-reader", daemon=True)
        self._dispatcher = threading.Thread(target=self._dispatch, name="bidi-events", daemon=True)
        self._reader.start()
        self._dispatcher.start()

    def _read(self) -> None:
        try:
            for raw in self._socket:
                message = json.loads(raw)
                if "id" in message and message.get("type") != "event":
                    with self._lock:
                        waiting = self._waiting.pop(message["id"], None)
                    if waiting is not None:
                        waiting.put(message)
                    continue
                self._events.put(message)
        except (ConnectionClosed, OSError):
            pass
        finally:
            self._events.put(None)
            with self._lock:
                waiting_all, self._waiting = list(self._waiting.values()), {}
            for waiting in waiting_all:
                waiting.put({"type": "error", "error": "closed", "message": "connection closed"})

    def _dispatch(self) -> None:
        while (message := self._events.get()) is not None:
            for handler in list(self._handlers.get(message.get("method", ""), [])):
                # One faulty handler must not stop the others (and the events after it).
                with contextlib.suppress(Exception):
                    handler(message.get("params", {}))

    def on(self, event: str, handler: EventHandler) -> None:
        self._handlers.setdefault(event, []).append(handler)

    def off(self, event: str, handler: EventHandler) -> None:
        with contextlib.suppress(ValueError):
            self._handlers.get(event, []).remove(handler)

    def send(self, method: str, params: dict[str, Any], timeout: float = COMMAND_TIMEOUT) -> Any:
        command_id = next(self._ids)
        answer: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1)
        with self._lock:
            self._waiting[command_id] = answer
        self._socket.send(json.dumps({"id": command_id, "method": method, "params": params}))
        try:
            message = answer.get(timeout=timeout)
        except queue.Empty:
            with self._lock:
                self._waiting.pop(command_id, None)
            raise BiDiError(f"{method}: no answer within {timeout:.0f} s") from None
        if message.get("type") == "error":
            raise BiDiError(f"{method}: {message.get('error')}: {message.get('message')}")
        return message.get("result", {})

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._exit.close()
        self._reader.join(timeout=5)
        self._dispatcher.join(timeout=5)
