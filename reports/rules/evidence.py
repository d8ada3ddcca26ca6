"""The lines of evidence beneath each claim: the run's figures that the verdict rests on or
that a reader weighs beside it, in words (reports.rules.wording says the verdict itself).

They read the run directly (a ruling holds what decided, not everything worth showing);
each claim's function takes its ruling, so that a claim not measured shows none."""

from __future__ import annotations

from typing import Any

from reports import costs, fmt, xss
from reports import csrf as csrf_engine
from reports.bands import spreads_text
from reports.claim import SECURITY, Verdict
from reports.intervals import CONFIDENCE
from reports.load import RunData
from reports.metrics import (
    login_costs,
    measured,
    number,
    outage_stats,
    primitive_us,
    session_bytes,
    variants_where,
    wire_bytes,
)
from reports.rules import cloud_topology, cost, security, state, wording
from reports.rules.ruling import (
    HeavyLoad,
    MemoryScaling,
    NoLoad,
    NothingStored,
    OutageRobustness,
    Setting,
    ThirdPartyVerify,
    TokensBetter,
    TokensFree,
)
from results_format import primitive_ids

# --- 1. sessions put a heavy load on the server --------------------------------------------


def _cpu_line(run: RunData, variant: str) -> str:
    request = costs.request_cost(run, variant)
    row = run.summary_row(variant) or {}
    server = number(row.get("server_cpu_us_per_request"))
    store = number(row.get("store_cpu_us_per_request"))
    text = f"{variant}: {fmt.us(request.median if request else None)} CPU per request"
    if store:
        text += f" (server {fmt.us(server)} + Redis {fmt.us(store)})"
    if request and request.repetitions:
        text += ", repetitions " + ", ".join(fmt.us(v) for v in request.repetitions)
    return text


def _saturation_note(run: RunData, variants: list[str]) -> list[str]:
    flagged = cost.saturated(run, variants)
    if not flagged:
        return []
    return [
        "caution: the load generator was saturated for "
        + ", ".join(flagged)
        + " (their maximum throughput is the generator's limit)"
    ]


def _growth_lines(run: RunData, sessions: list[str], tokens: list[str]) -> list[str]:
    lines = []
    for variant in sessions[:1] + tokens:
        ops = costs.store_ops_per_request(run, variant)
        if ops is not None:
            lines.append(f"{variant}: {ops:.2f} store operations per request")
    for store, where in (("redis", "Redis"), ("memory", "process memory")):
        per = session_bytes(run, store)
        if per is not None:
            lines.append(
                f"a live session holds {fmt.size(per)} in {where}: 1M users would take "
                f"{fmt.size(per * 1e6)} (extrapolated)"
            )
    return lines


def sessions_heavy(run: RunData, ruling: HeavyLoad) -> list[str]:
    """The run's figures beneath claim 1: each variant's CPU, the spreads, the store's
    work and memory, the growth with resident sessions, a login's cost."""
    if ruling.verdict == Verdict.NOT_MEASURED:
        return []
    pairs = costs.pairs(run)
    involved = list(dict.fromkeys([p[0] for p in pairs] + [p[1] for p in pairs]))
    evidence = [f"per-request figures from {costs.source_text(run)}"]
    evidence += [_cpu_line(run, v) for v in involved]
    spreads = spreads_text(run, involved)
    if spreads:
        evidence.append(spreads)
    sessions = measured(run, variants_where(run, kind="session"))
    evidence += _growth_lines(run, sessions, [p[1] for p in pairs])
    for g in ruling.growth:
        p99 = "" if g.p99 is None else f", p99 {fmt.ms(g.p99[0])} -> {fmt.ms(g.p99[1])}"
        interval = g.cpu.interval if g.cpu else None
        precision = (
            f" ({CONFIDENCE:.0%} interval {fmt.ratio(interval.low)}-{fmt.ratio(interval.high)}, "
            f"{g.rounds} rounds, {interval.batches} steady seconds)"
            if interval
            else " (one round: no interval, so it does not decide)"
        )
        evidence.append(
            f"{g.store}, {fmt.count(g.fewest)} -> {fmt.count(g.most)} sessions resident: CPU per "
            f"GET /me {fmt.ratio(g.cpu.value if g.cpu else None)}{precision}{p99}"
        )
    for _, row in login_costs(run).dropna(subset=["ratio"]).iterrows():
        if row["variant"] in involved[:2]:
            evidence.append(
                f"one login costs {fmt.us(row['login_us'])} of server CPU, "
                f"{fmt.ratio(row['ratio'])} an authenticated request ({row['variant']})"
            )
    return evidence + _saturation_note(run, involved)


