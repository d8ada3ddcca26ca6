"""A lab-only session server that starts with N sessions already in its store.

NOT FOR DEPLOYMENT: it fills the store with synthetic sessions and writes live
credentials to a file. Only the resident-sessions experiment starts it.

Sessions in process memory can only be put there by the server process itself,
so for every store alike (memory, Redis, SQLite) this factory wraps the normal
app (servers.asgi) and, after the app's own start-up and before the first
request, fills the store through its bulk call (create_many, as the
sessions-at-scale experiment does), then logs `active` seeded users in through
the session strategy (what /login does after the password check; no argon2, so
no login weighs on the measured phase) and writes their credentials as request
headers, one JSON object a line: the AUTHLAB_CREDENTIALS_FILE that the me_only
scenario reads. servers/ is unchanged.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from servers.config import Settings

FACTORY = "authlab.bench.experiments.resident_app:app_from_environment"
# What the experiment tells the server process (beside AUTHLAB_SETTINGS).
ENV_SESSIONS = "AUTHLAB_RESIDENT_SESSIONS"  # sessions resident in all, the active ones included
ENV_ACTIVE = "AUTHLAB_RESIDENT_ACTIVE"  # of which logged in for the load generator
ENV_ACCOUNTS = "AUTHLAB_RESIDENT_ACCOUNTS"  # seeded accounts user000000.. to log in
ENV_CREDENTIALS = "AUTHLAB_RESIDENT_CREDENTIALS"  # where to write the credentials (JSON lines)
ENV_INFO = "AUTHLAB_RESIDENT_INFO"  # where to write what was filled, and how long it took (JSON)


def credential_headers(transport: Any, credential: str) -> dict[str, str]:
    """The request headers that carry a credential, as a browser or client would send it."""
    from servers.transport.cookie import CookieTransport

    if isinstance(transport, CookieTransport):
        return {"Cookie": f"{transport.cookie_name}={credential}"}
    return {"Authorization": f"Bearer {credential}"}


async def preload(context: Any, sessions: int, active: int, accounts: int) -> dict[str, Any]:
    """Fill the store to `sessions`, `active` of them real logins; return what was done."""
    from authlab.bench.experiments.sessions_at_scale import batch_sizes, synthetic_records

    strategy = context.strategy
    started = time.perf_counter()
    for size in batch_sizes(max(0, sessions - active)):
        await strategy.store.create_many(synthetic_records(size))
    headers = []
    for index in range(active):
        username = f"user{index % accounts:06d}"
        user = await context.users.get(username)
        if user is None:
            raise RuntimeError(f"{username} is not in the user store: seed it first")
        grant = await strategy.login(user, None)
        headers.append(credential_headers(context.transport, grant.credential))
    return {
        "sessions": sessions,
        "active": active,
        "fill_seconds": round(time.perf_counter() - started, 3),
        "headers": headers,
    }


def app_from_environment() -> Starlette:
    from servers.routes import AuthlabApp, build_app

    # What servers.asgi's factory builds, with the fill added to its start-up.
    app = build_app(Settings.from_environment())
    inner = app.router.lifespan_context
    sessions = int(os.environ[ENV_SESSIONS])
    active = min(sessions, int(os.environ.get(ENV_ACTIVE, "100")))
    accounts = int(os.environ.get(ENV_ACCOUNTS, "100"))
    credentials = Path(os.environ[ENV_CREDENTIALS])
    info = Path(os.environ[ENV_INFO])

    @contextlib.asynccontextmanager
    async def lifespan(app: AuthlabApp) -> AsyncIterator[None]:
        async with inner(app):
            done = await preload(app.context, sessions, active, accounts)
            lines = "".join(json.dumps(headers) + "\n" for headers in done.pop("headers"))
            _write_whole(credentials, lines)
            _write_whole(info, json.dumps(done))
            yield

    app.router.lifespan_context = lifespan
    return app


def _write_whole(path: Path, text: str) -> None:
    """Written, then renamed: a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    partial.replace(path)


def command(settings: Settings) -> list[str]:
    """The process the fleet starts for one cell: this module, over these settings."""
    return [sys.executable, "-m", "authlab.bench.experiments.resident_app", settings.to_json()]


def main() -> None:
    """python -m authlab.bench.experiments.resident_app SETTINGS_JSON (with the ENV_* set)."""
    from authlab.serve import serve

    serve(Settings.from_json(sys.argv[1]), app=FACTORY)


if __name__ == "__main__":
    main()
