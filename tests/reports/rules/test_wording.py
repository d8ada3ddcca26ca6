"""Rulings into sentences: a few rulings made by hand, and the words the page shows for them."""

from __future__ import annotations

import pytest

from reports.bands import HEAVY, NO_LOAD_SHARE
from reports.claim import Claim, Verdict
from reports.fmt import TIMES
from reports.intervals import Interval
from reports.margins import Decision
from reports.rules import wording
from reports.rules.ruling import (
    Caveat,
    HeavyLoad,
    NoLoad,
    NothingStored,
    OutageRobustness,
    PairGains,
    PairRatio,
    Setting,
    Sooner,
    TokensBetter,
    TokensFree,
    withhold,
)

CPU = "CPU per GET /me"


def ratio(
    value: float,
    repetitions: tuple[float, ...] = (),
    interval: Interval | None = None,
    figure: str = f"session-redis / token-hs256, {CPU} (deployable defaults)",
) -> Decision:
    return Decision(figure, value, HEAVY, "'heavy' from here", "x", repetitions, interval)


def pair(value: float, token: str = "token-hs256", why: str = "deployable defaults") -> PairRatio:
    return PairRatio("session-redis", token, why, ratio(value), 100.0 * value, 100.0)


def heavy(verdict: Verdict, *pairs: PairRatio) -> HeavyLoad:
    return HeavyLoad(
        verdict=verdict,
        deciding=tuple(p.ratio for p in pairs),
        measure=CPU,
        source="GET /me at the matched rate",
        pairs=pairs,
    )


# --- a ratio's words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "word"),
    [
        (0.85, "lower"),
        (1.09, "similar"),  # under the 'similar' edge
        (1.11, "modestly higher"),  # just over it
        (1.49, "modestly higher"),  # under 'heavy'
        (1.51, "heavy"),
    ],
)
def test_a_ratio_earns_its_band_s_word(value: float, word: str) -> None:
    assert wording.grade(value) == word
    assert wording.ratio_word(ratio(value)) == word


def test_a_word_whose_repetitions_straddle_its_band_edge_is_borderline() -> None:
    assert wording.ratio_word(ratio(1.12, (1.05, 1.15, 1.12))) == (
        f"modestly higher, borderline: repetitions {TIMES}1.05-{TIMES}1.15 either side of "
        f"{TIMES}1.10"
    )
    assert wording.grade(1.6, wording.BETTER) == "much better"


# --- claim 1 ------------------------------------------------------------------------------


def test_a_refuted_heavy_load_names_each_pair_how_much_and_its_word() -> None:
    claim = wording.sessions_heavy(
        heavy(Verdict.REFUTED, pair(1.2), pair(0.8, "token-hs256-denylist", "equal logout")), []
    )
    assert claim.verdict == "refuted"
    assert claim.condition == (
        f"modestly higher, not heavy: session-redis costs {TIMES}1.20 the {CPU} of token-hs256 "
        f"(deployable defaults: modestly higher); session-redis costs {TIMES}0.80 the {CPU} of "
        "token-hs256-denylist (equal logout: lower); growth with resident sessions not "
        "measured: run `authlab bench --experiments resident_sessions`"
    )
    assert claim.sentence.startswith(
        f"Per authenticated request (GET /me at the matched rate), session-redis costs "
        f"{TIMES}1.20 the CPU of token-hs256 (modestly higher: 120 µs vs 100 µs) and "
        f"{TIMES}0.80 that of token-hs256-denylist (equal logout: lower, 80 µs vs 100 µs)"
    )


def test_a_heavy_load_that_depends_names_the_token_it_is_heavy_against() -> None:
    claim = wording.sessions_heavy(
        heavy(Verdict.DEPENDS, pair(1.6), pair(1.2, "token-hs256-denylist", "equal logout")), []
    )
    assert claim.label.startswith(
        "depends on which token it is held against: heavy against token-hs256, not against "
        "the others: "
    )


def test_a_withheld_verdict_says_what_the_figure_alone_gives_and_what_would_decide_it() -> None:
    crossing = ratio(1.52, (1.45, 1.55, 1.52), Interval(1.45, 1.58, 3, 6))
    ruling = withhold(
        HeavyLoad(
            verdict=Verdict.SUPPORTED,
            deciding=(crossing,),
            measure=CPU,
            source="GET /me at the matched rate",
            pairs=(
                PairRatio(
                    "session-redis", "token-hs256", "deployable defaults", crossing, 152.0, 100.0
                ),
            ),
        )
    )
    claim = wording.sessions_heavy(ruling, ["a line of evidence"])
    assert claim.verdict == "not decided"
    assert claim.condition.startswith(
        "not decided at this run's precision (session-redis / token-hs256, CPU per GET /me "
        "(deployable defaults); "
    )
    assert claim.condition.endswith("; supported by the figure alone")
    assert claim.sentence.endswith(
        f"; at this run's precision that does not decide it (95% interval {TIMES}1.45-"
        f"{TIMES}1.58 across the {TIMES}1.50 line)."
    )
    assert claim.evidence == ["a line of evidence"] and claim.decisions == [crossing]


