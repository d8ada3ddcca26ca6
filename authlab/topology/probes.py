"""The lab's own users, outside the load: credentials made at a known moment and checked
after a failure, to count exactly what the store lost (sessions, deny-list entries,
refresh tokens)."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx


@dataclass
class Probe:
    account: str
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    refresh_token: str | None = None

    def sent_headers(self) -> dict[str, str]:
        """The credential as a client sends it: its headers and its cookies."""
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {**self.headers, **({"Cookie": cookie} if cookie else {})}


def login(client: httpx.Client, account: str, password: str, transport: str) -> Probe:
    """Log in (raises for anything but 200): the credential as the variant hands it out."""
    client.cookies.clear()
    response = client.post("/login", json={"username": account, "password": password})
    response.raise_for_status()
    body = response.json()
    probe = Probe(account, cookies=dict(response.cookies))
    if transport == "header" and "access_token" in body:
        probe.headers["Authorization"] = f"Bearer {body['access_token']}"
    if "csrf_token" in body:
        probe.headers["X-CSRF-Token"] = body["csrf_token"]
    probe.refresh_token = body.get("refresh_token")
    client.cookies.clear()
    return probe


def me(client: httpx.Client, probe: Probe) -> int:
    """GET /me with this credential alone: 200 if the server still accepts it."""
    client.cookies.clear()
    return client.get("/me", headers=probe.sent_headers()).status_code


def logout(client: httpx.Client, probe: Probe) -> None:
    client.cookies.clear()
    response = client.post("/logout", headers=probe.sent_headers())
    response.raise_for_status()


def refresh(client: httpx.Client, probe: Probe) -> int:
    client.cookies.clear()
    return client.post("/refresh", json={"refresh_token": probe.refresh_token}).status_code
