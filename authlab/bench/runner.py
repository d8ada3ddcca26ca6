"""The benchmark run: start every variant, verify it, load it, measure, keep everything.

Order of a run: servers up (each variant with its own private Redis), a verify
step per variant, then the load phases with variants interleaved and the order
reversed every other repetition (A B C, C B A, ...) so that drift of a shared
machine falls on all of them alike: in each repetition every variant's closed loop,
then every variant's matched-rate phase at once (side by side, the same rate each),
then the lab-and-twin pairs, then the phases a run makes once; then the experiments.
Ctrl-C (or SIGTERM) stops every process the run started and keeps what was measured.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from authlab.bench import derive, experiments
from authlab.bench.at_once import at_once
from authlab.bench.derive import CREDENTIAL_CLOSED, CREDENTIAL_RATE
from authlab.bench.experiments.security_browser import not_measured
from authlab.bench.growing_csv import Table
from authlab.bench.phase import Measured, Phase, Target, load_hdr, load_ticks, run_phase
from authlab.bench.profiles import Profile
from authlab.bench.sampler import Sampler
from authlab.bench.targets import (
    TargetVariant,
    accounts_needed,
    running_target,
    target_database,
    warm_up_requests,
)
from authlab.bench.variant_servers import (
    RunningVariant,
    Workspace,
    start_redis,
    start_variant,
    stop_redis,
    wait_ready,
)
from authlab.bench.variants import VARIANTS, Variant, select
from authlab.bench.verify import VerificationFailed
from authlab.fleet import ServerFailed
from authlab.processes import ProcessGroup, core_plan
from authlab.results import RESULTS_ROOT, new_run_dir, write_manifest
from servers.config import CHEAP_ARGON2, Argon2Params

Progress = Callable[[str, float], None]  # (what is running now, fraction done)
LOAD_TABLES = ("phases", "latency", "wire", "verification", "twin_phases", "batches")
# Offered rates are rounded down to this step (requests/s).
RATE_STEP = 10
# A matched-load phase that served less than this share of the offered rate is flagged.
SUSTAINED = 0.95


@dataclass
class BenchOptions:
    profile: Profile
    only: str | None = None
    target_url: str | None = None
    redis_url: str | None = None
    database_url: str | None = None
    postgres_url: str | None = None
    results_root: Path = RESULTS_ROOT
    locust_processes: int = 1
    experiments: tuple[str, ...] | None = None  # None: the profile's
    security_file: Path | None = None  # given with --security: no browser lab in this run
    targets: tuple[Path, ...] = ()  # target files (authlab.bench.target_file), with --target
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class BenchResult:
    directory: Path
    interrupted: bool
    summary: list[dict[str, Any]]
    warnings: list[str]
    overhead: list[dict[str, Any]] = field(default_factory=list)
    security: dict[str, Any] = field(default_factory=dict)


class Bench:
    def __init__(self, options: BenchOptions, progress: Progress | None = None) -> None:
        self.options = options
        self.profile = options.profile
        self.progress = progress or (lambda what, done: None)
        self._interrupt_requested = False
        lab = [] if options.only == "none" else select(options.only, self.profile.variants)
        self.variants = lab + self._targets()
        if options.target_url and len(self.variants) != 1:
            raise ValueError("--target-url drives one server: name its variant with --only")
        self.directory = new_run_dir("bench", options.results_root)
        self.raw = self.directory / "raw"
        self.raw.mkdir()
        self.logs = self.raw / "logs"
        self.logs.mkdir()
        # The load phases' tables, then every experiment's (named in its registry entry).
        names = (*LOAD_TABLES, *experiments.TABLES)
        self.tables = {name: Table(self.directory / f"{name}.csv") for name in names}
        self.warnings: list[str] = []
        # Plain twins (servers/plain.py) of the variants, when the overhead experiment runs.
        self.twins: dict[str, RunningVariant] = {}
        self._not_started: dict[str, str] = {}  # variant -> why it was not started
        self.security: dict[str, Any] = {}  # what status.json says of the CSRF and XSS evidence
        # The one offered rate of the matched-load phases, and how it was chosen.
        self.matched: dict[str, Any] = {}
        self._label = ""
        self._steps_done = 0
        self._steps_total = 1

    def _targets(self) -> list[Variant]:
        """The --target files as variants; with targets alone (--only none), no lab variant."""
        accounts, warm_up = accounts_needed(self.profile), warm_up_requests(self.profile)
        found = [TargetVariant.from_file(path, accounts, warm_up) for path in self.options.targets]
        names = [v.name for v in found]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"two target files name {twice[0]!r}: names must differ")
        return list(found)

    # --- bookkeeping ------------------------------------------------------------------

    def _planned_phases(self, variant: Variant, repetition: int) -> list[Phase]:
        return [
            phase
            for phase in self.profile.phases
            if (variant.kind == "token" or not phase.token_only)
            and (phase.every_repetition or repetition == 0)
            and (phase.only_variants is None or variant.name in phase.only_variants)
            and variant.runs_phase(phase.name)
        ]

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        """Ctrl-C: KeyboardInterrupt, and remembered. Python drops an exception raised in an
        at-fork hook or a finaliser ("Exception ignored in ..."): a Ctrl-C that lands while a
        process is being started would be lost, so the next step raises it again."""
        self._interrupt_requested = True
        raise KeyboardInterrupt

    def _step(self, label: str) -> None:
        if self._interrupt_requested:
            raise KeyboardInterrupt  # a Ctrl-C that Python dropped where it landed
        self._label = label
        self.progress(label, self._steps_done / self._steps_total)
        self._steps_done += 1

    @property
    def _with_twins(self) -> bool:
        return "overhead" in self._experiments() and not self.options.target_url

    def _experiments(self) -> tuple[str, ...]:
        chosen = self.options.experiments
        if chosen is None:
            chosen = () if self.options.target_url else self.profile.experiments
        if self.options.security_file:
            chosen = tuple(e for e in chosen if e != "security_browser")
        return chosen

    def _experiment_variants(self) -> list[Variant]:
        loaded = {variant.name for variant in self.variants}
        names: list[str] = []
        for name in self._experiments():
            names += experiments.REGISTRY[name].variants(self.profile.params_for(name))
        return [VARIANTS[name] for name in dict.fromkeys(names) if name not in loaded]

    # --- the run ------------------------------------------------------------------------

    def run(self) -> BenchResult:
        plan = core_plan()
        write_manifest(
            self.directory,
            "bench",
            {
                "profile": asdict(self.profile),
                # What each experiment of this run is given: the profile's, else its defaults.
                "experiment_params": {
                    name: asdict(self.profile.params_for(name)) for name in self._experiments()
                },
                "variants": [v.describe() for v in self.variants],
                # Variants only an experiment starts: the report knows them from here.
                "experiment_variants": [v.describe() for v in self._experiment_variants()],
                "target_url": self.options.target_url,
                "redis_url": self.options.redis_url,
                "database_url": self.options.database_url or "sqlite (a fresh file per run)",
                "locust_processes": self.options.locust_processes,
                "core_plan": {role: list(c) if c else None for role, c in plan.items()},
                "interleaving": "variants in order, reversed every other repetition; "
                "each phase kind for every variant before the next kind; the matched-rate "
                "phases of all variants at once",
                "argon2": {
                    "servers": "OWASP defaults (m=19456 KiB, t=2, p=1)",
                    "accounts user*": CHEAP_ARGON2.describe() + " (browsing phases)",
                    "accounts storm*": Argon2Params().describe() + " (login storm)",
                },
            },
        )
        if plan["locust"] is None:
            self.warnings.append("fewer than 2 cores: generator and server share a core")
        self._steps_total = (
            sum(
                len(self._planned_phases(v, r))
                for r in range(self.profile.repetitions)
                for v in self.variants
            )
            + len(self.variants)
            + len(self._experiments())
            + sum(len(self.variants) for r in range(self.profile.repetitions) if self._twins_in(r))
            + 1
        )
        interrupted = False
        previous_sigint = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, self._on_sigint)
        try:
            with (
                tempfile.TemporaryDirectory(prefix="authlab-bench-") as work,
                ProcessGroup() as group,
                Sampler(self.raw) as sampler,
                contextlib.ExitStack() as databases,
            ):
                sampler.label_with(lambda: self._label)
                workspace = Workspace.fresh(Path(work))
                if self.options.database_url:
                    workspace.database_url = self.options.database_url
                self._seed(workspace)
                self._target_databases(databases)
                running = self._start_all(group, sampler, workspace)
                self._load(group, running, workspace, sampler)
                for variant_running in [*self.twins.values(), *running.values()]:
                    variant_running.stop(group)
                self._run_experiments(group, sampler, workspace)
        except KeyboardInterrupt:
            interrupted = True
            self._interrupt_requested = False
            self.warnings.append("interrupted: the results hold what was measured until then")
        finally:
            signal.signal(signal.SIGINT, previous_sigint)
        summary = derive.summarise_variants(self.tables["phases"].rows, self._floors())
        Table(self.directory / "summary.csv").add(*summary)
        if any(row.get("generator_saturated") for row in self.tables["phases"].rows):
            self.warnings.append(
                "the load generator ran above 90% of a core in some phases (flagged in "
                "phases.csv): their throughput is the generator's limit, not the server's"
            )
        (self.directory / "status.json").write_text(
            json.dumps(
                {
                    "interrupted": interrupted,
                    "warnings": self.warnings,
                    "security": self._security_status(),
                    "matched_load": self.matched,
                    "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                },
                indent=2,
            )
            + "\n"
        )
        self.progress("done", 1.0)
        return BenchResult(
            self.directory,
            interrupted,
            summary,
            self.warnings,
            self.tables["overhead"].rows,
            self._security_status(),
        )

    def _floors(self) -> dict[str, str | None]:
        """Each variant's no-auth floor: the lab's baseline is Python's; a target runtime's
        is its own baseline target (kind = "baseline"), or none."""
        floors: dict[str, str | None] = {}
        for variant in self.variants:
            if variant.runtime == "python":
                continue
            same = [v.name for v in self.variants if v.runtime == variant.runtime]
            own = [v.name for v in self.variants if v.name in same and v.kind == "baseline"]
            floors[variant.name] = own[0] if own else None
        return floors

    def _security_status(self) -> dict[str, Any]:
        if self.options.security_file:
            return {"measured": True, "file": str(self.options.security_file), "given": True}
        if self.security:
            return self.security
        return not_measured("the browser lab was not part of this run", self.directory)

    def _seed(self, workspace: Workspace) -> None:
        if self.options.target_url:
            return  # a remote server's users are seeded where it runs (README)
        self._step("seeding users")
        workspace.seed(self.profile.seeded_users)

    def _target_databases(self, stack: contextlib.ExitStack) -> None:
        """A scratch PostgreSQL database for each target that asks for one (dropped at the
        end); a target that cannot have one is not started, with the reason."""
        for position, variant in enumerate(self.variants):
            self.variants[position], reason = target_database(
                variant, self.options.postgres_url, stack
            )
            if reason:
                self._not_started[variant.name] = reason

    def _start_all(
        self, group: ProcessGroup, sampler: Sampler, workspace: Workspace
    ) -> dict[str, RunningVariant]:
        running: dict[str, RunningVariant] = {}
        for name, reason in self._not_started.items():
            self._refuse(name, reason)
        if self.options.target_url:
            variant = self.variants[0]
            running[variant.name] = RunningVariant(
                variant,
                [],
                None,
                self.options.redis_url,
                remote_url=self.options.target_url.rstrip("/"),
            )
        else:
            # Start every server at once (they start in parallel), then wait for each.
            for variant in self.variants:
                if variant.name in self._not_started:
                    continue
                already = running_target(variant)
                if already is not None:
                    running[variant.name] = already
                    continue
                running[variant.name] = start_variant(
                    group, variant, workspace, self.logs, self.options.redis_url, wait=False
                )
            if self._with_twins:
                for variant in self.variants:
                    if not variant.has_twin or variant.name in self._not_started:
                        continue
                    # The twin has a Redis of its own (it runs at the same time as its
                    # variant), unless the user named one for all (--redis-url).
                    self.twins[variant.name] = start_variant(
                        group,
                        variant,
                        workspace,
                        self.logs,
                        self.options.redis_url,
                        wait=False,
                        plain_twin=True,
                    )
            for twin in self.twins.values():
                wait_ready(twin)  # a yardstick: not sampled, it has no /metrics
            for name, variant_running in list(running.items()):
                try:
                    wait_ready(variant_running)
                except ServerFailed as error:
                    if variant_running.variant.has_twin:
                        raise  # the lab's own server must start: that is a bug, not a finding
                    self._refuse(name, str(error))
                    del running[name]
                    continue
                for server in variant_running.servers:
                    sampler.watch(server.tracked)
                sampler.watch_metrics(variant_running.variant.name, variant_running.target.url)
                if variant_running.redis is not None:
                    sampler.watch_redis(variant_running.variant.name, variant_running.redis.url)
        verified = {}
        for name, variant_running in running.items():
            self._step(f"verify {name}")
            verified[name] = self._verify(variant_running, workspace)
        return {name: r for name, r in running.items() if verified[name]}

    def _refuse(self, name: str, reason: str, facts: dict[str, Any] | None = None) -> None:
        """A variant that is not loaded, and why: in the verification table and the warnings."""
        self.tables["verification"].add(
            {"variant": name, "ok": False, "detail": reason, **(facts or {})}
        )
        self.warnings.append(f"{name} failed verification and was not loaded: {reason}")

    def _verify(self, running: RunningVariant, workspace: Workspace) -> bool:
        target = running.target
        variant = running.variant
        try:
            sizes = variant.verify(target.url, "user000000", workspace.password)
        except (VerificationFailed, OSError, ValueError) as error:
            self._refuse(target.variant, str(error), variant.verification_facts())
            return False
        self.tables["verification"].add(
            {"variant": target.variant, "ok": True, "detail": "", **variant.verification_facts()}
        )
        self.tables["wire"].add(*({"variant": target.variant, **asdict(size)} for size in sizes))
        return True

    def _load(
        self,
        group: ProcessGroup,
        running: dict[str, RunningVariant],
        workspace: Workspace,
        sampler: Sampler,
    ) -> None:
        names = list(running)
        for repetition in range(self.profile.repetitions):
            order = names if repetition % 2 == 0 else list(reversed(names))
            # Capacity first, every variant: the open-model phases after it run at one
            # offered rate that all of them sustain (chosen once, in the first repetition).
            for name, phase in self._turns(running, order, repetition, {CREDENTIAL_CLOSED}):
                figures = self._run_planned(
                    group, running[name], phase, repetition, workspace, sampler
                )
                if not self.matched and derive.disturbed(figures):
                    # The rate all variants share comes from these: measure again.
                    self._forget(name, phase.name, repetition)
                    self.warnings.append(
                        f"{name} {phase.name}: neither server nor generator was busy "
                        "(a disturbed capacity): measured again"
                    )
                    self._run_planned(group, running[name], phase, repetition, workspace, sampler)
            if not self.matched:
                self.matched = self._matched_rate(names)
            # The matched-rate phases of every variant at once, side by side: the figures
            # the claims compare are taken in the same seconds.
            self._side_by_side(
                group,
                running,
                list(self._turns(running, order, repetition, {CREDENTIAL_RATE})),
                repetition,
                workspace,
                sampler,
            )
            if self._twins_in(repetition):
                for name, phase in self._turns(running, order, repetition, {CREDENTIAL_RATE}):
                    if name in self.twins:
                        with sampler.quiet():  # CPU per request: no scrape meanwhile
                            self._measure_pair(
                                group,
                                running[name].target,
                                self.twins[name],
                                self._at_matched_rate(phase),
                                repetition,
                                workspace,
                            )
            # Then every other phase: logins, logouts, refreshes, the request mix.
            others = {p.name for p in self.profile.phases} - {CREDENTIAL_CLOSED, CREDENTIAL_RATE}
            for name, phase in self._turns(running, order, repetition, others):
                self._run_planned(group, running[name], phase, repetition, workspace, sampler)

    def _turns(
        self,
        running: dict[str, RunningVariant],
        order: list[str],
        repetition: int,
        kinds: set[str],
    ) -> Iterator[tuple[str, Phase]]:
        """Each variant in `order` with each of its phases planned for this repetition
        whose name is among `kinds`: one kind of phase for every variant in turn."""
        for name in order:
            for phase in self._planned_phases(running[name].variant, repetition):
                if phase.name in kinds:
                    yield name, phase

    def _twins_in(self, repetition: int) -> bool:
        """Whether the lab and its plain twins are loaded side by side in this repetition
        (Profile.twin_repetitions: the first N, or every one)."""
        limit = self.profile.twin_repetitions
        return self._with_twins and (limit is None or repetition < limit)

    def _matched_rate(self, names: list[str]) -> dict[str, Any]:
        """The offered rate for the matched-load phases, the same for every variant: they
        run side by side on the server core, so the rate at which, by the capacities their
        closed loops reached, together they would keep it busy Profile.matched_load of
        the time (a generator-limited capacity is a lower bound, so the rate stays within
        every variant's reach either way; a closed loop a neighbour held back was measured
        again, derive.disturbed)."""
        capacities = {
            row["variant"]: row["throughput_rps"]
            for row in self.tables["phases"].rows
            if row["phase"] == CREDENTIAL_CLOSED
            and row["variant"] in names
            and row.get("throughput_rps")
        }
        if not capacities:
            return {"offered_rps": None, "from": "no capacity measured: the profile's own rates"}
        slowest = min(capacities, key=lambda name: capacities[name])
        # A second of requests at rate r costs variant v r / capacity(v) of the core.
        core_per_request_rate = sum(1 / capacity for capacity in capacities.values())
        rate = self.profile.matched_load / core_per_request_rate
        rate = max(RATE_STEP, rate // RATE_STEP * RATE_STEP)
        together = len(capacities)
        return {
            "offered_rps": rate,
            "share": self.profile.matched_load,
            "side_by_side": together,
            "slowest": slowest,
            "slowest_capacity_rps": round(capacities[slowest], 1),
            "from": (
                f"{together} variants loaded side by side, each at the rate at which, by "
                "their capacities in the closed loop, together they would keep the server "
                f"core {self.profile.matched_load:.0%} busy"
                if together > 1
                else f"{self.profile.matched_load:.0%} of its capacity "
                f"({capacities[slowest]:,.0f} requests/s in the closed loop)"
            ),
        }

    def _at_matched_rate(self, phase: Phase) -> Phase:
        rate = self.matched.get("offered_rps")
        if not phase.matched_rate or not rate or not phase.users:
            return phase
        return dataclasses.replace(phase, rate_per_user=rate / phase.users)

    def _run_planned(
        self,
        group: ProcessGroup,
        running: RunningVariant,
        phase: Phase,
        repetition: int,
        workspace: Workspace,
        sampler: Sampler,
    ) -> dict[str, Any]:
        # The matched-rate phases run side by side (_side_by_side), never here.
        name = running.variant.name
        self._step(f"rep {repetition + 1}/{self.profile.repetitions} · {name} · {phase.name}")
        # A closed loop's CPU per request is counted: no /metrics scrape meanwhile.
        counted = phase.name == CREDENTIAL_CLOSED
        with sampler.quiet() if counted else contextlib.nullcontext():
            return self.measure_phase(group, running.target, phase, repetition, workspace).figures

    def _side_by_side(
        self,
        group: ProcessGroup,
        running: dict[str, RunningVariant],
        turns: list[tuple[str, Phase]],
        repetition: int,
        workspace: Workspace,
        sampler: Sampler,
    ) -> None:
        """These phases all at the same time, each variant on its own generator at the
        matched rate: a deciding ratio's two sides (and the baseline a check subtracts) are
        measured in the same seconds, so a neighbour's burst or a clock change falls on
        all of them alike. Measured one after the other, seconds apart, a variant's CPU
        per request moved 10-30% between repetitions on this shared machine, and the
        check ratio (which subtracts the baseline from both sides) from x0.83 to x1.45
        within one run."""
        if not turns:
            return
        self._step(
            f"rep {repetition + 1}/{self.profile.repetitions} · "
            f"{', '.join(name for name, _ in turns)} side by side · {turns[0][1].name}"
        )
        self._steps_done += len(turns) - 1  # one step for the phases counted one each
        planned = [(name, self._at_matched_rate(phase)) for name, phase in turns]
        calls = [
            functools.partial(
                self._measure, group, running[name].target, phase, repetition, workspace
            )
            for name, phase in planned
        ]
        with sampler.quiet():
            results = at_once(calls)
        held_back = [
            name
            for (name, phase), measured in zip(planned, results, strict=True)
            if self._unsustained(phase, measured.figures)
        ]
        if held_back:
            # Side by side, a neighbour holds every variant back at once: the repetition is
            # not at the matched load, so it is measured again (once).
            self.warnings.append(
                f"rep {repetition + 1} {planned[0][1].name}: {', '.join(held_back)} did not "
                "reach 95% of the offered rate side by side (a disturbed repetition): "
                "measured again"
            )
            for name, phase in planned:
                self._forget(name, phase.name, repetition)
            with sampler.quiet():
                results = at_once(calls)
        for (name, phase), measured in zip(planned, results, strict=True):
            self._record(running[name].target, phase, repetition, measured)
            self._flag_unsustained(name, phase, repetition, measured.figures)

    @staticmethod
    def _unsustained(phase: Phase, figures: dict[str, Any]) -> bool:
        """Whether a matched-rate phase served less than SUSTAINED of the offered rate."""
        offered, reached = figures.get("offered_rps"), figures.get("throughput_rps")
        return bool(phase.matched_rate and offered and (reached or 0) < SUSTAINED * offered)

    def _flag_unsustained(
        self, name: str, phase: Phase, repetition: int, figures: dict[str, Any]
    ) -> None:
        if self._unsustained(phase, figures):
            offered, reached = figures.get("offered_rps"), figures.get("throughput_rps")
            self.warnings.append(
                f"{name} {phase.name} rep {repetition + 1}: {reached or 0:,.0f} of the "
                f"{offered:,.0f} requests/s offered (its CPU per request is not at the "
                "matched load)"
            )

    def _forget(self, variant: str, phase: str, repetition: int) -> None:
        """Leave a disturbed phase out of the tables (its raw files stay, marked)."""
        for name in ("phases", "latency", "batches"):
            table = self.tables[name]
            table.rows = [
                row
                for row in table.rows
                if (row.get("variant"), row.get("phase"), row.get("repetition"))
                != (variant, phase, repetition)
            ]
            table.write()
        directory = self.raw / variant / f"rep{repetition}" / phase
        if directory.is_dir():
            directory.rename(directory.with_name(f"{phase}-disturbed"))

    def _measure_pair(
        self,
        group: ProcessGroup,
        target: Target,
        twin: RunningVariant,
        phase: Phase,
        repetition: int,
        workspace: Workspace,
    ) -> None:
        """The lab's server and its plain twin loaded at the same time, each at the matched
        rate (as in the side-by-side phase).

        Both share the server core and the machine's state second by second, so a
        neighbour's load or a clock change falls on both alike; measured one after
        the other, the two drifted apart by 20-30% on a busy machine.
        """
        self._step(f"rep {repetition + 1}/{self.profile.repetitions} · {target.variant} + twin")
        paired = dataclasses.replace(phase, name=derive.CREDENTIAL_PAIR)
        sides = (
            ("authlab", target, f"{paired.name}-authlab"),
            ("plain", twin.target, f"{paired.name}-plain"),
        )
        measured = at_once(
            [
                functools.partial(
                    self.measure_phase, group, side, paired, repetition, workspace, label
                )
                for _, side, label in sides
            ]
        )
        rows = {server: m.figures for (server, _, _), m in zip(sides, measured, strict=True)}
        shared_store = target.redis_url is not None and target.redis_url == twin.target.redis_url
        for server, figures in rows.items():
            if shared_store:
                # One Redis served both: its CPU cannot be told apart, so neither side counts it.
                figures["redis_cpu_us_per_request"] = None
            self.tables["twin_phases"].add(
                {**figures, "server": server, "shared_store": shared_store}
            )

    def measure_phase(
        self,
        group: ProcessGroup,
        target: Target,
        phase: Phase,
        repetition: int,
        workspace: Workspace,
        label: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> Measured:
        measured = self._measure(group, target, phase, repetition, workspace, label, extra_env)
        if label is None:
            self._record(target, phase, repetition, measured)
        return measured

    def _measure(
        self,
        group: ProcessGroup,
        target: Target,
        phase: Phase,
        repetition: int,
        workspace: Workspace,
        label: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> Measured:
        """Run one phase and derive its figures, writing no table (so that phases can run
        side by side in threads)."""
        directory = self.raw / target.variant / f"rep{repetition}" / (label or phase.name)
        row = run_phase(
            group,
            target,
            phase,
            self.profile,
            directory,
            workspace.password,
            self.options.locust_processes,
            extra_env,
        )
        row["repetition"] = repetition
        hdr = load_hdr(directory)
        ticks = load_ticks(directory)
        figures = derive.phase_figures(row, hdr, ticks)
        steady = tuple(derive.steady_batches(row, hdr, ticks))
        if not figures["requests_ok"] and not figures["requests_failed"]:
            self.warnings.append(
                f"{target.variant} {label or phase.name}: no request was made "
                f"(Locust exit {row['locust_exit']}; see {directory / 'locust.log'})"
            )
        return Measured(figures, hdr, steady)

    def _record(self, target: Target, phase: Phase, repetition: int, measured: Measured) -> None:
        """A load phase's rows in the phases, latency and batches tables."""
        self.tables["phases"].add(measured.figures)
        base = {"variant": target.variant, "repetition": repetition, "phase": phase.name}
        self.tables["latency"].add(*derive.latency_rows(base, measured.hdr))
        # The steady window second by second: what the report's intervals resample.
        self.tables["batches"].add(*({**base, **batch.as_row()} for batch in measured.batches))

    # --- the experiments (authlab.bench.experiments) ------------------------------------

    def say(self, what: str, progress: bool = True) -> None:
        """Name what runs now, within the current step (progress: tell the progress bar)."""
        self._label = what
        if progress:
            self.progress(what, (self._steps_done - 1) / self._steps_total)

    def _run_experiments(self, group: ProcessGroup, sampler: Sampler, workspace: Workspace) -> None:
        for name in self._experiments():
            self._step(f"experiment · {name}")
            experiment = experiments.REGISTRY[name]
            context = _ExperimentContext(self, group, workspace, experiment.tables)
            experiment.run(context, self.profile.params_for(name))


