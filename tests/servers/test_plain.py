"""The plain twins (servers/plain.py): the yardstick answers like the lab, and only that."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn

from authlab.ports import free_port
from servers.config import Settings
from servers.plain import build_plain_app
from tests.conftest import ThreadedServer, register_and_login

VARIANTS = {
    "baseline": {"variant": "baseline", "transport": "header", "csrf": False},
    "session-memory": {"variant": "session", "store": "memory"},
    "session-redis": {"variant": "session", "store": "redis"},
    "session-sqlite": {"variant": "session", "store": "sql"},
    "session-bearer": {"variant": "session", "store": "redis", "transport": "header"},
    "token-hs256": {"variant": "token", "alg": "HS256"},
    "token-eddsa": {"variant": "token", "alg": "EdDSA"},
    "token-hs256-denylist": {"variant": "token", "alg": "HS256", "revocation": "denylist"},
    "token-hs256-cookie": {"variant": "token", "alg": "HS256", "transport": "cookie"},
}


@contextmanager
def serve_twin(settings: Settings) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        build_plain_app(settings), host="127.0.0.1", port=port, log_level="warning"
    )
    with ThreadedServer(config).running():
        yield f"http://127.0.0.1:{port}"


def credential_headers(login: httpx.Response, settings: Settings) -> dict[str, str]:
    if settings.effective_transport == "header":
        return {"authorization": f"Bearer {login.json()['access_token']}"}
    return {}  # the client's cookie jar carries it


@pytest.mark.parametrize("name", VARIANTS)
def test_twin_answers_me_like_the_lab(
    name: str,
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
) -> None:
    settings = make_settings(**VARIANTS[name])
    with httpx.Client(base_url=live_server(settings), timeout=10) as lab:
        lab_login = register_and_login(lab)
        lab_me = lab.get("/me", headers=credential_headers(lab_login, settings))
    with serve_twin(settings) as url, httpx.Client(base_url=url, timeout=10) as twin:
        assert twin.get("/health").json()["plain_twin"] == settings.variant
        twin_login = twin.post("/login", json={"username": "alice", "password": "-"})
        headers = credential_headers(twin_login, settings)
        twin_me = twin.get("/me", headers=headers)
        # The same answer, byte for byte: the two servers do the same job.
        assert lab_me.status_code == twin_me.status_code == 200
        assert twin_me.content == lab_me.content
        if settings.variant != "baseline":
            twin.cookies.clear()
            assert twin.get("/me").status_code == 401
            assert twin.get("/me", headers={"authorization": "Bearer forged"}).status_code == 401


def test_token_twin_checks_the_same_token_as_the_lab(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
) -> None:
    # Same claims and header, so the same bytes to decode: a shorter token would
    # make the yardstick cheaper than the credential it stands for.
    import jwt

    settings = make_settings(variant="token", alg="HS256")
    with httpx.Client(base_url=live_server(settings), timeout=10) as lab:
        lab_token = register_and_login(lab).json()["access_token"]
    with serve_twin(settings) as url:
        twin_token = httpx.post(f"{url}/login", json={"username": "alice"}).json()["access_token"]
    assert jwt.get_unverified_header(twin_token) == jwt.get_unverified_header(lab_token)
    lab_claims = jwt.decode(lab_token, options={"verify_signature": False})
    twin_claims = jwt.decode(twin_token, options={"verify_signature": False})
    assert twin_claims.keys() == lab_claims.keys()
    assert abs(len(twin_token) - len(lab_token)) <= 4  # random ids, a digit more or less


@pytest.mark.parametrize("body", [b"", b"[]", b'{"user": "x"}', b"\xff"])
def test_twin_refuses_bad_login_bodies_with_a_4xx(
    body: bytes, make_settings: Callable[..., Settings]
) -> None:
    with serve_twin(make_settings(variant="token")) as url:
        assert httpx.post(f"{url}/login", content=body).status_code == 400
