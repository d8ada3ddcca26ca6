"""What a rule decides, without a word of prose: the verdict and the figures it rests on.

A rule reads the run and returns a Ruling (or a claim-specific subclass carrying the facts
the verdict was drawn from); reports.wording turns it into sentences. The deciding figures
are reports.margins.Decision (name, value, unit, threshold, margin, interval, repetitions),
the same shape decisions.json holds, so the file does not change with the split.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

from reports.claim import Verdict
from reports.margins import Decision


@dataclass(frozen=True, kw_only=True)
class Ruling:
    """A verdict and the deciding figures it rests on, in the rule's order (the first is
    the headline)."""

    verdict: Verdict
    deciding: tuple[Decision, ...] = ()
    # NOT_DECIDED: the verdict the figures alone give, and the figures that leave it open.
    leaning: Verdict | None = None
    open: tuple[Decision, ...] = ()
    # NOT_MEASURED: the command (or commands) that would measure what is missing.
    missing: str = ""


AnyRuling = TypeVar("AnyRuling", bound=Ruling)


def withhold(ruling: AnyRuling, among: tuple[Decision, ...] | None = None) -> AnyRuling:
    """The ruling with its verdict withheld where a deciding figure's interval crosses its
    threshold. `among`: the figures whose side can still change the verdict (default:
    all deciding figures). A ruling with nothing open, or nothing measured, stays as it is."""
    candidates = ruling.deciding if among is None else among
    undecided = tuple(d for d in candidates if not d.decided)
    if not undecided or ruling.verdict in (Verdict.NOT_MEASURED, Verdict.NOT_DECIDED):
        return ruling
    return replace(ruling, verdict=Verdict.NOT_DECIDED, leaning=ruling.verdict, open=undecided)


# --- The cost rules' rulings (reports.rules.cost) --------------------------------------


@dataclass(frozen=True)
class PairRatio:
    """One like-for-like pair's CPU per request, session / token, with both medians."""

    session: str
    token: str
    why: str  # which pair: "deployable defaults", "equal logout"
    ratio: Decision
    session_us: float | None
    token_us: float | None


@dataclass(frozen=True)
class Growth:
    """A store's cost per GET /me with its fewest and its most resident sessions."""

    store: str
    fewest: int
    most: int
    cpu: Decision | None  # most / fewest, against 'heavy'
    p99: tuple[float, float] | None  # p99 in microseconds, fewest then most
    rounds: int = 1  # how many rounds measured both ends

    @property
    def counted(self) -> bool:
        """Whether the growth may decide: only with an interval. Measured in one round, it
        has none, and two single rounds of one machine were seen x1.09 and x1.70 apart."""
        return self.cpu is not None and self.cpu.interval is not None


@dataclass(frozen=True, kw_only=True)
class HeavyLoad(Ruling):
    """Claim 1: a session against each token of a like-for-like pair, and how a request's
    cost grows with the sessions held."""

    measure: str  # the figure compared: "CPU per GET /me" or the mixed phase's
    source: str  # where the per-request figures came from, in short
    pairs: tuple[PairRatio, ...] = ()
    growth: tuple[Growth, ...] = ()

    @property
    def heavy_against(self) -> tuple[str, ...]:
        return tuple(p.token for p in self.pairs if p.ratio.above)

    @property
    def heavy_growth(self) -> tuple[str, ...]:
        return tuple(
            g.store for g in self.growth if g.counted and g.cpu is not None and g.cpu.above
        )


@dataclass(frozen=True, kw_only=True)
class NoLoad(Ruling):
    """Claim 4's first half, weighed both ways: the token check beside a session check
    (`relative`, session / token, None when the token check costs nothing measurable)
    and as a share of the token's whole request (`share`)."""

    session: str = ""
    token: str = ""
    session_check_us: float = 0.0
    token_check_us: float = 0.0
    relative: Decision | None = None
    share: Decision | None = None

    @property
    def light(self) -> bool:
        """Light beside a session's: a check below the baseline's noise is light too."""
        return self.relative is None or self.relative.above

    @property
    def no_load_share(self) -> bool:
        return self.share is not None and not self.share.above


@dataclass(frozen=True, kw_only=True)
class NothingStored(Ruling):
    """Claim 4's second half: the bytes a token server keeps per user (refresh families)."""

    kept_bytes: float | None = None
    session_bytes: float | None = None  # a Redis session, for scale


