"""The revocation section's bookkeeping, without servers: which measurement takes the CLI
slots first, and what happens when a token expired before its event took effect (the lab's
real runs are in test_lab.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from authlab.security import revocation


@dataclass
class FakeConfig:
    variant: str
    revocation: str = "none"


@dataclass
class FakeServer:
    """What the section reads of a LabServer: its name, its variant and its accounts."""

    name: str
    config: FakeConfig = field(default_factory=lambda: FakeConfig("session"))

    def user(self, role: str) -> str:
        return f"{self.name}.{role}"


def _row(bounded_by: str) -> dict[str, Any]:
    return {"bounded_by": bounded_by, "tries": 1}


def _replay(
    monkeypatch: pytest.MonkeyPatch, outcomes: list[str]
) -> list[str]:  # the accounts used, in order
    used: list[str] = []

    async def measure_once(
        server: Any, event: str, username: str, cli_slots: asyncio.Semaphore
    ) -> dict[str, Any]:
        used.append(username)
        return _row(outcomes[len(used) - 1])

    monkeypatch.setattr(revocation, "_measure_once", measure_once)
    return used


def _measure(server: FakeServer, event: str = "account_disabled") -> dict[str, Any]:
    return asyncio.run(revocation._measure(server, event, asyncio.Semaphore(1)))  # type: ignore[arg-type]


def test_an_inconclusive_measurement_is_made_again_with_a_fresh_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    used = _replay(monkeypatch, ["inconclusive", "exp"])
    row = _measure(FakeServer("token-header@ttl6", FakeConfig("token")))
    assert row == {"bounded_by": "exp", "tries": 2}
    assert used == ["token-header@ttl6.rev-account", "token-header@ttl6.rev-account-again"]


def test_a_second_miss_is_reported_as_inconclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    used = _replay(monkeypatch, ["inconclusive", "inconclusive", "exp"])
    row = _measure(FakeServer("token-header@ttl6", FakeConfig("token")))
    assert row == {"bounded_by": "inconclusive", "tries": 2}
    assert len(used) == 2


def test_a_conclusive_measurement_is_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    used = _replay(monkeypatch, ["immediate", "exp"])
    row = _measure(FakeServer("session-header"), "logout")
    assert row == {"bounded_by": "immediate", "tries": 1}
    assert used == ["session-header.rev-logout"]


def test_a_token_that_expired_before_the_event_took_effect_is_inconclusive() -> None:
    server = FakeServer("token-header@ttl6", FakeConfig("token"))
    row = revocation._result(
        server, "account_disabled", "authlab users disable: exit 0", True,  # type: ignore[arg-type]
        6.0, 0.1, None, 0.2, 3.1, 1, None,
    )  # fmt: skip
    assert row["bounded_by"] == "inconclusive" and row["passed"] is False
    assert row["tries"] == 1


def test_the_token_servers_take_the_cli_slots_first_and_rows_keep_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[tuple[str, str]] = []

    async def measure(server: Any, event: str, cli_slots: asyncio.Semaphore) -> dict[str, Any]:
        started.append((server.name, event))
        await asyncio.sleep(0)
        return {"configuration": server.name, "event": event}

    monkeypatch.setattr(revocation, "_measure", measure)
    servers = [
        FakeServer("session-a"),
        FakeServer("token-b", FakeConfig("token")),
        FakeServer("session-c"),
    ]
    rows = asyncio.run(revocation._measure_all(servers))  # type: ignore[arg-type]
    events = revocation.EVENTS
    assert started[: len(events)] == [("token-b", event) for event in events]
    assert [(row["configuration"], row["event"]) for row in rows] == [
        (server.name, event) for server in servers for event in events
    ]
