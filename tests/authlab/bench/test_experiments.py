"""Each experiment run against a fake context (fake_context.py): what it asks of the run,
and what it writes, warns and records. The experiments' own measurements are stubbed;
their end-to-end tests (test_run's smoke bench, test_resident_sessions, the topology's)
run the real thing."""

from __future__ import annotations

import json
import pkgutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest

import authlab.bench.experiments as package
from authlab.bench import derive
from authlab.bench.callgrind import InstructionCount, InstructionsUnavailable
from authlab.bench.experiments import (
    REGISTRY,
    TABLES,
    cloud_common,
    instructions,
    outage,
    overhead,
    primitives,
    scale_out,
    security_browser,
    sessions_at_scale,
)
from authlab.bench.experiments.cloud_common import SHORT, CloudParams, CloudRun
from authlab.bench.experiments.cloud_tables import CLOUD_EXPERIMENTS
from authlab.bench.experiments.primitives import PrimitivesParams
from authlab.bench.experiments.scale_out import ScaleOutParams
from authlab.bench.experiments.sessions_at_scale import SessionsAtScaleParams
from authlab.bench.profiles import PROFILES, get_profile
from authlab.topology.haproxy import HAProxyNotFound
from tests.authlab.bench.fake_context import FakeContext

HELPERS = {
    "experiment_context",
    "experiment",
    "cloud_common",
    "cloud_load",
    "cloud_tables",
    "outage_timeline",
}
HELPERS |= {"resident_app"}  # the resident-sessions server, a process of its own


@pytest.fixture
def context(tmp_path: Path) -> FakeContext:
    return FakeContext(tmp_path)


def test_every_experiment_module_is_in_the_registry_under_its_own_name() -> None:
    modules = {info.name for info in pkgutil.iter_modules(package.__path__)} - HELPERS
    assert set(REGISTRY) == modules
    for name, experiment in REGISTRY.items():
        assert experiment.name == name


def test_the_cloud_experiments_share_the_registry_and_run_only_when_named() -> None:
    assert tuple(name for name in REGISTRY if name.startswith("cloud_")) == CLOUD_EXPERIMENTS
    assert PROFILES["cloud"].experiments == CLOUD_EXPERIMENTS
    assert not any(REGISTRY[name].by_default for name in CLOUD_EXPERIMENTS)


def test_every_table_is_declared_once_with_the_seconds_tables_beside_theirs() -> None:
    assert len(TABLES) == len(set(TABLES))
    assert {"cloud_failover", "cloud_failover_seconds", "overhead", "outage"} <= set(TABLES)
    assert "cloud_balancer_seconds" not in TABLES  # nothing breaks under its load


def test_a_profile_override_must_be_the_experiments_own_params() -> None:
    with pytest.raises(TypeError, match="outage takes OutageParams, not ScaleOutParams"):
        REGISTRY["outage"].with_params(ScaleOutParams())


def test_the_variants_an_experiment_starts_come_from_the_profiles_params() -> None:
    smoke, standard = get_profile("smoke"), get_profile("standard")
    outage = REGISTRY["outage"]
    assert outage.variants(smoke.params_for("outage")) == ("session-redis", "token-hs256")
    assert outage.variants(standard.params_for("outage")) == outage.variants(outage.params)
    assert REGISTRY["primitives"].variants(PrimitivesParams()) == ()


def _figures(ok: int, failed: int) -> Any:
    return lambda target, phase, label: ({"requests_ok": ok, "requests_failed": failed}, None)


def test_scale_out_runs_k_servers_of_each_variant_and_writes_the_failure_rate(
    context: FakeContext,
) -> None:
    context.figures = _figures(60, 40)
    params = ScaleOutParams(instances=3, seconds=1.5, variants=("session-memory", "token-hs256"))
    scale_out.run(context, params)
    assert context.started == [("session-memory", 3, False), ("token-hs256", 3, False)]
    assert [(phase.seconds, label) for _, phase, label in context.phases] == [
        (1.5, "scale-out"),
        (1.5, "scale-out"),
    ]
    memory, token = context.tables["scale_out"]
    assert memory["failure_rate"] == 0.4 and memory["requests"] == 100
    assert memory["expected_if_state_is_local"] == pytest.approx(2 / 3)
    assert token["expected_if_state_is_local"] == 0.0