@dataclass
class _ExperimentContext:
    """What an experiment is handed (bench.experiments.experiment_context): this run's parts."""

    bench: Bench
    group: ProcessGroup
    workspace: Workspace
    declared: tuple[str, ...]  # the tables this experiment writes (its registry entry)

    @property
    def directory(self) -> Path:
        return self.bench.directory

    @property
    def raw(self) -> Path:
        return self.bench.raw

    @property
    def logs(self) -> Path:
        return self.bench.logs

    @property
    def loaded_variants(self) -> tuple[Variant, ...]:
        return tuple(self.bench.variants)

    @property
    def target_url(self) -> str | None:
        return self.bench.options.target_url

    @property
    def postgres_url(self) -> str | None:
        return self.bench.options.postgres_url

    @property
    def interrupted(self) -> bool:
        return self.bench._interrupt_requested

    def write_table(self, name: str, *rows: dict[str, Any]) -> None:
        if name not in self.declared:
            # A table its entry does not name is one the report and TABLES do not know.
            raise ValueError(f"{name!r} is not among the experiment's tables {self.declared}")
        self.bench.tables[name].add(*rows)

    def read_table(self, name: str) -> list[dict[str, Any]]:
        return list(self.bench.tables[name].rows)

    def warn(self, message: str) -> None:
        self.bench.warnings.append(message)

    def say(self, what: str, progress: bool = True) -> None:
        self.bench.say(what, progress)

    def record_security(self, status: dict[str, Any]) -> None:
        self.bench.security = status

    def measure_phase(
        self,
        target: Target,
        phase: Phase,
        label: str,
        extra_env: dict[str, str] | None = None,
        repetition: int = 0,
    ) -> Measured:
        return self.bench.measure_phase(
            self.group, target, phase, repetition, self.workspace, label, extra_env
        )

    def start_variant(
        self, variant: Variant, instances: int = 1, private_redis: bool = False
    ) -> RunningVariant:
        shared = None if private_redis else self.bench.options.redis_url
        return start_variant(
            self.group, variant, self.workspace, self.logs, shared, instances=instances
        )

    @contextlib.contextmanager
    def shared_redis(self) -> Iterator[str]:
        """The run's Redis (--redis-url), else a private one for the experiment's length."""
        if self.bench.options.redis_url:
            yield self.bench.options.redis_url
            return
        redis = start_redis(self.group, "experiments")
        try:
            yield redis.url
        finally:
            stop_redis(self.group, redis)
