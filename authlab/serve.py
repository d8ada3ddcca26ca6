"""Run a server: start a private Redis where needed, then uvicorn (one or N workers)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from types import FrameType

import uvicorn

from servers.config import SETTINGS_ENV, Settings


@contextlib.contextmanager
def redis_for(settings: Settings) -> Iterator[Settings]:
    """Settings with a Redis URL: the given one, or a private redis-server's."""
    if not settings.needs_redis or settings.redis_url:
        yield settings
        return
    from authlab.redis_server import PrivateRedis

    with PrivateRedis() as redis:
        print(f"authlab: private redis-server {redis.binary} on {redis.url}", file=sys.stderr)
        yield settings.replace(redis_url=redis.url)


def prepare_keys(settings: Settings) -> None:
    """Make keys before workers start, so that they never race to make them."""
    from pathlib import Path

    from servers.secrets import load_or_create_secrets
    from servers.tokens.keys import KeyRing

    key_dir = Path(settings.key_dir)
    load_or_create_secrets(key_dir / "session")
    load_or_create_secrets(key_dir / "csrf")
    if settings.variant == "token":
        KeyRing.load(key_dir, settings.alg)


class StopRequested(BaseException):
    """SIGTERM or SIGINT: unwind (stopping the private Redis), then exit normally."""


def _request_stop(signum: int, frame: FrameType | None) -> None:
    raise StopRequested(signum)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM/SIGINT end serve() through its with-blocks, whenever they arrive.

    uvicorn (one worker) handles both signals while it runs, then restores the
    handlers it found and raises the signal again. With Python's defaults that
    second SIGTERM would kill the process before any cleanup (the private Redis
    would only die by PR_SET_PDEATHSIG and its directory stay behind), and a
    second SIGINT would be a KeyboardInterrupt that click reports as "Aborted!".
    """
    stops = (signal.SIGTERM, signal.SIGINT)
    previous = {signum: signal.signal(signum, _request_stop) for signum in stops}
    try:
        yield
    except StopRequested:
        pass  # a requested stop, done cleanly: exit status 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# The lab's app, or the plain twin the benchmark measures it against (servers/plain.py).
APP = "servers.asgi:app_from_environment"
PLAIN_TWIN_APP = "servers.plain:app_from_environment"


def serve(settings: Settings, plain_twin: bool = False, app: str | None = None) -> None:
    """`app`: another ASGI factory (the resident-sessions experiment's lab-only one)."""
    with _stop_on_signals():
        _serve(settings, app or (PLAIN_TWIN_APP if plain_twin else APP))


def _serve(settings: Settings, app: str) -> None:
    prepare_keys(settings)
    with redis_for(settings) as settings, contextlib.ExitStack() as stack:
        os.environ[SETTINGS_ENV] = settings.to_json()
        if settings.workers > 1:
            metrics_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="authlab-prom-"))
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        what = "plain twin" if app == PLAIN_TWIN_APP else "server"
        print(
            f"authlab: {settings.variant} {what} on http://{settings.host}:{settings.port} "
            f"({settings.workers} worker(s))",
            file=sys.stderr,
        )
        uvicorn.run(
            app,
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="warning",
            access_log=False,
            server_header=False,
            # Headers past 16 KiB are refused by the HTTP parser with a 4xx.
            h11_max_incomplete_event_size=16 * 1024,
        )