def test_scale_out_loads_every_variant_at_the_same_time(context: FakeContext) -> None:
    """One after the other, the first variant's phase would wait at the barrier in vain."""
    import threading

    variants = ("session-memory", "session-redis", "token-hs256")
    together = threading.Barrier(len(variants), timeout=10)

    def figures(target: Any, phase: Any, label: str) -> tuple[dict[str, Any], None]:
        together.wait()
        # The first variant's phase ends last; its row still comes first.
        time.sleep(0.05 * (len(variants) - variants.index(target.variant)))
        return {"requests_ok": 10, "requests_failed": 0}, None

    context.figures = figures
    scale_out.run(context, ScaleOutParams(seconds=0.1, variants=variants))
    assert [row["variant"] for row in context.tables["scale_out"]] == list(variants)


def test_sessions_at_scale_measures_one_count_at_a_time_in_the_shared_redis(
    context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[Any, ...]] = []

    def measure(counts: tuple[int, ...], redis_url: str, postgres_url: str | None) -> Any:
        asked.append((counts, redis_url, postgres_url))
        return [{"store": "memory", "sessions": counts[0]}]

    monkeypatch.setattr(sessions_at_scale, "measure", measure)
    context.postgres_url = "postgresql://somewhere/test"
    sessions_at_scale.run(context, SessionsAtScaleParams(counts=(10, 20)))
    assert asked == [((10,), context.redis_url, context.postgres_url), ((20,), *asked[0][1:])]
    assert [row["sessions"] for row in context.tables["sessions_at_scale"]] == [10, 20]


def test_primitives_time_as_many_calls_as_the_params_say(
    context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        primitives, "measure", lambda redis, iterations, postgres: [{"iterations": iterations}]
    )
    primitives.run(context, PrimitivesParams(iterations=7))
    assert context.tables["primitives"] == [{"iterations": 7}]