# --- 2. sessions in server memory are a scalability problem --------------------------------


def memory_scalability(run: RunData, ruling: MemoryScaling) -> list[str]:
    if ruling.setting == Setting.CLOUD:
        return _balancer(run) + _sticky_kill(run)
    return _memory_one_host(run)


def _memory_one_host(run: RunData) -> list[str]:
    rows = state.scale_rows(run)
    evidence = [
        f"{v}: {fmt.pct(rows[v].get('failure_rate'))} of {fmt.count(rows[v].get('requests'))} "
        f"requests failed on {rows[v].get('instances')} instances without sticky routing "
        f"(local state would give {fmt.pct(rows[v].get('expected_if_state_is_local'))})"
        for v in rows
    ]
    for store, where in (("memory", "process memory"), ("redis", "Redis")):
        per_session = session_bytes(run, store)
        if per_session is not None:
            evidence.append(
                f"{fmt.size(per_session)} per session in {where}: "
                f"1M sessions would take {fmt.size(per_session * 1e6)} (extrapolated)"
            )
    return evidence


def _count(value: Any) -> str:
    counted = number(value)
    return "-" if counted is None else f"{counted:.0f}"


def _balancer(run: RunData) -> list[str]:
    return [
        f"HAProxy round robin, {row.get('instances')} instances: {variant} "
        f"{fmt.pct(row.get('failure_rate'))} of {fmt.count(row.get('requests'))} GET /me "
        f"failed, {_count(row.get('users_forced_to_log_in'))} of "
        f"{_count(row.get('users'))} users forced to log in again"
        for variant, row in cloud_topology.table_rows(run.cloud_balancer).items()
    ]


def _sticky_kill(run: RunData) -> list[str]:
    return [
        f"sticky routing, an instance SIGKILLed: {variant} "
        f"{_count(row.get('users_forced_to_log_in'))} users forced to log in again "
        f"({_count(row.get('users_on_killed_instance'))} were pinned to it), "
        f"{_count(row.get('failed_after'))} requests failed, HAProxy took it out after "
        f"{wording.seconds(row.get('seconds_until_out'))}, requests OK again after "
        f"{wording.seconds(row.get('recovery_s'))}"
        for variant, row in cloud_topology.table_rows(run.cloud_sticky_kill).items()
    ]


# --- 3 and 5. CSRF -------------------------------------------------------------------------


def csrf(run: RunData, judgement: csrf_engine.Judgement) -> list[str]:
    """reports.csrf's own lines, and where an injected script took a credential away."""
    return [*judgement.evidence, *_xss(run)]


def _xss(run: RunData) -> list[str]:
    """Where an injected script could take a working credential away (none: []), said with
    what it did everywhere: act as the user through the page, HttpOnly cookies included.
    Counted in tries (configuration x browser x where the app kept the credential)."""
    counted = xss.counts(run)
    if counted is None or not counted.read:
        return []
    places = ", ".join(f"{p.read} of {p.tries} in {p.name}" for p in counted.places)
    return [
        f"XSS: an injected script's own POST /transfer succeeded in {counted.acted} of "
        f"{counted.tries} tries (configuration x browser x storage); it read a working "
        f"credential {places}"
    ]


# --- 4. tokens do not load the server, and need nothing stored -----------------------------


def tokens_free(run: RunData, ruling: TokensFree) -> list[str]:
    return _no_load(run, ruling.no_load) + _nothing_stored(run, ruling.stored)