@dataclass(frozen=True, kw_only=True)
class TokensFree(Ruling):
    """Claim 4: "no load" and "nothing stored", each its own sub-decision."""

    no_load: NoLoad
    stored: NothingStored


class Caveat(StrEnum):
    """A security price that keeps "much better" from standing alone."""

    LOGOUT_WAITS = "logout waits for exp"
    XSS_THEFT = "token theft by XSS"


@dataclass(frozen=True)
class PairGains:
    """How many times better the token is than the session in one like-for-like pair."""

    session: str
    token: str
    why: str
    gains: tuple[Decision, ...]  # CPU (session / token), throughput (token / session)

    @property
    def much_better(self) -> bool:
        return all(g.above for g in self.gains)


@dataclass(frozen=True, kw_only=True)
class TokensBetter(Ruling):
    """Claim 8: the gains in each pair, then the security price where cost alone wins."""

    pairs: tuple[PairGains, ...] = ()
    caveats: tuple[Caveat, ...] = ()


# --- Where the state lives (reports.rules.state, reports.rules.cloud_topology) -----------------


class Setting(StrEnum):
    """Where claims 2 and 7 were measured: K instances on one host, or the cloud topology
    (HAProxy, a Redis primary + replica + Sentinels)."""

    ONE_HOST = "one host"
    CLOUD = "cloud"


@dataclass(frozen=True)
class Failures:
    """A variant's failed requests on several instances without sticky routing; `failed`
    is held against 'breaks' (in-process sessions) or 'works' (a shared store)."""

    variant: str
    rate: float | None  # as measured (None: the row had no rate)
    failed: Decision


@dataclass(frozen=True, kw_only=True)
class MemoryScaling(Ruling):
    """Claim 2: in-process sessions against sessions in a shared store."""

    setting: Setting
    local: tuple[Failures, ...] = ()  # sessions in one process's memory
    shared: tuple[Failures, ...] = ()  # sessions in a shared store
    # The cloud's sticky routing with an instance killed: whether it ran at all, whether
    # the first in-process variant ran in it, and how many of its users had to log in again.
    sticky_measured: bool = False
    killed_measured: bool = False
    forced_to_log_in: float | None = None
    sticky_users: float | None = None
    # Shared-store variants that kept every user through the instance kill.
    kept_through_kill: tuple[str, ...] = ()

    @property
    def working(self) -> tuple[str, ...]:
        """The shared-store variants that work (fail under 'works')."""
        return tuple(f.variant for f in self.shared if not f.failed.above)

    @property
    def died_with_instance(self) -> bool:
        return (self.forced_to_log_in or 0) > 0


@dataclass(frozen=True)
class Serving:
    """The share a variant served while its store was down (of its normal throughput on
    one host; of its requests in the cloud), None where the row gives none."""

    variant: str
    share: float | None


class Sooner(StrEnum):
    """Which recovered sooner from a Sentinel failover (reports.rules.cloud_topology.ALIKE_S)."""

    ALIKE = "alike"
    TOKENS = "tokens"
    SESSIONS = "sessions"


@dataclass(frozen=True, kw_only=True)
class OutageRobustness(Ruling):
    """Claim 7: stateless tokens against sessions when the store goes down, and (on one
    host) on several instances."""

    setting: Setting
    serving: tuple[Serving, ...] = ()
    # One host: whether tokens and sessions both rode the outage (else only scale-out
    # was there to judge), whether shared-store sessions scale-out was measured, and
    # whether the deny-list variant carried on (None: not measured).
    outage_compared: bool = True
    shared_scale_measured: bool = False
    denylist_held: bool | None = None
    # Cloud: how long the store was down, how long a stateless token served, its
    # lifetime, each variant's recovery from a failover and which was sooner.
    down_s: float | None = None
    served_s: float = 0.0
    lifetime_s: float = 0.0
    recovery: tuple[tuple[str, float | None], ...] = ()
    sooner: Sooner | None = None
    token_recovery_s: float | None = None
    session_recovery_s: float | None = None
    denylist_measured: bool = False


# --- The security lab's claims (reports.rules.security) -------------------------------


@dataclass(frozen=True, kw_only=True)
class ThirdPartyVerify(Ruling):
    """Claim 6: a third party verifying a token with the public key (the cheapest
    public-key algorithm measured) against asking the issuer, and the attack battery's
    forged, altered and replayed tokens."""

    alg: str = ""
    verify_us: float = 0.0
    attacks: int = 0  # the battery's tries on token configurations (0: not run)
    mishandled: tuple[str, ...] = ()  # "configuration: attack" handled not as expected
