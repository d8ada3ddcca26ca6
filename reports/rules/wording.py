"""Rulings into sentences: the one place a claim's verdict is said in words.

The rules (reports.rules.cost, ...) decide and return a typed Ruling; this module turns it
into the Claim the page, claims.csv and `authlab compare` show: its reason (the claim's
condition), its plain sentence, the "modestly higher, borderline" wording of a ratio that
follows the data, and "not decided at this run's precision: about N repetitions would
decide it" where a deciding figure's interval crosses its threshold. The lines of evidence
beneath a claim are reports.rules.evidence's; reports.verdicts puts the three together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reports import csrf, fmt
from reports.bands import HEAVY, NO_LOAD_SHARE, SIMILAR
from reports.claim import Claim, Verdict, experiment
from reports.margins import Decision, band
from reports.metrics import number
from reports.rules.ruling import (
    Caveat,
    Growth,
    HeavyLoad,
    MemoryScaling,
    NoLoad,
    NothingStored,
    OutageRobustness,
    PairGains,
    Ruling,
    Setting,
    Sooner,
    ThirdPartyVerify,
    TokensBetter,
    TokensFree,
)

# The article's claims in its words, by the id every run's files use.
STATEMENTS = {
    "sessions-heavy": "Sessions put a heavy load on the server.",
    "memory-scalability": "Sessions in server memory are a scalability problem.",
    "tokens-free": "Tokens do not load the server and need nothing stored.",
    "tokens-transfer": "Tokens transfer information between parties more conveniently and "
    "securely.",
    "tokens-robust": "Tokens are more robust for distributed systems in the cloud.",
    "tokens-better": 'Token-based authentication is "much better and efficient".',
}

# --- A ratio in words ---------------------------------------------------------------

HIGHER = ("lower", "modestly higher", "heavy")
BETTER = ("worse", "modestly better", "much better")


def grade(value: float, words: tuple[str, str, str] = HIGHER) -> str:
    """The wording of a ratio: similar, modestly higher, heavy (or lower, for under 1/SIMILAR);
    `words` names the lower, middle and top bands for other comparisons."""
    if value < 1 / SIMILAR:
        return words[0]
    return band(value, ((SIMILAR, words[1]), (HEAVY, words[2])), "similar")


def _edge(value: float) -> float:
    """The band edge nearest a ratio: the line its wording rests on."""
    if value < (1 / SIMILAR + SIMILAR) / 2:
        return 1 / SIMILAR
    if value < (SIMILAR + HEAVY) / 2:
        return SIMILAR
    return HEAVY


def ratio_word(decision: Decision, words: tuple[str, str, str] = HIGHER) -> str:
    """A ratio's band, marked borderline when its repetitions fall either side of the
    band edge nearest it (the word could change on a rerun, even if the verdict would not)."""
    text = grade(decision.value, words)
    edge = _edge(decision.value)
    spread = decision.spread
    if spread is not None and spread[0] < edge < spread[1]:
        text += (
            f", borderline: repetitions {fmt.TIMES}{spread[0]:.2f}-{fmt.TIMES}{spread[1]:.2f} "
            f"either side of {fmt.TIMES}{edge:.2f}"
        )
    return text


def seconds(value: Any) -> str:
    """A measured duration, or that it did not happen within the run."""
    measured = number(value)
    return "not within the run" if measured is None else f"{measured:.1f} s"


def _undecided(ruling: Ruling) -> str:
    """What the figures that leave a ruling open say instead of a side."""
    return "; ".join(d.undecided_text() for d in ruling.open)


# --- Verdicts without a side: not measured, not decided -------------------------------


def not_measured(
    id_: str, claim: str, command: str, source: str = "bench", because: str = ""
) -> Claim:
    """No verdict from absence: what is missing (why, where the run said), and the command
    that measures it."""
    why = f"{because}; run {command}" if because else f"run {command}"
    return Claim(id_, claim, Verdict.NOT_MEASURED, why, [f"not measured: {why}"], [], source)


def _worded(
    ruling: Ruling,
    id_: str,
    reason: Callable[[Verdict], str],
    evidence: list[str],
    figures: list[str],
    sentence: str = "",
) -> Claim:
    """A ruling as a Claim: `reason(verdict)` says why the figures give that verdict. A
    withheld ruling keeps what the figures alone would say, and its sentence keeps its
    figures while saying they do not decide."""
    statement = STATEMENTS[id_]
    if ruling.verdict == Verdict.NOT_MEASURED:
        return not_measured(id_, statement, ruling.missing)
    decisions = list(ruling.deciding)
    if ruling.verdict != Verdict.NOT_DECIDED or ruling.leaning is None:
        return Claim(
            id_, statement, ruling.verdict, reason(ruling.verdict), evidence, figures,
            decisions=decisions, sentence=sentence,
        )  # fmt: skip
    leaning = (
        f"'depends on {reason(ruling.leaning)}' by the figures alone"
        if ruling.leaning == Verdict.DEPENDS
        else f"{ruling.leaning} by the figure alone"
    )
    if sentence:
        sentence = sentence.rstrip(".") + "; at this run's precision that does not decide it ("
        sentence += "; ".join(d.interval_text() for d in ruling.open) + ")."
    return Claim(
        id_, statement, Verdict.NOT_DECIDED, f"{_undecided(ruling)}; {leaning}", evidence,
        figures, decisions=decisions, sentence=sentence,
    )  # fmt: skip


# --- 1. sessions put a heavy load on the server -------------------------------------


def _us_pair(session_us: float | None, token_us: float | None) -> str:
    return f"{fmt.us(session_us)} vs {fmt.us(token_us)}"


def _growth(ruling: HeavyLoad) -> str:
    if not ruling.growth:
        return "growth with resident sessions not measured: run " + experiment("resident_sessions")
    if ruling.heavy_growth:
        return "a request grows heavily dearer with resident sessions in " + ", ".join(
            ruling.heavy_growth
        )
    # Each store in its band's words: "about the same" only where the ratio is similar.
    return (
        "a request does not grow heavily dearer with many sessions resident ("
        + ", ".join(_one_growth(g) for g in ruling.growth)
        + ")"
    )


def _one_growth(growth: Growth) -> str:
    if growth.cpu is None:
        return f"{growth.store} not measured"
    if not growth.counted:
        return f"{growth.store} {fmt.ratio(growth.cpu.value)} in one round, not counted"
    return f"{growth.store} {fmt.ratio(growth.cpu.value)}, {grade(growth.cpu.value)}"


def sessions_heavy(ruling: HeavyLoad, evidence: list[str]) -> Claim:
    pairs, growth = ruling.pairs, _growth(ruling)
    per_request = "; ".join(
        f"{p.session} costs {fmt.ratio(p.ratio.value)} the {ruling.measure} of {p.token} "
        f"({p.why}: {ratio_word(p.ratio)})"
        for p in pairs
    )

    def reason(verdict: Verdict) -> str:
        if verdict == Verdict.SUPPORTED:
            return f"{per_request}; {growth}"
        if verdict == Verdict.DEPENDS:
            return (
                "which token it is held against: heavy against "
                + ", ".join(ruling.heavy_against)
                + f", not against the others: {per_request}; {growth}"
            )
        return f"{grade(pairs[0].ratio.value)}, not heavy: {per_request}; {growth}"

    sentence = ""
    if pairs:
        first = pairs[0]
        sentence = (
            f"Per authenticated request ({ruling.source}), {first.session} costs "
            f"{fmt.ratio(first.ratio.value)} the CPU of {first.token} ({ratio_word(first.ratio)}: "
            f"{_us_pair(first.session_us, first.token_us)})"
            + "".join(
                f" and {fmt.ratio(p.ratio.value)} that of {p.token} ({p.why}: "
                f"{ratio_word(p.ratio)}, {_us_pair(p.session_us, p.token_us)})"
                for p in pairs[1:]
            )
            + f"; {growth}."
        )
    figures = ["cpu", "throughput", "login", "sessions"]
    return _worded(ruling, "sessions-heavy", reason, evidence, figures, sentence)


# --- 2. sessions in server memory are a scalability problem --------------------------


def _memory_one_host(ruling: MemoryScaling, verdict: Verdict) -> tuple[str, str]:
    """The reason and the sentence on one host's K instances."""
    failed = ", ".join(f"{f.variant} {fmt.pct(f.rate)}" for f in ruling.local)
    sentence = (
        f"Sessions kept in one process's memory fail behind a non-sticky balancer ({failed} failed)"
    )
    working = ", ".join(ruling.working)
    if verdict == Verdict.REFUTED:
        return "in-process sessions kept working on several instances", ""
    if verdict == Verdict.DEPENDS:
        return (
            "where the sessions live: in one process's memory they break behind a non-sticky "
            f"balancer, in a shared store ({working}) they do not",
            sentence + f"; in a shared store ({working}) they do not.",
        )
    if not ruling.shared:
        return (
            "sessions in process memory broke on several instances; a shared store was not "
            "measured: run " + experiment("scale_out") + " with session-redis",
            sentence + ".",
        )
    return (
        "sessions broke on several instances, in a shared store as well",
        sentence + ", and in a shared store as well.",
    )


