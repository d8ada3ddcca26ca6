"""The order of a run's load phases: the figures a claim compares are taken in the same
seconds.

The phases themselves are replaced by a recorder: what is checked is the order the runner
asks for them in, and which of them run at the same time, which decides how far apart (in
time, on a shared machine) the two sides of a deciding ratio are measured."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from authlab.bench.derive import CREDENTIAL_CLOSED, CREDENTIAL_RATE
from authlab.bench.phase import Measured, Phase
from authlab.bench.profiles import get_profile
from authlab.bench.runner import Bench, BenchOptions
from authlab.bench.variants import VARIANTS

Step = tuple[int, str, str]  # repetition, phase (or "pair"), variant


class _QuietSampler:
    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        yield


def _recorded_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held_back: frozenset[int] = frozenset()
) -> tuple[Bench, list[Step]]:
    """A standard run's load phases, recorded; the matched-rate phases of the
    repetitions in `held_back` reach a third of their rate the first time."""
    bench = Bench(BenchOptions(get_profile("standard"), only="none", results_root=tmp_path))
    names = bench.profile.variants
    running: dict[str, Any] = {
        name: SimpleNamespace(variant=VARIANTS[name], target=name) for name in names
    }
    bench.twins = {name: SimpleNamespace(target=f"{name}-twin") for name in names}  # type: ignore[misc]
    steps: list[Step] = []

    def run_planned(
        group: object, variant: Any, phase: Phase, repetition: int, *rest: object
    ) -> dict[str, Any]:
        steps.append((repetition, phase.name, variant.variant.name))
        return {"throughput_rps": 1000.0}

    def measure_pair(
        group: object, target: str, twin: object, phase: Phase, repetition: int, *rest: object
    ) -> None:
        steps.append((repetition, "pair", target))

    # Every variant's matched-rate phase must be running before any of them ends: run one
    # after the other, the first would wait here in vain.
    together = threading.Barrier(len(names), timeout=10)
    lock = threading.Lock()

    def measure(
        group: object, target: str, phase: Phase, repetition: int, *rest: object
    ) -> Measured:
        together.wait()
        offered = phase.users * phase.rate_per_user
        with lock:
            first = (repetition, phase.name, target) not in steps
            steps.append((repetition, phase.name, target))
        reached = offered / 3 if first and repetition in held_back else offered
        return Measured({"offered_rps": offered, "throughput_rps": reached}, None)

    monkeypatch.setattr(bench, "_run_planned", run_planned)
    monkeypatch.setattr(bench, "_measure_pair", measure_pair)
    monkeypatch.setattr(bench, "_measure", measure)
    monkeypatch.setattr(bench, "_record", lambda *recorded: None)
    bench._load(None, running, None, _QuietSampler())  # type: ignore[arg-type]
    return bench, steps


def test_every_variants_matched_phase_runs_at_the_same_time_after_every_closed_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench, steps = _recorded_run(tmp_path, monkeypatch)  # the barrier held for each repetition
    for repetition in range(bench.profile.repetitions):
        kinds = [phase for r, phase, _ in steps if r == repetition]
        rates = [i for i, kind in enumerate(kinds) if kind == CREDENTIAL_RATE]
        assert len(rates) == len(bench.profile.variants)
        assert all(kind == CREDENTIAL_CLOSED for kind in kinds[: rates[0]])
        measured = {v for r, phase, v in steps if r == repetition and phase == CREDENTIAL_RATE}
        assert measured == set(bench.profile.variants)


def test_a_repetition_a_neighbour_held_back_side_by_side_is_measured_again_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench, steps = _recorded_run(tmp_path, monkeypatch, held_back=frozenset({1}))
    for repetition in range(bench.profile.repetitions):
        rates = [v for r, phase, v in steps if r == repetition and phase == CREDENTIAL_RATE]
        assert sorted(rates) == sorted(bench.profile.variants * (2 if repetition == 1 else 1))
    assert any("rep 2 me-rate" in w and "measured again" in w for w in bench.warnings)
    # Measured again at the matched load: no variant is left flagged.
    assert not any("not at the matched load" in w for w in bench.warnings)


def test_side_by_side_every_variant_is_offered_one_rate_that_together_fills_the_profiles_share(
    tmp_path: Path,
) -> None:
    bench = Bench(BenchOptions(get_profile("standard"), only="none", results_root=tmp_path))
    share = bench.profile.matched_load
    bench.tables["phases"].rows = [
        {"variant": name, "phase": CREDENTIAL_CLOSED, "throughput_rps": capacity}
        for name, capacity in (("a", 1000.0), ("b", 2000.0), ("c", 4000.0))
    ]
    matched = bench._matched_rate(["a", "b"])
    # Each request/s costs 1/1000 + 1/2000 of the core: `share` of it at share / 0.0015
    # requests/s each, rounded down to 10.
    assert matched["offered_rps"] == share / 0.0015 // 10 * 10
    assert matched["offered_rps"] * (1 / 1000 + 1 / 2000) <= share
    assert matched["side_by_side"] == 2
    assert matched["slowest"] == "a"
    alone = bench._matched_rate(["c"])
    assert alone["offered_rps"] == share * 4000
    assert alone["side_by_side"] == 1
