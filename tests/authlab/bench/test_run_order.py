"""The order of a run's load phases: the figures a claim compares are taken seconds apart.

The phases themselves are replaced by a recorder: what is checked is the order the runner
asks for them in, which decides how far apart (in time, on a shared machine) the two sides
of a deciding ratio are measured."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from authlab.bench.derive import CREDENTIAL_CLOSED, CREDENTIAL_RATE
from authlab.bench.phase import Phase
from authlab.bench.profiles import get_profile
from authlab.bench.runner import Bench, BenchOptions
from authlab.bench.variants import VARIANTS

Step = tuple[int, str, str]  # repetition, phase (or "pair"), variant


class _QuietSampler:
    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        yield


def _recorded_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Bench, list[Step]]:
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

    monkeypatch.setattr(bench, "_run_planned", run_planned)
    monkeypatch.setattr(bench, "_measure_pair", measure_pair)
    bench._load(None, running, None, _QuietSampler())  # type: ignore[arg-type]
    return bench, steps


def test_every_variants_matched_phase_runs_back_to_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench, steps = _recorded_run(tmp_path, monkeypatch)
    for repetition in range(bench.profile.repetitions):
        kinds = [phase for r, phase, _ in steps if r == repetition]
        rates = [i for i, kind in enumerate(kinds) if kind == CREDENTIAL_RATE]
        # One unbroken run of matched-rate phases, after every closed loop.
        assert rates == list(range(rates[0], rates[0] + len(bench.profile.variants)))
        assert all(kind == CREDENTIAL_CLOSED for kind in kinds[: rates[0]])


def test_session_redis_stands_beside_both_its_tokens_in_every_repetition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench, steps = _recorded_run(tmp_path, monkeypatch)
    for repetition in range(bench.profile.repetitions):
        order = [v for r, phase, v in steps if r == repetition and phase == CREDENTIAL_RATE]
        at = order.index("session-redis")
        assert {order[at - 1], order[at + 1]} == {"token-hs256", "token-hs256-denylist"}
    # Reversed every other repetition: drift falls on both ends alike.
    first = [v for r, phase, v in steps if r == 0 and phase == CREDENTIAL_RATE]
    second = [v for r, phase, v in steps if r == 1 and phase == CREDENTIAL_RATE]
    assert second == first[::-1]


def test_the_lab_and_its_twins_run_in_the_profiles_first_repetitions_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench, steps = _recorded_run(tmp_path, monkeypatch)
    paired = {r for r, phase, _ in steps if phase == "pair"}
    assert bench.profile.twin_repetitions is not None
    assert paired == set(range(bench.profile.twin_repetitions))
    assert bench.profile.twin_repetitions < bench.profile.repetitions
    # Each pair after the matched phases it checks, never between two of them.
    for repetition in paired:
        kinds = [phase for r, phase, _ in steps if r == repetition]
        last_rate = max(i for i, kind in enumerate(kinds) if kind == CREDENTIAL_RATE)
        assert kinds.index("pair") > last_rate
