"""The opt-in request log the security lab reads: off by default, names but never values."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from servers.config import Settings
from servers.observe import OBSERVE_ENV, cookie_names
from tests.conftest import register_and_login


def test_off_unless_asked(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
) -> None:
    monkeypatch.delenv(OBSERVE_ENV, raising=False)
    url = live_server(make_settings(variant="session"))
    with httpx.Client(base_url=url) as client:
        register_and_login(client)
    assert list(tmp_path.glob("*.jsonl")) == []


def test_records_headers_and_cookie_names_only(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
) -> None:
    log = tmp_path / "requests.jsonl"
    monkeypatch.setenv(OBSERVE_ENV, str(log))
    url = live_server(make_settings(variant="session", csrf=True))
    with httpx.Client(base_url=url) as client:
        sid = register_and_login(client).cookies["sid"]
        response = client.post(
            "/transfer",
            json={"to": "nobody", "amount": 1},
            headers={"sec-fetch-site": "cross-site", "origin": "http://127.0.0.1:9"},
        )
        assert response.status_code == 403
        client.get("/health")  # not an observed path
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["path"] for line in lines] == ["/login", "/transfer"]
    transfer = lines[-1]
    assert transfer["sec_fetch_site"] == "cross-site"
    assert transfer["origin"] == "http://127.0.0.1:9"
    assert transfer["cookies"] == ["csrf_token", "sid"]
    assert transfer["status"] == 403
    assert sid not in log.read_text()  # names, never values


def test_cookie_names() -> None:
    assert cookie_names(None) == []
    assert cookie_names("b=1; a=2") == ["a", "b"]
