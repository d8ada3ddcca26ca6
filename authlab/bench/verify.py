"""Before any load: check that a variant answers as the contract says, and weigh its bytes.

As TechEmpower verifies each framework before measuring it: a variant that
fails here is not loaded (its numbers would measure errors, not auth).
Bytes on the wire are counted on a raw socket, headers included, so a JWT's
size is compared with a session id's exactly.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import httpx


class VerificationFailed(Exception):
    pass


@dataclass(frozen=True)
class WireSize:
    request: str
    request_bytes: int
    response_bytes: int


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise VerificationFailed(
            f"{what}: expected {status}, got {response.status_code} {response.text[:200]}"
        )


def auth_headers(
    login_body: dict[str, object], transport: str, cookies: httpx.Cookies
) -> dict[str, str]:
    headers: dict[str, str] = {}
    if transport == "header":
        headers["Authorization"] = f"Bearer {login_body['access_token']}"
    else:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if "csrf_token" in login_body:
        headers["X-CSRF-Token"] = str(login_body["csrf_token"])
    return headers


def raw_exchange(
    base_url: str, method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, int, int]:
    """Send one request on a fresh socket; return status, request bytes, response bytes."""
    parsed = urlparse(base_url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parsed.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    status = int(response.split(b" ", 2)[1]) if response else 0
    return status, len(request), len(response)


def verify_variant(
    base_url: str, kind: str, transport: str, username: str, password: str
) -> list[WireSize]:
    """Walk the contract once; return the wire size of each kind of request."""
    sizes: list[WireSize] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        _expect(client.get("/health"), 200, "GET /health")
        credentials = {"username": username, "password": password}
        wrong = client.post("/login", json={**credentials, "password": password + "x"})
        _expect(wrong, 401, "POST /login with a wrong password")
        login = client.post("/login", json=credentials)
        _expect(login, 200, "POST /login")
        body = login.json()
        headers = auth_headers(body, transport, client.cookies)
        if kind != "baseline":
            _expect(client.get("/me"), 401 if transport == "header" else 200, "GET /me as sent")
        fresh = httpx.Client(base_url=base_url, timeout=30)
        with fresh:
            if kind != "baseline":
                _expect(fresh.get("/me"), 401, "GET /me without a credential")
            _expect(fresh.get("/me", headers=headers), 200, "GET /me with the credential")
            transfer = fresh.post(
                "/transfer",
                json={"to": username.replace("000000", "000001"), "amount": 1},
                headers=headers,
            )
            _expect(transfer, 200, "POST /transfer")
            _expect(fresh.get("/transfer", headers=headers), 405, "GET /transfer")

        login_body = json.dumps(credentials).encode()
        status, sent, received = raw_exchange(base_url, "POST", "/login", {}, login_body)
        sizes.append(WireSize("POST /login", sent, received))
        status, sent, received = raw_exchange(base_url, "GET", "/me", headers, b"")
        if status != 200:
            raise VerificationFailed(f"raw GET /me answered {status}")
        sizes.append(WireSize("GET /me", sent, received))
        transfer_body = json.dumps(
            {"to": username.replace("000000", "000001"), "amount": 1}
        ).encode()
        status, sent, received = raw_exchange(base_url, "POST", "/transfer", headers, transfer_body)
        sizes.append(WireSize("POST /transfer", sent, received))
        if kind != "baseline":
            _expect(client.post("/logout", headers=headers), 204, "POST /logout")
    return sizes