def _no_load(run: RunData, ruling: NoLoad) -> list[str]:
    if ruling.verdict == Verdict.NOT_MEASURED or ruling.share is None:
        return []
    token = ruling.token
    lines = [
        f"checking the credential adds {fmt.us(ruling.token_check_us)} per request for {token} "
        f"and {fmt.us(ruling.session_check_us)} for {ruling.session} (the check cost: server + "
        f"store CPU, each minus the no-auth baseline's; {costs.source_text(run)})"
    ]
    verify = primitive_us(run, primitive_ids.jwt_verify("HS256"))
    if verify is not None:
        lines.append(f"JWT verify HS256 alone, in-process: {fmt.us(verify)}")
    lines.append(
        f"as a share of the whole request: {token}'s check is {fmt.pct(ruling.share.value)} of "
        f"its {fmt.us(cost.median_us(run, token))}"
    )
    return lines


def _nothing_stored(run: RunData, ruling: NothingStored) -> list[str]:
    if ruling.kept_bytes is None:
        return []
    lines = [f"a refresh-token family: {fmt.size(ruling.kept_bytes)} per user in Redis"]
    deny = session_bytes(run, "token deny list (redis)")
    if deny is not None:
        lines.append(f"a deny-list entry: {fmt.size(deny)} per logged-out token until its exp")
    if ruling.session_bytes is not None:
        lines.append(f"beside a Redis session: {fmt.size(ruling.session_bytes)}")
    for variant in measured(run, variants_where(run, kind="token", state="client+server")):
        ops = costs.store_ops_per_request(run, variant)
        if ops is not None:
            lines.append(f"{variant}: {ops:.2f} Redis commands per request")
    return lines


# --- 6. tokens transfer information between parties ----------------------------------------


def tokens_transfer(run: RunData, ruling: ThirdPartyVerify) -> list[str]:
    if not ruling.deciding:  # nothing measured to compare
        return []
    measured_algs = security.public_key_verify_us(run)
    evidence = [
        "a party holding only the public key verifies a token in "
        + ", ".join(f"{fmt.us(cost)} ({name})" for name, cost in measured_algs.items())
        + ", without asking the issuer"
    ]
    hs256 = primitive_us(run, primitive_ids.jwt_verify("HS256"))
    if hs256 is not None:
        evidence.append(
            f"HS256 verifies in {fmt.us(hs256)}, but every verifier then holds the secret that "
            "mints tokens: only a public-key algorithm lets a third party verify safely"
        )
    sizes = {v: wire_bytes(run, v) for v in variants_where(run, kind="token")}
    token_sizes = sorted(size[0] for size in sizes.values() if size)
    if token_sizes:
        evidence.append(
            f"the claims ride in every request ({token_sizes[0]}-{token_sizes[-1]} B for GET "
            "/me), signed, not encrypted: readable by whoever holds the token"
        )
    ask = costs.request_cost(run, "session-redis")
    evidence.append(
        f"asking the issuer instead costs it about {fmt.us(ask.median if ask else None)} of CPU "
        "per request (session-redis), plus a network round trip"
    )
    attacks = security.token_attacks(run)
    evidence.append(_jwks_line(attacks))
    if not attacks:
        return [*evidence, f"not measured: forged, altered and replayed tokens: run {SECURITY}"]
    failed = [r for r in attacks if not r.get("passed")]
    evidence.append(
        f"attack battery on tokens: {len(attacks) - len(failed)} of {len(attacks)} forged, "
        "altered or replayed tokens handled as expected"
    )
    return evidence


def _jwks_line(attacks: list[dict[str, Any]]) -> str:
    """Whether this run fetched the public keys the way a third party would (the attack
    battery reads /.well-known/jwks.json of every public-key server it attacks)."""
    fetched = [r for r in attacks if r.get("attack") == "algorithm_confusion"]
    if fetched and not any("could not read" in str(r.get("detail")) for r in fetched):
        servers = sorted({str(r.get("variant") or r.get("configuration")) for r in fetched})
        return "the public keys were fetched from /.well-known/jwks.json of " + ", ".join(servers)
    if fetched:
        return "a public-key server's /.well-known/jwks.json gave no key"
    return (
        "/.well-known/jwks.json not exercised in this run (the attack battery reads it when "
        "the lab runs a public-key token server)"
    )


# --- 7. tokens are more robust for distributed systems -------------------------------------


