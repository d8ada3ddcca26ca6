"""Log accounts in before a phase, so that the phase measures authenticated requests only.

A Locust user that logs in at its start puts a login (an argon2 verify, a store
write) into the phase's CPU count; spread over a short phase that is several µs
per request, and more for the lab's server than for its plain twin, which
checks no password. Logged in here, before the CPU count starts, the phase
holds only what it names: GET /me with a credential.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from authlab.bench.verify import auth_headers


class PreloginFailed(Exception):
    pass


def prelogin(url: str, transport: str, accounts: list[str], password: str) -> list[dict[str, str]]:
    """Each account's request headers (Authorization or Cookie) after one login."""
    credentials = []
    with httpx.Client(base_url=url, timeout=30.0) as client:
        for account in accounts:
            client.cookies.clear()
            response = client.post("/login", json={"username": account, "password": password})
            if response.status_code != 200:
                raise PreloginFailed(
                    f"login of {account} answered {response.status_code}: {response.text[:200]}"
                )
            headers = auth_headers(response.json(), transport, client.cookies)
            # GET /me changes nothing, so it carries no CSRF token (as a page's script
            # adds it only to state changes); the csrf cookie still rides along.
            headers.pop("X-CSRF-Token", None)
            credentials.append(headers)
    return credentials


def write_credentials(path: Path, credentials: list[dict[str, str]]) -> None:
    """One JSON object of headers per line: what loadtests/credentials.py reads."""
    path.write_text("".join(json.dumps(headers) + "\n" for headers in credentials))
