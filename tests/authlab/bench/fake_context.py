"""An ExperimentContext for tests: tables and warnings in memory, the phases and servers an
experiment asks for recorded (and answered by the test), real folders under tmp_path."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authlab.bench.experiments.experiment_context import ExperimentContext
from authlab.bench.phase import Measured, Phase, Target
from authlab.bench.variant_servers import RunningVariant, Workspace
from authlab.bench.variants import Variant
from authlab.processes import ProcessGroup

Figures = tuple[dict[str, Any], dict[str, Any] | None]


@dataclass
class FakeContext:
    directory: Path
    group: ProcessGroup = field(default_factory=ProcessGroup)
    loaded_variants: tuple[Variant, ...] = ()
    target_url: str | None = None
    postgres_url: str | None = None
    redis_url: str = "redis://127.0.0.1:1/0"  # what shared_redis yields
    interrupted: bool = False
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    security: dict[str, Any] | None = None
    phases: list[tuple[str, Phase, str]] = field(default_factory=list)  # (variant, phase, label)
    phase_envs: list[dict[str, str]] = field(default_factory=list)  # each phase's extra_env
    started: list[tuple[str, int, bool]] = field(default_factory=list)  # (variant, K, private)
    # What a measured phase returns (the test decides), from (target, phase, label).
    figures: Callable[[Target, Phase, str], Figures] = lambda target, phase, label: ({}, None)
    start: Callable[[Variant, int], RunningVariant] | None = None

    @property
    def workspace(self) -> Workspace:
        return Workspace.fresh(self.directory / "work")

    @property
    def raw(self) -> Path:
        return self.directory / "raw"

    @property
    def logs(self) -> Path:
        return self.raw / "logs"

    def write_table(self, name: str, *rows: dict[str, Any]) -> None:
        self.tables.setdefault(name, []).extend(rows)

    def read_table(self, name: str) -> list[dict[str, Any]]:
        return list(self.tables.get(name, []))

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def say(self, what: str, progress: bool = True) -> None:
        self.said.append(what)

    def record_security(self, status: dict[str, Any]) -> None:
        self.security = status

    def measure_phase(
        self,
        target: Target,
        phase: Phase,
        label: str,
        extra_env: dict[str, str] | None = None,
        repetition: int = 0,
    ) -> Measured:
        self.phases.append((target.variant, phase, label))
        self.phase_envs.append(dict(extra_env or {}))
        figures, hdr = self.figures(target, phase, label)
        return Measured(figures, hdr)

    def start_variant(
        self, variant: Variant, instances: int = 1, private_redis: bool = False
    ) -> RunningVariant:
        self.started.append((variant.name, instances, private_redis))
        if self.start is not None:
            return self.start(variant, instances)
        return RunningVariant(variant, [], None, None, remote_url="http://127.0.0.1:1")

    @contextlib.contextmanager
    def shared_redis(self) -> Iterator[str]:
        yield self.redis_url


def _conforms(context: FakeContext) -> ExperimentContext:
    return context  # mypy checks that the fake is a context