def _memory_cloud(ruling: MemoryScaling, verdict: Verdict) -> tuple[str, str]:
    """The reason and the sentence behind HAProxy, with the instance kill where it ran."""
    if verdict == Verdict.REFUTED:
        return "sessions in process memory kept working behind a non-sticky balancer", ""
    sentence = (
        f"Behind HAProxy without stickiness, sessions in one process's memory fail "
        f"{fmt.pct(ruling.local[0].rate)} of requests"
    )
    if ruling.killed_measured:
        sentence += (
            f"; with sticky routing, killing one instance forces "
            f"{_count(ruling.forced_to_log_in)} of {_count(ruling.sticky_users)} "
            "users to log in again"
        )
    working = ", ".join(ruling.working)
    if verdict == Verdict.DEPENDS:
        died = ruling.died_with_instance
        see_kill = ruling.kept_through_kill != ruling.working and ruling.sticky_measured
        return (
            "where the sessions live: in one process's memory they break behind a "
            "non-sticky balancer"
            + (" and die with their instance behind a sticky one" if died else "")
            + f"; in a shared store ({working}) they do "
            + ("neither" if died else "not")
            + (" (but see the instance kill)" if see_kill else ""),
            sentence + f"; in a shared store ({working}) none of that.",
        )
    return (
        "sessions broke behind the balancer"
        + (", in a shared store as well" if ruling.shared else "; a shared store was not measured"),
        sentence + ".",
    )


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def memory_scalability(ruling: MemoryScaling, evidence: list[str]) -> Claim:
    words = _memory_cloud if ruling.setting == Setting.CLOUD else _memory_one_host
    figures = (
        ["cloud-sticky-kill"] if ruling.setting == Setting.CLOUD else ["scale-out", "sessions"]
    )
    _, sentence = words(ruling, ruling.verdict)
    return _worded(
        ruling,
        "memory-scalability",
        lambda verdict: words(ruling, verdict)[0],
        evidence,
        figures,
        sentence,
    )


