"""Run a server: start a private Redis where needed, then uvicorn (one or N workers)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator

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


def serve(settings: Settings) -> None:
    prepare_keys(settings)
    with redis_for(settings) as settings, contextlib.ExitStack() as stack:
        os.environ[SETTINGS_ENV] = settings.to_json()
        if settings.workers > 1:
            metrics_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="authlab-prom-"))
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        print(
            f"authlab: {settings.variant} server on http://{settings.host}:{settings.port} "
            f"({settings.workers} worker(s))",
            file=sys.stderr,
        )
        uvicorn.run(
            "servers.asgi:app_from_environment",
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
