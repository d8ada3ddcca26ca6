"""Each cloud experiment in a short form, on real HAProxy, Redis, Sentinel, Locust master
and workers and `authlab serve` processes: assertions on what happened, not on speed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from authlab.bench.experiments import REGISTRY
from authlab.bench.experiments.cloud_common import SHORT
from authlab.processes import ProcessGroup
from tests.authlab.bench.fake_context import FakeContext

pytestmark = pytest.mark.e2e


def _run(name: str, tmp_path: Path, variants: tuple[str, ...]) -> list[dict[str, Any]]:
    experiment = REGISTRY[name]
    with ProcessGroup() as group:
        context = FakeContext(tmp_path, group=group)
        experiment.run(context, dataclasses.replace(SHORT, variants=variants))
    assert not context.warnings
    # Where something broke under load: second by second, in the table declared for it.
    assert set(context.tables) <= set(experiment.tables)
    topology = json.loads((tmp_path / "topology.json").read_text())
    assert topology or name == "cloud_store_restart"
    return context.tables[name]


def _by_variant(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["variant"]: row for row in rows}


def test_without_stickiness_memory_sessions_fail_and_tokens_do_not(
    topology_parts: None, nothing_left_behind: None, tmp_path: Path
) -> None:
    rows = _by_variant(_run("cloud_balancer", tmp_path, ("session-memory", "token-hs256")))
    memory, token = rows["session-memory"], rows["token-hs256"]
    # Two instances: about half the GETs land where the session is not.
    assert memory["failure_rate"] > 0.25
    assert memory["users_forced_to_log_in"] > 0
    assert token["failed"] == 0 and token["requests"] > 0
    assert token["users_forced_to_log_in"] == 0


def test_a_killed_instance_loses_its_memory_sessions_only(
    topology_parts: None, nothing_left_behind: None, tmp_path: Path
) -> None:
    rows = _by_variant(_run("cloud_sticky_kill", tmp_path, ("session-memory", "token-hs256")))
    memory, token = rows["session-memory"], rows["token-hs256"]
    assert memory["seconds_until_out"] is not None  # HAProxy took it out
    assert memory["users_on_killed_instance"] > 0
    # Every user pinned to the killed instance, and no other, had to log in again.
    assert memory["users_forced_to_log_in"] == memory["users_on_killed_instance"]
    assert token["users_on_killed_instance"] > 0
    assert token["users_forced_to_log_in"] == 0


def test_the_store_fails_over_and_the_servers_follow_without_a_restart(
    topology_parts: None, nothing_left_behind: None, tmp_path: Path
) -> None:
    (row,) = _run("cloud_failover", tmp_path, ("token-hs256-denylist",))
    assert row["failover_s"] is not None  # the Sentinels promoted the replica
    assert row["failed_after"] > 0  # the kill was felt ...
    assert row["recovery_s"] is not None  # ... and requests succeeded again
    assert row["revocations_lost"] is not None and row["refresh_tokens_lost"] is not None


def test_a_stateless_token_works_only_until_it_expires_while_the_store_is_down(
    topology_parts: None, nothing_left_behind: None, tmp_path: Path
) -> None:
    (row,) = _run("cloud_store_down", tmp_path, ("token-hs256",))
    assert row["served_for_s"] is not None  # tokens kept working for a while ...
    # ... but not past their lifetime (plus a second for a slow answer).
    assert row["served_for_s"] < SHORT.access_ttl + 1.0
    assert row["success_while_down"] < 1.0
    assert row["recovery_after_back_s"] is not None


def test_with_persistence_a_restart_forgets_no_revocation(
    topology_parts: None, nothing_left_behind: None, tmp_path: Path
) -> None:
    rows = _run(
        "cloud_store_restart", tmp_path,
        ("session-redis", "token-hs256-denylist"),
    )  # fmt: skip
    found = {(row["variant"], row["persistence"]): row for row in rows}
    probes = SHORT.probes
    assert found["token-hs256-denylist", "none"]["revocations_lost"] == probes
    assert found["token-hs256-denylist", "aof everysec"]["revocations_lost"] == 0
    assert found["token-hs256-denylist", "aof everysec"]["refresh_tokens_lost"] == 0
    assert found["session-redis", "none"]["sessions_lost"] == probes
    assert found["session-redis", "aof everysec"]["sessions_lost"] == 0