# --- 3 and 5. CSRF: reports.csrf's own words (shared with the security lab's summary) --


def csrf_claim(
    ruling: Ruling, judgement: csrf.Judgement, evidence: list[str], because: str = ""
) -> Claim:
    """A CSRF claim: reports.csrf judges and words it for the lab's summary too; here its
    reason is taken as it is. Not measured: the run's own word first ("the browser at
    PATH did not start"), then the commands."""
    if ruling.verdict == Verdict.NOT_MEASURED:
        return not_measured(judgement.id, judgement.claim, ruling.missing, "security", because)
    return Claim(
        judgement.id, judgement.claim, ruling.verdict, judgement.condition, evidence,
        ["security"], "security", list(ruling.deciding),
    )  # fmt: skip


# --- 4. tokens do not load the server, and need nothing stored ---------------------


def no_load(ruling: NoLoad) -> str:
    """Claim 4's first half in words: the token check beside a session's, and its share."""
    if ruling.verdict == Verdict.NOT_MEASURED:
        return ruling.missing
    if ruling.verdict == Verdict.NOT_DECIDED:
        return _undecided(ruling)
    relative, share = ruling.relative, ruling.share
    assert share is not None  # a measured NoLoad always weighs the share
    relative_text = (
        f"beside a session check ({fmt.us(ruling.session_check_us)}) the token's "
        f"({fmt.us(ruling.token_check_us)}) "
        + (
            "costs nothing measurable"
            if relative is None
            else f"is light ({fmt.ratio(relative.value)})"
            if relative.above
            else f"is not light: the session's is only {fmt.ratio(relative.value)} "
            f"({grade(relative.value)}), short of {fmt.TIMES}{HEAVY}"
        )
    )
    share_text = (
        f"as a share of the request it is {fmt.pct(share.value)} of the CPU ("
        + ("under" if ruling.no_load_share else "at least")
        + f" the {fmt.pct(NO_LOAD_SHARE)} that counts as no load)"
    )
    if ruling.verdict == Verdict.DEPENDS:
        return f"the yardstick: {relative_text}, yet {share_text}"
    return f"{relative_text}; {share_text}"


