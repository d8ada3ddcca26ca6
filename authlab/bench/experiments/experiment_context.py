"""What an experiment is handed: the few parts of a bench run it may use, and no more.

The runner (authlab.bench.runner) provides it; a test provides a fake. An experiment
never sees the run itself, so what it can change is written here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from authlab.bench.phase import Measured, Phase, Target
from authlab.bench.variant_servers import RunningVariant, Workspace
from authlab.bench.variants import VARIANTS, Variant
from authlab.processes import ProcessGroup

Rows = list[dict[str, Any]]


class ExperimentContext(Protocol):
    @property
    def group(self) -> ProcessGroup:
        """Every process an experiment starts goes in it (Ctrl-C stops them all)."""

    @property
    def workspace(self) -> Workspace:
        """The run's seeded user store, keys and password (kept out of the results)."""

    @property
    def directory(self) -> Path:
        """The results folder (the manifest, the tables)."""

    @property
    def raw(self) -> Path:
        """raw/ in the results folder: what the tables were drawn from."""

    @property
    def logs(self) -> Path:
        """raw/logs/: the servers' logs."""

    @property
    def loaded_variants(self) -> tuple[Variant, ...]:
        """The variants the run loaded (an experiment may start others)."""

    @property
    def target_url(self) -> str | None:
        """A server started elsewhere (--target-url): nothing local to run or instrument."""

    @property
    def postgres_url(self) -> str | None:
        """A PostgreSQL server for the store experiments (a scratch database is made there)."""

    @property
    def interrupted(self) -> bool:
        """Ctrl-C was pressed: stop at the next safe point, keeping what was measured."""

    def write_table(self, name: str, *rows: dict[str, Any]) -> None:
        """Rows into the results folder's <name>.csv: a table the experiment declares."""

    def read_table(self, name: str) -> Rows:
        """The rows the run wrote so far in one of its tables (e.g. twin_phases)."""

    def warn(self, message: str) -> None:
        """A warning of the run: in status.json, on the terminal and on the report."""

    def say(self, what: str, progress: bool = True) -> None:
        """Name what runs now: the sampler's label and (progress) the progress line."""

    def record_security(self, status: dict[str, Any]) -> None:
        """What status.json says of the CSRF and XSS evidence (the browser experiment)."""

    def measure_phase(
        self,
        target: Target,
        phase: Phase,
        label: str,
        extra_env: dict[str, str] | None = None,
        repetition: int = 0,
    ) -> Measured:
        """One Locust phase on a server: its figures (derive.phase_figures), its latency
        file and its steady seconds; its raw files under raw/<variant>/rep<repetition>/<label>
        (an experiment that measures a cell several times numbers its repetitions)."""

    def start_variant(
        self, variant: Variant, instances: int = 1, private_redis: bool = False
    ) -> RunningVariant:
        """The variant's server(s), ready; private_redis: a Redis of its own even where the
        run was given one (an experiment that stops its store must not stop a shared one)."""

    def shared_redis(self) -> AbstractContextManager[str]:
        """The run's Redis (--redis-url), else a private one for the block's length."""


@contextmanager
def variants_running(
    context: ExperimentContext,
    names: Iterable[str],
    instances: int = 1,
    private_redis: bool = False,
) -> Iterator[dict[str, RunningVariant]]:
    """Each named variant's server(s), started one after the other and all running for the
    block (an experiment that loads them at the same time); every one started is stopped
    after it, also where a later one failed to start."""
    running: dict[str, RunningVariant] = {}
    try:
        for name in names:
            running[name] = context.start_variant(
                VARIANTS[name], instances=instances, private_redis=private_redis
            )
        yield running
    finally:
        for variant in running.values():
            variant.stop(context.group)
