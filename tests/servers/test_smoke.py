"""A first walk through each variant over a real socket."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from servers.config import Settings
from tests.conftest import register_and_login


def test_session_walk(
    make_settings: Callable[..., Settings], live_server: Callable[[Settings], str]
) -> None:
    url = live_server(make_settings(variant="session", store="redis"))
    with httpx.Client(base_url=url) as client:
        login = register_and_login(client)
        csrf = login.json()["csrf_token"]
        assert client.get("/me").json() == {"username": "alice", "roles": ["user"]}
        assert client.post("/logout", headers={"x-csrf-token": csrf}).status_code == 204
        assert client.get("/me").status_code == 401


def test_token_walk(
    make_settings: Callable[..., Settings], live_server: Callable[[Settings], str]
) -> None:
    url = live_server(make_settings(variant="token", revocation="denylist"))
    with httpx.Client(base_url=url) as client:
        token = register_and_login(client).json()["access_token"]
        headers = {"authorization": f"Bearer {token}"}
        assert client.get("/me", headers=headers).status_code == 200
        assert client.post("/logout", headers=headers).status_code == 204
        assert client.get("/me", headers=headers).status_code == 401