def test_a_claim_not_measured_names_the_command() -> None:
    claim = wording.sessions_heavy(
        HeavyLoad(
            verdict=Verdict.NOT_MEASURED,
            missing="`authlab bench --only a,b`",
            measure=CPU,
            source="",
        ),
        [],
    )
    assert claim.label == "not measured: run `authlab bench --only a,b`"
    assert claim.evidence == ["not measured: run `authlab bench --only a,b`"]


# --- claim 4 ------------------------------------------------------------------------------


def test_tokens_free_says_each_half_and_which_half_it_depends_on() -> None:
    share = Decision("token-hs256's check / its whole request", 0.5, NO_LOAD_SHARE, "m", "%")
    relative = Decision("session-redis's check / token-hs256's check", 3.0, HEAVY, "m")
    load = NoLoad(
        verdict=Verdict.DEPENDS,
        deciding=(relative, share),
        session="session-redis",
        token="token-hs256",
        session_check_us=300.0,
        token_check_us=100.0,
        relative=relative,
        share=share,
    )
    stored = NothingStored(verdict=Verdict.REFUTED, kept_bytes=520.0, session_bytes=500.0)
    claim = wording.tokens_free(
        TokensFree(verdict=Verdict.DEPENDS, no_load=load, stored=stored), []
    )
    assert claim.condition == (
        "'no load': depends, the yardstick: beside a session check (300 µs) the token's "
        f"(100 µs) is light ({TIMES}3.00), yet as a share of the request it is 50% of the CPU "
        "(at least the 10% that counts as no load); 'nothing stored': refuted, the token "
        f"server keeps 520 B per user for refresh, {TIMES}1.04 a session's"
    )
    assert claim.sentence.startswith("No load? the yardstick: ")


# --- claim 7 (the cloud topology) --------------------------------------------------------


def test_a_cloud_outage_that_depends_says_the_lifetime_and_the_failover() -> None:
    ruling = OutageRobustness(
        verdict=Verdict.DEPENDS,
        setting=Setting.CLOUD,
        down_s=9.0,
        served_s=2.9,
        lifetime_s=3.0,
        denylist_measured=True,
        sooner=Sooner.ALIKE,
        token_recovery_s=2.9,
        session_recovery_s=3.0,
    )
    claim = wording.tokens_robust(ruling, [])
    assert claim.condition == (
        "the outage being shorter than the access token's lifetime: a stateless token served "
        "2.9 s of the outage (3 s lifetime), then refresh and login need the store (refresh "
        "families live there) and fail like sessions; a deny list brings the dependency back "
        "at once; a Sentinel failover cost both alike (2.9 s and 3.0 s)"
    )
    assert claim.figures == wording.CLOUD_FIGURES


# --- claim 8 ------------------------------------------------------------------------------


def _better(verdict: Verdict, *won: bool, caveats: tuple[Caveat, ...] = ()) -> Claim:
    pairs = tuple(
        PairGains("session-redis", token, why, (ratio(2.0 if much else 1.1),))
        for much, (token, why) in zip(
            won,
            (("token-hs256", "deployable defaults"), ("token-hs256-denylist", "equal logout")),
            strict=False,
        )
    )
    return wording.tokens_better(TokensBetter(verdict=verdict, pairs=pairs, caveats=caveats), [])


def test_much_better_depends_on_logout_or_on_the_price() -> None:
    assert _better(Verdict.DEPENDS, True, False).condition == (
        "whether logout must end the token: deployable defaults: much better; "
        "equal logout: not much better"
    )
    assert _better(
        Verdict.DEPENDS, True, True, caveats=(Caveat.LOGOUT_WAITS, Caveat.XSS_THEFT)
    ).condition == (
        "whether the price is acceptable: logout that waits for exp, token theft by XSS where "
        "the token is kept in script-readable storage"
    )


def test_a_cost_win_without_the_security_lab_is_not_measured_and_says_so() -> None:
    ruling = TokensBetter(
        verdict=Verdict.NOT_MEASURED,
        missing="`make security`",
        pairs=(PairGains("session-redis", "token-hs256", "deployable defaults", (ratio(2.0),)),),
    )
    claim = wording.tokens_better(ruling, ["evidence"])
    assert claim.condition == (
        f"the security price (`make security`); on cost, tokens were {TIMES}1.5 better in "
        "both like-for-like pairs"
    )
    assert claim.evidence[-1] == "not measured: the security trade-offs: run `make security`"


def test_a_pair_s_gains_are_each_said_in_the_better_bands() -> None:
    gains = (
        ratio(485 / 383),
        Decision("token-hs256 / session-redis, maximum throughput (x)", 1670 / 1996, HEAVY, "m"),
    )
    line = wording.pair_gains_line(PairGains("session-redis", "token-hs256", "x", gains))
    assert line == (
        f"x (session-redis vs token-hs256): for tokens, CPU {TIMES}1.27 (modestly better), "
        f"throughput {TIMES}0.84 (worse)"
    )