def test_overhead_reads_the_twins_phases_and_warns_above_the_limit(
    context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    context.write_table("twin_phases", {"variant": "x"})
    seen: list[Any] = []

    def rows(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen.append(pairs)
        return [{"variant": "x", "ratio": 1.30}, {"variant": "y", "ratio": 1.01}]

    monkeypatch.setattr(derive, "overhead_rows", rows)
    overhead.run(context, overhead.EXPERIMENT.params)
    assert seen == [[{"variant": "x"}]]
    assert len(context.tables["overhead"]) == 2
    assert context.warnings == [
        "x costs 1.30x its plain twin per GET /me (limit 1.15): the lab's own cost is in "
        "its figures"
    ]


def test_instructions_write_their_table_and_warn_above_the_limit(
    context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = [InstructionCount("baseline", 250_000, 230_000), InstructionCount("x", 130, 100)]
    monkeypatch.setattr(instructions, "measure", lambda *args: counts)
    instructions.run(context, instructions.EXPERIMENT.params)
    rows = context.tables["instructions"]
    assert [row["variant"] for row in rows] == ["baseline", "x"]
    assert rows[0]["instruction_ratio"] == 250_000 / 230_000
    assert context.warnings == [
        "x executes 1.30x its plain twin's instructions per GET /me (limit 1.15)"
    ]


def test_instructions_say_why_when_valgrind_is_missing_and_skip_a_remote_server(
    context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*args: object) -> None:
        raise InstructionsUnavailable("valgrind is not installed")

    monkeypatch.setattr(instructions, "measure", missing)
    instructions.run(context, instructions.EXPERIMENT.params)
    assert context.warnings == ["instructions: valgrind is not installed"]
    context.target_url = "http://elsewhere:8000"
    instructions.run(context, instructions.EXPERIMENT.params)
    assert len(context.warnings) == 1  # nothing to run under valgrind: not even tried


@pytest.mark.parametrize(
    ("status", "warning"),
    [
        ({"measured": True, "all_as_expected": True}, None),
        (
            {"measured": True, "all_as_expected": False, "lab_folder": "raw/security/x"},
            "the security lab found something not as expected: see raw/security/x",
        ),
        (
            {"measured": False, "reason": "no Chromium", "command": "a", "then": "b"},
            "CSRF and XSS not measured: no Chromium. `a`, then `b`, fills the gap",
        ),
    ],
)
def test_the_browser_lab_records_its_status_for_status_json_and_warns(
    context: FakeContext,
    monkeypatch: pytest.MonkeyPatch,
    status: dict[str, Any],
    warning: str | None,
) -> None:
    monkeypatch.setattr(security_browser, "run_lab", lambda group, run_dir, logs: status)
    security_browser.run(context, security_browser.EXPERIMENT.params)
    assert context.security == status
    expected = [warning] if warning else []
    assert [w[: len(e)] for w, e in zip(context.warnings, expected, strict=True)] == expected


def test_a_cloud_experiment_without_haproxy_is_a_warning_not_a_failure(
    context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def absent() -> str:
        raise HAProxyNotFound("haproxy is not installed: apt-get install haproxy")

    monkeypatch.setattr(cloud_common, "find_haproxy", absent)
    experiment = REGISTRY["cloud_balancer"]
    experiment.run(context, experiment.params)
    assert context.warnings == [
        "cloud_balancer not measured: haproxy is not installed: apt-get install haproxy"
    ]
    assert not context.tables


def test_a_cloud_experiment_writes_its_rows_seconds_and_hosts(
    context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cloud_common, "find_haproxy", lambda: "haproxy")
    seeded: list[CloudParams] = []
    monkeypatch.setattr(cloud_common, "seed", lambda workspace, params: seeded.append(params))
    (context.directory / "topology.json").write_text(json.dumps({"earlier": []}))

    def measure(run: CloudRun) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        assert run.raw == context.raw / "cloud_x" and run.raw.is_dir()
        run.topology["cloud_x token"] = [{"role": "haproxy", "address": "127.0.0.2:1"}]
        return [{"variant": "token"}], [{"second": 0}, {"second": 1}]

    cloud_common.run_in_topology(context, "cloud_x", SHORT, measure)
    assert seeded == [SHORT]
    assert context.tables == {
        "cloud_x": [{"variant": "token"}],
        "cloud_x_seconds": [{"second": 0}, {"second": 1}],
    }
    hosts = json.loads((context.directory / "topology.json").read_text())
    assert set(hosts) == {"earlier", "cloud_x token"}


class FreezeClock:
    """Time for outage.freeze_store: each wait moves it on; the phase ends at `over_at`."""

    def __init__(self, over_at: float = float("inf")) -> None:
        self.time = 1000.0
        self.over_at = over_at
        self.sent: list[tuple[float, int]] = []

    def now(self) -> float:
        return self.time

    def wait(self, seconds: float) -> bool:
        self.time = min(self.time + seconds, self.over_at)
        return self.time >= self.over_at

    def send(self, pid: int, signum: int) -> None:
        assert pid == 4242
        self.sent.append((self.time, signum))


def _freeze(clock: FreezeClock, users_ran_at: float | None) -> dict[str, float]:
    timestamps: dict[str, float] = {}

    def load_running() -> float | None:
        # The note appears once the moment it names has come.
        return users_ran_at if users_ran_at is not None and clock.time >= users_ran_at else None

    outage.freeze_store(
        4242, 2.5, 2.0, load_running,
        timestamps=timestamps, wait=clock.wait, now=clock.now, send=clock.send,
    )  # fmt: skip
    return timestamps


def test_the_store_freezes_seconds_after_the_users_run_not_after_the_phase_was_asked_for() -> None:
    # Locust took 5 s to start (a loaded machine): timed from the phase's request, the freeze
    # would have begun at 1002.5, while the users were still logging in.
    clock = FreezeClock()
    timestamps = _freeze(clock, users_ran_at=1005.2)
    (stopped_at, stop), (resumed_at, resume) = clock.sent
    assert (stop, resume) == (signal.SIGSTOP, signal.SIGCONT)
    assert stopped_at == pytest.approx(1005.2 + 2.5)
    assert resumed_at == pytest.approx(1005.2 + 2.5 + 2.0)
    assert timestamps == {"stopped": stopped_at, "resumed": resumed_at}


def test_a_phase_whose_load_never_ran_freezes_nothing() -> None:
    clock = FreezeClock(over_at=1003.0)  # Locust failed: the phase is over, no note came
    assert _freeze(clock, users_ran_at=None) == {}
    assert clock.sent == []


def test_a_phase_that_ends_mid_freeze_resumes_the_store_at_once() -> None:
    clock = FreezeClock(over_at=1004.0)
    timestamps = _freeze(clock, users_ran_at=1001.0)
    assert clock.sent == [(1003.5, signal.SIGSTOP), (1004.0, signal.SIGCONT)]
    assert timestamps == {"stopped": 1003.5, "resumed": 1004.0}


def test_the_outage_phase_tells_locust_where_to_note_that_its_users_run(
    context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The phase is the users' ramp longer than before + during + after, and each variant's
    Locust is handed a note file of its own, outside the results folder."""
    from types import SimpleNamespace

    from authlab.bench.variant_servers import RunningVariant
    from loadtests.running_note import RUNNING_OUT_ENV

    stopped: list[str] = []
    sent: list[int] = []

    def start(variant: Any, instances: int) -> RunningVariant:
        store = SimpleNamespace(
            process=SimpleNamespace(pid=4242), stop=lambda: stopped.append(variant.name)
        )
        return RunningVariant(variant, [], store, None, remote_url="http://127.0.0.1:1")  # type: ignore[arg-type]

    context.start = start
    monkeypatch.setattr(outage, "signal_pid", lambda pid, signum: sent.append(signum))
    params = outage.OutageParams(variants=("session-redis", "token-hs256"), seconds=(2.5, 2.0, 2.0))
    outage.run(context, params)
    notes = [Path(env[RUNNING_OUT_ENV]) for env in context.phase_envs]
    assert len(notes) == 2 and notes[0] != notes[1]
    assert all(context.workspace.directory in note.parents for note in notes)
    assert [phase.seconds for _, phase, _ in context.phases] == [derive.SPAWN_SECONDS + 6.5] * 2
    assert stopped == ["session-redis", "token-hs256"]  # each variant's own store, stopped
    assert signal.SIGSTOP not in sent  # no load ran (no note came): nothing was frozen


def test_every_variant_loses_its_store_at_the_same_time(
    context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each variant's phase runs beside the others' (each on a Redis of its own): one
    after the other, the first would wait at the barrier in vain."""
    import threading
    from types import SimpleNamespace

    from authlab.bench.variant_servers import RunningVariant

    variants = ("session-redis", "token-hs256", "token-hs256-denylist")
    pids = {name: 4000 + i for i, name in enumerate(variants)}
    stopped: list[str] = []

    def start(variant: Any, instances: int) -> RunningVariant:
        store = SimpleNamespace(
            process=SimpleNamespace(pid=pids[variant.name]),
            stop=lambda: stopped.append(variant.name),
        )
        return RunningVariant(variant, [], store, None, remote_url="http://127.0.0.1:1")  # type: ignore[arg-type]

    together = threading.Barrier(len(variants), timeout=10)

    def figures(target: Any, phase: Any, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        together.wait()
        # The last variant's phase ends first: each reports one second of answers.
        time.sleep(0.05 * (len(variants) - variants.index(target.variant)))
        return {}, {"per_second": [[1000, 10, 0]], "generator": {"test_started": 1000.0}}

    context.start = start
    context.figures = figures
    monkeypatch.setattr(outage, "signal_pid", lambda pid, signum: None)
    outage.run(context, outage.OutageParams(variants=variants, seconds=(0.1, 0.1, 0.1)))
    assert sorted(variant for variant, _, _ in context.phases) == sorted(variants)
    assert stopped == list(variants)  # every store stopped once all phases had ended
    # One table, in the variants' order whatever order their phases ended in.
    assert [row["variant"] for row in context.tables["outage"]] == list(variants)


def test_variants_started_together_are_all_stopped_when_a_later_one_fails_to_start(
    context: FakeContext,
) -> None:
    from types import SimpleNamespace

    from authlab.bench.experiments.experiment_context import variants_running
    from authlab.bench.variant_servers import RunningVariant

    stopped: list[str] = []

    def start(variant: Any, instances: int) -> RunningVariant:
        if variant.name == "token-hs256":
            raise RuntimeError("token-hs256 did not start")
        store = SimpleNamespace(process=None, stop=lambda: stopped.append(variant.name))
        return RunningVariant(variant, [], store, None, remote_url="http://127.0.0.1:1")  # type: ignore[arg-type]

    context.start = start
    with (
        pytest.raises(RuntimeError, match="did not start"),
        variants_running(context, ("session-memory", "session-redis", "token-hs256")),
    ):
        pass  # pragma: no cover - never reached
    assert stopped == ["session-memory", "session-redis"]