def nothing_stored(ruling: NothingStored) -> str:
    """Claim 4's second half in words: what the token server keeps per user."""
    kept = ruling.kept_bytes
    if ruling.verdict == Verdict.NOT_MEASURED or kept is None:
        return ruling.missing
    if ruling.verdict == Verdict.SUPPORTED:
        return "the token server kept nothing per user"
    session = ruling.session_bytes
    beside = f", {fmt.ratio(kept / session)} a session's" if session else ""
    return f"the token server keeps {fmt.size(kept)} per user for refresh{beside}"


def tokens_free(ruling: TokensFree, evidence: list[str]) -> Claim:
    """Both halves side by side; 'which half' where they disagree (and the load half does
    not itself depend). An undecided half says so in its own words."""
    load, stored = ruling.no_load, ruling.stored
    load_text, stored_text = no_load(load), nothing_stored(stored)
    if load.verdict == stored.verdict == Verdict.NOT_MEASURED:
        return not_measured(
            "tokens-free", STATEMENTS["tokens-free"], f"{load_text} and {stored_text}"
        )
    parts = (
        f"'no load': {load.verdict}, {load_text}; 'nothing stored': {stored.verdict}, {stored_text}"
    )
    condition = (
        f"which half: {parts}"
        if ruling.verdict == Verdict.DEPENDS and load.verdict != Verdict.DEPENDS
        else parts
    )
    return Claim(
        "tokens-free", STATEMENTS["tokens-free"], ruling.verdict, condition, evidence,
        ["cpu", "sessions"], decisions=list(ruling.deciding),
        sentence=f"No load? {load_text}. Nothing stored? {stored_text}.",
    )  # fmt: skip


# --- 6. tokens transfer information between parties more conveniently and securely --


def tokens_transfer(ruling: ThirdPartyVerify, evidence: list[str]) -> Claim:
    statement, figures, source = STATEMENTS["tokens-transfer"], ["bytes", "cpu"], "bench + security"
    if ruling.verdict == Verdict.NOT_MEASURED and not ruling.deciding:
        return not_measured("tokens-transfer", statement, ruling.missing)
    if ruling.verdict == Verdict.NOT_MEASURED:
        reason = f"'securely' needs the attack battery: {ruling.missing}"
    elif ruling.mishandled:
        reason = (
            "the attack battery saw tokens handled not as expected (a forged or altered one "
            "accepted, or a valid one refused): " + ", ".join(ruling.mishandled[:5])
        )
    elif ruling.verdict == Verdict.REFUTED:
        reason = (
            f"a public-key verify ({fmt.us(ruling.verify_us)}, {ruling.alg}) costs more than "
            "asking the issuer"
        )
    else:
        reason = (
            f"a third party verifies with the public key ({ruling.alg}, "
            f"{fmt.us(ruling.verify_us)}) without asking the issuer, and all {ruling.attacks} "
            "forged or altered tokens were refused; but the claims are signed, not encrypted "
            "(readable by whoever holds the token)"
        )
    return Claim(
        "tokens-transfer", statement, ruling.verdict, reason, evidence, figures, source,
        list(ruling.deciding),
    )  # fmt: skip


# --- 7. tokens are more robust for distributed systems in the cloud -------------------

CLOUD_FIGURES = ["cloud-sticky-kill", "cloud-failover", "cloud-store-down"]


def _robust_one_host(ruling: OutageRobustness, verdict: Verdict) -> str:
    if verdict == Verdict.REFUTED and not ruling.outage_compared:
        return "tokens failed on several instances"
    if verdict == Verdict.REFUTED:
        return "tokens did not ride out the store outage better than sessions"
    if verdict == Verdict.SUPPORTED:
        return "sessions failed both on several instances and when their store was down"
    text = (
        "the session store's availability: sessions in a shared store scale out "
        + (
            "as well"
            if ruling.shared_scale_measured
            else f"(not measured: run {experiment('scale_out')})"
        )
        + ", but stop answering while it is down, when stateless tokens carry on"
    )
    if ruling.denylist_held is not None:
        text += "; a deny list " + (
            "kept working" if ruling.denylist_held else "brings the dependency back"
        )
    return text


def _failover(ruling: OutageRobustness) -> str:
    """How a Sentinel failover treated tokens against sessions ("" where not both ran)."""
    token, session = ruling.token_recovery_s, ruling.session_recovery_s
    if ruling.sooner is None or token is None or session is None:
        return ""
    if ruling.sooner == Sooner.ALIKE:
        return f"; a Sentinel failover cost both alike ({token:.1f} s and {session:.1f} s)"
    return (
        f"; a Sentinel failover cost tokens {token:.1f} s and sessions {session:.1f} s "
        f"({ruling.sooner} recovered sooner)"
    )


