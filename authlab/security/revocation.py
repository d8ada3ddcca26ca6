"""The revocation window: how long an old credential still works after the event that
should end it, measured in seconds beside the credential's lifetime.

Events: logout, a password change, and an administrator disabling the account
(`authlab users disable NAME --redis-url ...` against the server's own store).
After each, the lab keeps presenting the old credential at GET /me, as an
attacker who copied it would, until it is refused or a deadline passes. Token
servers run here with a short --access-ttl so that "until exp" can be measured
to the end; with the default 900 s the same window would be up to 900 s.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

from authlab.security.lab_servers import LabServer

EVENTS = ("logout", "password_change", "account_disabled")
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "another horse battery staple"
POLL_INTERVAL = 0.25  # dozens of watchers at once on two cores: keep the checks light
SESSION_OBSERVATION = 3.0  # how long a credential that should be dead is watched
EXP_MARGIN = 3.0
# `authlab users disable` is a Python process (about a second of imports): a dozen at once
# on two cores would take longer than a short-lived token lives. Two at a time.
CLI_CONCURRENCY = 2


@dataclass
class Credential:
    value: str
    csrf: str | None
    refresh_token: str | None
    expires_in: float | None  # the lifetime the server announced
    expires_at: float | None  # the token's own exp claim (whole seconds)


def _exp_claim(token: str) -> float | None:
    """The exp of a JWT, read without verifying (it is our own server's token)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _carry(server: LabServer, credential: str) -> dict[str, str]:
    name = server.config.cookie_name
    if name:
        return {"cookie": f"{name}={credential}"}
    return {"authorization": f"Bearer {credential}"}


async def _login(client: httpx.AsyncClient, server: LabServer, username: str) -> Credential:
    await client.post("/register", json={"username": username, "password": PASSWORD})
    response = await client.post("/login", json={"username": username, "password": PASSWORD})
    if response.status_code != 200:
        raise RuntimeError(f"login on {server.name}: {response.status_code} {response.text}")
    body: dict[str, Any] = response.json()
    name = server.config.cookie_name
    if server.config.variant == "session" and name:
        value = response.cookies.get(name) or ""
    else:
        value = str(body.get("access_token", ""))
    expires_in = body.get("expires_in")
    return Credential(
        value=value,
        csrf=body.get("csrf_token"),
        refresh_token=body.get("refresh_token"),
        expires_in=float(expires_in) if expires_in is not None else None,
        expires_at=_exp_claim(value) if server.config.variant == "token" else None,
    )


async def _trigger(
    client: httpx.AsyncClient, server: LabServer, event: str, username: str, credential: Credential
) -> tuple[str, bool]:
    """Make the event happen; what was done, and whether it worked."""
    headers = _carry(server, credential.value)
    if credential.csrf:
        headers["x-csrf-token"] = credential.csrf
    if event == "logout":
        response = await client.post("/logout", headers=headers)
        return f"POST /logout {response.status_code}", response.status_code == 204
    if event == "password_change":
        response = await client.post(
            "/password",
            headers=headers,
            json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
        return f"POST /password {response.status_code}", response.status_code == 204
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "authlab", "users", "disable", username,
        "--database-url", server.settings.database_url,
        "--redis-url", str(server.settings.redis_url),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C is for the lab, which then stops everything
    )  # fmt: skip
    output, _ = await process.communicate()
    lines = [line.strip() for line in output.decode(errors="replace").strip().splitlines()]
    action = f"authlab users disable: exit {process.returncode}; " + " | ".join(lines[-3:])
    return action, process.returncode == 0


async def _login_and_trigger(
    client: httpx.AsyncClient, server: LabServer, event: str, username: str
) -> tuple[Credential, str, bool]:
    credential = await _login(client, server, username)
    client.cookies.clear()  # the old credential goes only where we put it
    action, event_ok = await _trigger(client, server, event, username, credential)
    return credential, action, event_ok


async def _measure(server: LabServer, event: str, cli_slots: asyncio.Semaphore) -> dict[str, Any]:
    """One event on one server. Where a token expired before the event took effect (a
    `users disable` slowed down by a busy machine outlasting a short-lived token), once more
    with a fresh account, by then behind a shorter queue; a second miss is reported as such."""
    role = f"rev-{event.split('_')[0]}"
    result = await _measure_once(server, event, server.user(role), cli_slots)
    if result["bounded_by"] == "inconclusive":
        result = await _measure_once(server, event, server.user(f"{role}-again"), cli_slots)
        result["tries"] = 2
    return result


async def _measure_once(
    server: LabServer, event: str, username: str, cli_slots: asyncio.Semaphore
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        if event == "account_disabled":
            # Log in only once a slot is free, so the token's lifetime is not spent queueing.
            async with cli_slots:
                credential, action, event_ok = await _login_and_trigger(
                    client, server, event, username
                )
        else:
            credential, action, event_ok = await _login_and_trigger(client, server, event, username)
        event_at = time.time()
        client.cookies.clear()
        lifetime = credential.expires_in
        remaining = None if credential.expires_at is None else credential.expires_at - event_at
        watch = SESSION_OBSERVATION if remaining is None else max(remaining, 0) + EXP_MARGIN
        last_accepted: float | None = None
        refused_at: float | None = None
        checks = 0
        while time.time() - event_at <= watch:
            status = (await client.get("/me", headers=_carry(server, credential.value))).status_code
            checks += 1
            now = time.time() - event_at
            if status == 200:
                last_accepted = now
            elif status == 401:
                refused_at = now
                break
            await asyncio.sleep(POLL_INTERVAL)
        refresh_status = None
        if credential.refresh_token:
            refreshed = await client.post(
                "/refresh", json={"refresh_token": credential.refresh_token}
            )
            refresh_status = refreshed.status_code
    return _result(
        server, event, action, event_ok, lifetime, remaining, last_accepted, refused_at, watch,
        checks, refresh_status,
    )  # fmt: skip


def _result(
    server: LabServer,
    event: str,
    action: str,
    event_ok: bool,
    lifetime: float | None,
    remaining: float | None,
    last_accepted: float | None,
    refused_at: float | None,
    watch: float,
    checks: int,
    refresh_status: int | None,
) -> dict[str, Any]:
    works_for = round(last_accepted, 2) if last_accepted is not None else 0.0
    if remaining is not None and remaining <= POLL_INTERVAL:
        # The token (nearly) expired while the event was being made: this measures nothing.
        display = "inconclusive: the token expired before the event took effect"
        bounded_by = "inconclusive"
    elif refused_at is None:
        display = f"still valid after {watch:.0f} s"
        bounded_by = "not revoked"
    elif last_accepted is None:
        display = "0 s (refused at once)"
        bounded_by = "immediate"
    elif remaining is not None and refused_at >= remaining - 0.05:
        # Refused only once exp had passed: nothing but exp ended it.
        display = f"until exp ({works_for:.1f} s of a {lifetime:.0f} s token)"
        bounded_by = "exp"
    else:
        display = f"{works_for:.1f} s"
        bounded_by = "delayed"
    config = server.config
    expected = "exp" if config.variant == "token" and config.revocation == "none" else "immediate"
    return {
        "configuration": server.name,
        "event": event,
        "action": action,
        "event_ok": event_ok,
        "credential_lifetime_s": lifetime,
        "remaining_lifetime_at_event_s": None if remaining is None else round(remaining, 2),
        "works_for_s": works_for,
        "refused_after_s": None if refused_at is None else round(refused_at, 2),
        "bounded_by": bounded_by,
        "expected_bounded_by": expected,
        "checks": checks,
        "refresh_token_status_after": refresh_status,
        "display": display,
        "tries": 1,
        "passed": event_ok
        and bounded_by == expected
        and (refresh_status is None or 400 <= refresh_status < 500),
    }


async def _measure_all(servers: list[LabServer]) -> list[dict[str, Any]]:
    cli_slots = asyncio.Semaphore(CLI_CONCURRENCY)
    pairs = [(server, event) for server in servers for event in EVENTS]
    # The CLI slots go in the order the measurements start: the token servers' first, whose
    # watch lasts the token's lifetime, then the sessions' (watched 3 s). Last in the queue,
    # the tokens' watches ended 13 s into the section, 4 s after the rest.
    order = sorted(range(len(pairs)), key=lambda i: pairs[i][0].config.variant != "token")
    tasks = {i: asyncio.ensure_future(_measure(*pairs[i], cli_slots)) for i in order}
    # Let every measurement finish (each is bounded) before raising the first failure, so
    # no subprocess or connection is left to a closed event loop.
    outcomes = await asyncio.gather(*(tasks[i] for i in range(len(pairs))), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]


def run_revocation(servers: list[LabServer]) -> list[dict[str, Any]]:
    """Every event on every server at once (the windows are waits, not work)."""
    return asyncio.run(_measure_all(servers))