def tokens_robust(run: RunData, ruling: OutageRobustness) -> list[str]:
    if ruling.setting == Setting.CLOUD:
        return (
            _balancer(run)
            + _sticky_kill(run)
            + _failover(run)
            + _store_down(run)
            + _store_restart(run)
        )
    return _robust_one_host(run)


def _robust_one_host(run: RunData) -> list[str]:
    evidence = []
    for variant, row in state.scale_rows(run).items():
        evidence.append(
            f"scale-out, {row.get('instances')} instances: {variant} "
            f"{fmt.pct(row.get('failure_rate'))} failed"
        )
    every = outage_stats(run)
    for stat in every:
        if stat.goodput is None:
            continue
        success = "no answer" if stat.success_rate is None else f"{fmt.pct(stat.success_rate)} OK"
        recovered = (
            ""
            if stat.recovered_after_s is None
            else f", normal again {stat.recovered_after_s} s after"
        )
        slowest = (
            "" if stat.slowest_us is None else f", slowest answer {fmt.duration(stat.slowest_us)}"
        )
        evidence.append(
            f"in the {stat.seconds_down} s the store was down throughout: {stat.variant} "
            f"{success}, "
            f"{fmt.pct(stat.goodput)} of its normal throughput{slowest}{recovered}"
        )
    for stat in every:
        if stat.goodput is None:
            evidence.append(
                f"store down: {stat.variant}'s normal throughput is unknown (no full second "
                "with the store up): not judged"
            )
    return evidence


def _failover(run: RunData) -> list[str]:
    lines = []
    for variant, row in cloud_topology.table_rows(run.cloud_failover).items():
        lost = [
            f"{_count(row.get(column))} of {_count(row.get('probes'))} {what}"
            for column, what in (
                ("sessions_lost", "sessions lost"),
                ("revocations_lost", "revocations lost"),
                ("refresh_tokens_lost", "refresh tokens lost"),
            )
            if number(row.get(column)) is not None
        ]
        lines.append(
            "store primary SIGKILLed, Sentinel failover in "
            f"{wording.seconds(row.get('failover_s'))}: "
            f"{variant} requests OK again after {wording.seconds(row.get('recovery_s'))}, "
            f"{_count(row.get('failed_after'))} failed, "
            f"{_count(row.get('users_forced_to_log_in'))} users forced to log in again"
            + (f"; {', '.join(lost)}" if lost else "")
        )
    return lines


def _store_down(run: RunData) -> list[str]:
    lines = []
    for variant, row in cloud_topology.table_rows(run.cloud_store_down).items():
        ttl = number(row.get("access_ttl_s"))
        lifetime = f" (access tokens live {ttl:.0f} s)" if ttl else ""
        lines.append(
            f"store down {wording.seconds(row.get('down_s'))}{lifetime}: {variant} "
            f"{fmt.pct(row.get('success_while_down'))} OK while down, GET /me served for "
            f"{wording.seconds(row.get('served_for_s'))} of it, OK again "
            f"{wording.seconds(row.get('recovery_after_back_s'))} after the store was back"
        )
    return lines


def _store_restart(run: RunData) -> list[str]:
    frame = run.cloud_store_restart
    if frame.empty:
        return []
    lines = []
    for _, row in frame.iterrows():
        lost = [
            f"{_count(row.get(column))} of {_count(row.get('probes'))} {what}"
            for column, what in (
                ("sessions_lost", "sessions lost"),
                ("revocations_lost", "revoked tokens accepted again"),
                ("refresh_tokens_lost", "refresh tokens lost"),
            )
            if number(row.get(column)) is not None
        ]
        lines.append(
            f"store restarted, persistence {row.get('persistence')}: {row.get('variant')} "
            + ", ".join(lost)
        )
    return lines


# --- 8. token-based authentication is "much better and efficient" --------------------------


def tokens_better(run: RunData, ruling: TokensBetter) -> list[str]:
    if not ruling.pairs:  # no pair measured
        return []
    evidence = [f"per-request figures from {costs.source_text(run)}"]
    evidence += [wording.pair_gains_line(pair) for pair in ruling.pairs]
    pairs = costs.pairs(run)
    return evidence + _saturation_note(run, [name for pair in pairs for name in pair[:2]])