def _robust_cloud(ruling: OutageRobustness, verdict: Verdict) -> str:
    if verdict == Verdict.SUPPORTED:
        return "stateless tokens carried on through the whole store outage; sessions did not"
    if verdict == Verdict.REFUTED:
        return "tokens did not ride out the store outage better than sessions"
    return (
        "the outage being shorter than the access token's lifetime: a stateless token "
        f"served {ruling.served_s:.1f} s of the outage ({ruling.lifetime_s:.0f} s lifetime), "
        "then refresh and login need the store (refresh families live there) and fail like "
        "sessions"
        + ("; a deny list brings the dependency back at once" if ruling.denylist_measured else "")
        + _failover(ruling)
    )


def _robust_sentence(ruling: OutageRobustness) -> str:
    if not ruling.serving:
        return ""
    if ruling.setting == Setting.ONE_HOST:
        return (
            "When the store stops answering, "
            + ", ".join(f"{s.variant} serves {fmt.pct(s.share)}" for s in ruling.serving)
            + " of its normal throughput."
        )
    return (
        f"With the store down {seconds(ruling.down_s)}, "
        + ", ".join(f"{s.variant} answers {fmt.pct(s.share)}" for s in ruling.serving)
        + f" of requests; stateless tokens serve {ruling.served_s:.1f} s, their "
        f"{ruling.lifetime_s:.0f} s lifetime"
        + (
            ", and a Sentinel failover costs "
            + ", ".join(f"{v} {seconds(s)}" for v, s in ruling.recovery)
            if ruling.recovery
            else ""
        )
        + "."
    )


def tokens_robust(ruling: OutageRobustness, evidence: list[str]) -> Claim:
    if ruling.setting == Setting.CLOUD and ruling.verdict == Verdict.NOT_MEASURED:
        # The cloud's own experiments ran in part: their evidence stays on the page.
        return Claim(
            "tokens-robust", STATEMENTS["tokens-robust"], Verdict.NOT_MEASURED,
            f"run {ruling.missing}", evidence, CLOUD_FIGURES,
        )  # fmt: skip
    words = _robust_cloud if ruling.setting == Setting.CLOUD else _robust_one_host
    figures = CLOUD_FIGURES if ruling.setting == Setting.CLOUD else ["outage", "scale-out"]
    return _worded(
        ruling,
        "tokens-robust",
        lambda verdict: words(ruling, verdict),
        evidence,
        figures,
        _robust_sentence(ruling),
    )


# --- 8. token-based authentication is "much better and efficient" ---------------------

CAVEATS = {
    Caveat.LOGOUT_WAITS: "logout that waits for exp",
    Caveat.XSS_THEFT: "token theft by XSS where the token is kept in script-readable storage",
}


def pair_gains_line(pair: PairGains) -> str:
    """One pair's gains for tokens, each in its band's words."""
    return f"{pair.why} ({pair.session} vs {pair.token}): for tokens, " + ", ".join(
        f"{'CPU' if 'CPU' in g.figure else 'throughput'} {fmt.ratio(g.value)} "
        f"({grade(g.value, BETTER)})"
        for g in pair.gains
    )


def tokens_better(ruling: TokensBetter, evidence: list[str]) -> Claim:
    much = f"{fmt.TIMES}{HEAVY}"
    figures = ["throughput", "cpu", "security"]
    if ruling.verdict == Verdict.NOT_MEASURED and ruling.pairs:
        # Cost alone cannot support it: the security price could still turn it to "depends".
        return Claim(
            "tokens-better", STATEMENTS["tokens-better"], Verdict.NOT_MEASURED,
            f"the security price ({ruling.missing}); on cost, tokens were {much} better in "
            "both like-for-like pairs",
            [*evidence, f"not measured: the security trade-offs: run {ruling.missing}"],
            figures, decisions=list(ruling.deciding),
        )  # fmt: skip
    summary = "; ".join(
        f"{pair.why}: " + ("much better" if pair.much_better else "not much better")
        for pair in ruling.pairs
    )

    def reason(verdict: Verdict) -> str:
        if verdict == Verdict.REFUTED:
            return (
                f"tokens were not {much} better on CPU and throughput in any like-for-like "
                f"pair ({summary})"
            )
        if verdict == Verdict.DEPENDS and ruling.caveats:
            return "whether the price is acceptable: " + ", ".join(
                CAVEATS[c] for c in ruling.caveats
            )
        if verdict == Verdict.DEPENDS:
            return f"whether logout must end the token: {summary}"
        return f"tokens were {much} better in both like-for-like pairs"

    return _worded(ruling, "tokens-better", reason, evidence, figures)
