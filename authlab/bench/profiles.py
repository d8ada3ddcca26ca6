"""Benchmark profiles: how long, how many repetitions, which experiments, and where a
profile runs an experiment shorter or longer than its defaults, the parameters it gives it.

Durations are short because the whole `standard` run must fit in 10 minutes
on a 2-core machine; repetitions and interleaving (A B A B) make up for it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from authlab.bench.experiments import REGISTRY
from authlab.bench.experiments.outage import OutageParams
from authlab.bench.experiments.primitives import PrimitivesParams
from authlab.bench.experiments.resident_sessions import ResidentSessionsParams
from authlab.bench.experiments.scale_out import ScaleOutParams
from authlab.bench.experiments.sessions_at_scale import SessionsAtScaleParams
from authlab.bench.phase import Phase
from authlab.bench.variants import DEFAULT_MATRIX
from results_format import phase_ids

# The experiments a run does after its load phases (authlab.bench.experiments) ...
EXPERIMENTS: tuple[str, ...] = tuple(name for name, e in REGISTRY.items() if e.by_default)
# ... and, in standard and full, the security lab's CSRF and XSS in Chromium (skipped,
# saying so, where Chromium is missing) ...
WITH_BROWSER: tuple[str, ...] = (*EXPERIMENTS, "security_browser")
# ... and in full, instructions per request under callgrind (minutes: Python under valgrind).
FULL: tuple[str, ...] = (*WITH_BROWSER, "instructions")
# The cloud topology's experiments (authlab.topology), in a profile of their own.
CLOUD: tuple[str, ...] = tuple(name for name in REGISTRY if name.startswith("cloud_"))


@dataclass(frozen=True)
class Profile:
    name: str
    variants: tuple[str, ...]
    repetitions: int
    phases: tuple[Phase, ...]
    seeded_users: int
    experiments: tuple[str, ...] = EXPERIMENTS
    # Experiment name -> its parameters where this profile's differ from the experiment's
    # defaults (each experiment's module declares its parameters' dataclass).
    params: dict[str, Any] = field(default_factory=dict)
    step_users: int = 8
    step_seconds: float = 2.0
    steps: int = 3
    spike_base_users: int = 5
    spike_users: int = 40
    spike_phase_seconds: float = 2.0
    # The open-model phases that feed comparisons run every variant at once, each at the
    # one rate at which, by their capacities (the closed loops of the first repetition),
    # together they would keep the server core busy this share of the time. A closed
    # loop's capacity is its cheapest operating point: at 50% by capacities the core
    # was measured 68% busy side by side, at 40% it is about half.
    matched_load: float = 0.4
    # The lab and its plain twins loaded side by side in the first N repetitions (None:
    # every one): the pair checks the lab's own cost, it decides no claim.
    twin_repetitions: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def params_for(self, experiment: str) -> Any:
        """The parameters this profile runs an experiment with: its own, else the defaults."""
        declared = REGISTRY[experiment]
        if experiment in self.params:
            return declared.with_params(self.params[experiment])
        return declared.params


SPIKE_VARIANTS = ("baseline", "session-redis", "token-hs256")


def _phases(
    seconds: float,
    rate_users: int,
    rate: float,
    login_seconds: float,
    spike: bool = False,
    closed_seconds: float = 3.0,
    closed_users: int = 32,
    mix_every_repetition: bool = True,
    matched_seconds: float | None = None,
    matched_users: int = 20,
    mix: bool = True,
) -> tuple[Phase, ...]:
    spike_phase = (
        # A spike: a paced base load, a burst of closed-loop users, the base again.
        Phase(phase_ids.SPIKE, "browse", 0, 0, rate_per_user=rate, shape="spike",
              every_repetition=False, only_variants=SPIKE_VARIANTS),
    ) if spike else ()  # fmt: skip
    every = mix_every_repetition
    mix_phases = (
        # In a realistic request mix (browsing with 20% transfers, each an SQL write):
        # latency at a fixed rate, and a step ramp of closed-loop users to saturation
        # (the variants table's "in a mix"; no claim reads them).
        Phase(phase_ids.FIXED_RATE, "browse", seconds, rate_users, rate_per_user=rate,
              every_repetition=every),
        Phase(phase_ids.STEP, "browse", 0, 0, shape="step", every_repetition=every),
    ) if mix else ()  # fmt: skip
    return (
        # The credential alone (authenticated GET /me, logged in beforehand): capacity
        # with closed-loop users to saturation ...
        Phase(phase_ids.ME_CLOSED, "me_only", closed_seconds, closed_users, prelogin=True),
        # ... then CPU per request and latency in an open model at one offered rate for
        # every variant, all of them at once (the runner sets the rate): the same load,
        # in the same seconds.
        Phase(
            phase_ids.ME_RATE,
            "me_only",
            matched_seconds or seconds,
            matched_users,
            rate_per_user=rate,
            prelogin=True,
            matched_rate=True,
        ),
        *mix_phases,
        Phase(
            phase_ids.LOGIN_STORM,
            "login_storm",
            login_seconds,
            4,
            every_repetition=False,
            accounts="storm",
        ),
        Phase(phase_ids.LOGOUT_CHURN, "logout_churn", login_seconds, 4, every_repetition=False),
        Phase(
            phase_ids.REFRESH, "refresh", login_seconds, 4, token_only=True, every_repetition=False
        ),
        *spike_phase,
    )


PROFILES: dict[str, Profile] = {
    "smoke": Profile(
        name="smoke",
        variants=("baseline", "session-redis", "token-hs256"),
        repetitions=1,
        phases=_phases(
            seconds=2,
            rate_users=10,
            rate=10,
            login_seconds=1.5,
            closed_seconds=2,
            closed_users=8,
            # Locust's run time starts before its test does (up to a second earlier on a
            # busy machine), and a steady window needs two whole seconds after the ramp
            # and settling (1.5 s): 4 s left none there.
            matched_seconds=5,
            matched_users=10,
        ),
        seeded_users=50,
        params={
            "sessions_at_scale": SessionsAtScaleParams(counts=(1_000,)),
            "scale_out": ScaleOutParams(seconds=2.0, variants=("session-memory", "session-redis")),
            "outage": OutageParams(
                variants=("session-redis", "token-hs256"), seconds=(2.5, 2.0, 2.0)
            ),
            "primitives": PrimitivesParams(iterations=200),
            "resident_sessions": ResidentSessionsParams(
                counts=(1_000,), seconds=2.0, users=20, rate_per_user=10.0, rounds=1
            ),
        },
        step_users=6,
        step_seconds=1.5,
        steps=2,
    ),
    "quick": Profile(
        name="quick",
        # The four variants the cost claims compare (the like-for-like pairs and the
        # no-auth floor); the experiments start the others they need.
        variants=("baseline", "session-redis", "token-hs256", "token-hs256-denylist"),
        repetitions=2,
        # No request mix and no plain twins: the claims read neither (standard and full
        # have the twins, full the mix).
        phases=_phases(
            seconds=2,
            rate_users=20,
            rate=10,
            # Logins, logouts and refreshes once, 1.5 s each: quick measured 3 min 5 s
            # on a quiet machine with 2 s.
            login_seconds=1.5,
            closed_seconds=2,
            matched_seconds=6,
            mix=False,
        ),
        experiments=tuple(e for e in EXPERIMENTS if e != "overhead"),
        seeded_users=200,
        params={
            "scale_out": ScaleOutParams(seconds=3.0, variants=("session-memory", "session-redis")),
            "outage": OutageParams(
                variants=("session-redis", "token-hs256"), seconds=(2.5, 2.0, 2.5)
            ),
            "primitives": PrimitivesParams(iterations=500),
            # Redis alone, in three rounds (the fewest that give an interval worth having):
            # within 3 minutes; standard adds process memory. Two cells side by side at
            # 500 requests/s each.
            "resident_sessions": ResidentSessionsParams(
                counts=(1_000, 10_000), stores=("redis",), rate_per_user=10.0
            ),
        },
        steps=3,
    ),
    "standard": Profile(
        name="standard",
        # The variants the eight claims compare: the no-auth floor and the like-for-like
        # pairs, ordered so that session-redis stands beside both its tokens (also when
        # a repetition runs them in reverse); the experiments start the others they
        # need, and `full` loads the whole matrix.
        variants=("baseline", "token-hs256", "session-redis", "token-hs256-denylist"),
        # Five repetitions: the deciding ratios' intervals rest on them, widened by
        # Student's t (x2.69 at 3 repetitions, x1.58 at 5): at 3, claim 8's ratio near
        # its line came out decided in one quiet run and not in the next.
        repetitions=5,
        # The lab and its twins in the first three: enough for the overhead's interval.
        twin_repetitions=3,
        # The credential alone every repetition: capacity in a 4 s closed loop, then CPU
        # and latency in an 8 s open-model phase at the matched rate, every variant at
        # once (about 5 steady seconds after the ramp), the lab and its twin likewise; no
        # request mix and no spike (`full` has them, no claim reads them): this keeps the
        # whole run within 10 minutes on 2 cores (a phase costs about 0.5 s more than its
        # length, for Locust to start).
        phases=_phases(
            seconds=2,
            rate_users=20,
            rate=20,
            login_seconds=2,
            closed_seconds=4,
            matched_seconds=8,
            mix=False,
        ),
        seeded_users=500,
        params={
            # 10^5 sessions are filled by resident_sessions in every store: sizing stops at
            # 10^4 (sessions_at_scale's defaults).
            "outage": OutageParams(seconds=(2.0, 2.0, 3.0)),
            "primitives": PrimitivesParams(iterations=1000),
            # Rounds of the stores the pairs use (SQL sessions are left to `full`): the
            # growth with resident sessions decides claim 1 with an interval.
            # 6 s phases: Locust runs 3.2-4 s of a 4 s phase, which left 0-1 steady seconds.
            # Six rounds, the four cells of a round side by side at 250 requests/s each
            # (the server core carries 1,000): measured one after the other, four rounds at
            # 1,000 each left the growth in memory between x0.77 and x1.58.
            "resident_sessions": ResidentSessionsParams(
                seconds=6.0, stores=("redis", "memory"), rate_per_user=5.0, rounds=6
            ),
        },
        experiments=WITH_BROWSER,
        # Two steps of 12 users: 12, then 24 closed-loop users, enough to saturate the mix.
        step_users=12,
        step_seconds=2.0,
        steps=2,
    ),
    "full": Profile(
        name="full",
        variants=DEFAULT_MATRIX,
        repetitions=5,
        phases=_phases(
            seconds=15,
            rate_users=20,
            rate=10,
            login_seconds=8,
            spike=True,
            closed_seconds=10,
            matched_seconds=20,
        ),
        seeded_users=1000,
        params={
            "sessions_at_scale": SessionsAtScaleParams(counts=(1_000, 10_000, 100_000, 1_000_000)),
            "scale_out": ScaleOutParams(seconds=10.0),
            "outage": OutageParams(seconds=(5.0, 5.0, 10.0)),
            "primitives": PrimitivesParams(iterations=5000),
            # Nine cells side by side at 100 requests/s each.
            "resident_sessions": ResidentSessionsParams(
                counts=(1_000, 100_000, 1_000_000), seconds=10.0, rate_per_user=2.0
            ),
        },
        experiments=FULL,
        step_seconds=4.0,
        steps=5,
    ),
    # `make bench PROFILE=cloud`: the cloud topology's five experiments alone (HAProxy,
    # Redis + Sentinel, Locust master and workers; about 6 minutes), no load phases.
    "cloud": Profile(
        name="cloud",
        variants=(),
        repetitions=1,
        phases=(),
        seeded_users=0,
        # Each with its defaults (authlab/bench/experiments/cloud_*.py); sessions at scale,
        # if named with --experiments, sizes no store here.
        experiments=CLOUD,
        params={"sessions_at_scale": SessionsAtScaleParams(counts=())},
    ),
}


def get_profile(name: str, repetitions: int | None = None) -> Profile:
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}")
    profile = PROFILES[name]
    return dataclasses.replace(profile, repetitions=repetitions) if repetitions else profile
