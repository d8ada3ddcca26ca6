"""The claims table: each claim of the article, the run's evidence and a verdict.

Every verdict is computed here, from the data, by a rule that is a plain
function of RunData; none is typed in. A rule answers "supported",
"refuted", "depends" (saying on what) or "not measured" (the run lacks the
data). The thresholds below are the only judgement calls, and they are
printed in the report beside the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from reports import fmt
from reports.load import RunData
from reports.metrics import (
    Measure,
    base_configuration,
    compare,
    configuration_info,
    credential_check_parts,
    login_costs,
    measured,
    number,
    outage_stats,
    primitive_us,
    security_rows,
    total_cpu,
    variants_where,
    wire_bytes,
)

Verdict = Literal["supported", "refuted", "depends", "not measured"]

# Medians closer than this (or spreads over repetitions that overlap) are "the
# same": a shared 2-core machine moves single figures by this much.
SIMILAR = 0.25
# "Heavy", "much better": at least this many times the other.
MUCH = 1.5
# A token check that adds less than this share of the no-auth floor's CPU
# per request does "not load the server".
LIGHT = 0.10
# Scale-out: in-process sessions "break" when at least this share of the
# failures expected from (K-1)/K happened; a variant "works" under WORKS.
BREAKS = 0.5
WORKS = 0.01
# Store outage: a variant "carries on" when it served at least this share of
# its normal throughput while the store was down.
CARRIES_ON = 0.9

THRESHOLDS = {
    "similar": f"differences under {SIMILAR:.0%}, or spreads over repetitions that overlap, "
    "count as equal",
    "much": f"'heavy' and 'much better' mean at least {fmt.TIMES}{MUCH} the other",
    "light": f"'does not load the server': under {LIGHT:.0%} more CPU per request than the "
    "no-auth baseline",
    "scale-out": f"a variant breaks when it fails at least {BREAKS:.0%} of the (K-1)/K expected "
    f"from local state; it works under {WORKS:.0%} failed",
    "outage": f"a variant carries on when it serves at least {CARRIES_ON:.0%} of its normal "
    "throughput in the seconds the store is down throughout",
}

NOT_MEASURED = "not measured in this run"


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    verdict: Verdict
    condition: str = ""  # for "depends": what it depends on; otherwise why
    evidence: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    source: str = "bench"

    @property
    def label(self) -> str:
        if self.verdict == "depends":
            return f"depends on {self.condition}"
        if self.verdict == "not measured":
            return NOT_MEASURED
        return self.verdict

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim": self.claim,
            "verdict": self.verdict,
            "label": self.label,
            "condition": self.condition,
            "evidence": " | ".join(self.evidence),
            "figures": " ".join(self.figures),
            "source": self.source,
        }


def _not_measured(id_: str, claim: str, why: str, source: str = "bench") -> Claim:
    return Claim(id_, claim, "not measured", why, [why], [], source)


def _sessions(run: RunData) -> list[str]:
    return measured(run, variants_where(run, kind="session"))


def _stateless_tokens(run: RunData) -> list[str]:
    return measured(run, variants_where(run, kind="token", state="client"))


def _cpu_line(run: RunData, variant: str) -> str:
    row = run.summary_row(variant) or {}
    cost = total_cpu(run, variant)
    server = number(row.get("server_cpu_us_per_request"))
    store = number(row.get("store_cpu_us_per_request"))
    text = f"{variant}: {fmt.us(cost.median if cost else None)} CPU per request"
    if store:
        text += f" (server {fmt.us(server)} + Redis {fmt.us(store)})"
    if cost and cost.high > cost.low:
        text += f", {fmt.us(cost.low)}-{fmt.us(cost.high)} over repetitions"
    return text


def _saturation_note(run: RunData, variants: list[str]) -> list[str]:
    flagged = [v for v in variants if bool((run.summary_row(v) or {}).get("generator_saturated"))]
    if not flagged:
        return []
    return [
        "caution: the load generator was saturated for "
        + ", ".join(flagged)
        + " (their maximum throughput is the generator's limit)"
    ]


# --- 1. sessions put a heavy load on the server --------------------------------------


def sessions_heavy_load(run: RunData) -> Claim:
    claim = "Sessions put a heavy load on the server."
    sessions, tokens = _sessions(run), _stateless_tokens(run)
    if not sessions or not tokens:
        return _not_measured("sessions-heavy", claim, "needs session and token variants")
    costs = {v: total_cpu(run, v) for v in sessions + tokens}
    pairs = []
    for s in sessions:
        for t in tokens:
            a, b = costs[s], costs[t]
            if a is not None and b is not None and b.median > 0:
                pairs.append((s, t, compare(a, b, SIMILAR), a.median / b.median))
    if not pairs:
        return _not_measured("sessions-heavy", claim, "no CPU per request was measured")
    evidence = [_cpu_line(run, v) for v in sessions + tokens]
    baseline = measured(run, variants_where(run, kind="baseline"))
    if baseline:
        evidence.append(_cpu_line(run, baseline[0]) + " (no credential check: the floor)")
    for variant in (sessions[0], tokens[0]):
        parts = credential_check_parts(run, variant)
        if parts and all(v is not None for _, v in parts):
            evidence.append(
                f"{variant}'s credential check, from the primitive costs: "
                + " + ".join(f"{name} {fmt.us(value)}" for name, value in parts)
            )
    login = login_costs(run).dropna(subset=["ratio"])
    for _, row in login[login["variant"].isin([sessions[0], tokens[0]])].iterrows():
        evidence.append(
            f"one login costs {fmt.us(row['login_us'])} of server CPU, "
            f"{fmt.ratio(row['ratio'])} an authenticated request ({row['variant']})"
        )
    evidence += _saturation_note(run, sessions + tokens)
    figures = ["cpu", "throughput", "login"]
    heavy = [p for p in pairs if p[2] == "higher" and p[3] >= MUCH]
    higher = [p for p in pairs if p[2] == "higher"]
    if len(heavy) == len(pairs):
        return Claim(
            "sessions-heavy",
            claim,
            "supported",
            f"every session variant costs at least {fmt.TIMES}{MUCH} the CPU of every token "
            "variant",
            evidence,
            figures,
        )
    if not higher:
        return Claim(
            "sessions-heavy",
            claim,
            "refuted",
            "no session variant costs clearly more CPU per request than the token variants",
            evidence,
            figures,
        )
    heavier_sessions = {s for s, _, _, _ in higher}
    cheaper_tokens = {t for _, t, _, _ in higher}
    if heavier_sessions != set(sessions):
        light = sorted(set(sessions) - heavier_sessions)
        condition = (
            f"the session store: {', '.join(sorted(heavier_sessions))} cost clearly more than "
            f"a token, {', '.join(light)} do not"
        )
    elif cheaper_tokens != set(tokens):
        costly = sorted(set(tokens) - cheaper_tokens)
        condition = (
            f"the token's signing algorithm: {', '.join(costly)} cost as much as the sessions"
        )
    else:
        top = max(ratio for _, _, _, ratio in higher)
        condition = (
            f"what counts as heavy: sessions cost up to {fmt.ratio(top)} the CPU per request "
            f"of tokens, under the {fmt.TIMES}{MUCH} that 'heavy' would need"
        )
    return Claim("sessions-heavy", claim, "depends", condition, evidence, figures)


# --- 2. sessions in server memory are a scalability problem ---------------------------


def _scale_rows(run: RunData) -> dict[str, dict[str, Any]]:
    if run.scale_out.empty:
        return {}
    return {str(r["variant"]): dict(r) for _, r in run.scale_out.iterrows()}


def _session_bytes(run: RunData, store: str) -> float | None:
    scale = run.sessions_at_scale
    if scale.empty or "bytes_per_session" not in scale:
        return None
    rows = scale[(scale["store"] == store)].dropna(subset=["bytes_per_session"])
    if rows.empty:
        return None
    return number(rows.sort_values("sessions")["bytes_per_session"].iloc[-1])


def _breaks(row: dict[str, Any]) -> bool:
    rate = number(row.get("failure_rate")) or 0.0
    expected = number(row.get("expected_if_state_is_local"))
    if expected:
        return rate >= BREAKS * expected
    return rate >= BREAKS * 0.5


def memory_scalability(run: RunData) -> Claim:
    claim = "Sessions in server memory are a scalability problem."
    rows = _scale_rows(run)
    local = [v for v in rows if run.variant_info(v).get("store") == "memory"]
    shared = [
        v
        for v in rows
        if run.variant_info(v).get("kind") == "session"
        and run.variant_info(v).get("store") not in ("memory", "-", None)
    ]
    evidence = [
        f"{v}: {fmt.pct(rows[v].get('failure_rate'))} of {fmt.count(rows[v].get('requests'))} "
        f"requests failed on {rows[v].get('instances')} instances without sticky routing "
        f"(local state would give {fmt.pct(rows[v].get('expected_if_state_is_local'))})"
        for v in rows
    ]
    for store, where in (("memory", "process memory"), ("redis", "Redis")):
        per_session = _session_bytes(run, store)
        if per_session is not None:
            evidence.append(
                f"{fmt.size(per_session)} per session in {where}: "
                f"1M sessions = {fmt.size(per_session * 1e6)}"
            )
    figures = ["scale-out", "sessions"]
    if not local:
        return Claim(
            "memory-scalability",
            claim,
            "not measured",
            "the scale-out experiment with in-process sessions did not run",
            evidence or [NOT_MEASURED],
            figures,
        )
    if not any(_breaks(rows[v]) for v in local):
        return Claim(
            "memory-scalability",
            claim,
            "refuted",
            "in-process sessions kept working on several instances",
            evidence,
            figures,
        )
    working = [v for v in shared if (number(rows[v].get("failure_rate")) or 0.0) <= WORKS]
    if working:
        return Claim(
            "memory-scalability",
            claim,
            "depends",
            f"where the sessions live: in one process's memory they break behind a "
            f"non-sticky balancer, in a shared store ({', '.join(working)}) they do not",
            evidence,
            figures,
        )
    return Claim(
        "memory-scalability",
        claim,
        "supported",
        "sessions broke on several instances and no shared store was shown to fix it",
        evidence,
        figures,
    )


# --- CSRF (security lab) ------------------------------------------------------------


@dataclass(frozen=True)
class _CsrfConfig:
    name: str
    variant: str
    transport: str
    samesite: str | None
    csrf: bool | None
    exploited: bool


def _csrf_configs(run: RunData) -> list[_CsrfConfig]:
    rows = security_rows(run, "csrf_browser")
    info = configuration_info(run)
    exploited: dict[str, bool] = {}
    for row in rows:
        name = base_configuration(str(row.get("configuration", "")))
        exploited[name] = exploited.get(name, False) or bool(row.get("transfer_happened"))
    configs = []
    for name, hit in exploited.items():
        details = info.get(name, {})
        variant = str(details.get("variant") or name.split("-", 1)[0])
        transport = str(details.get("transport") or ("header" if "header" in name else "cookie"))
        configs.append(
            _CsrfConfig(name, variant, transport, details.get("samesite"), details.get("csrf"), hit)
        )
    return configs


def _describe(config: _CsrfConfig) -> str:
    if config.transport != "cookie":
        return f"{config.name} (in a header)"
    csrf = "CSRF check on" if config.csrf else "no CSRF check"
    return f"{config.name} (SameSite={config.samesite}, {csrf})"


def _csrf_evidence(configs: list[_CsrfConfig], run: RunData) -> list[str]:
    hit = [c for c in configs if c.exploited]
    safe = [c for c in configs if not c.exploited]
    evidence = [
        f"cross-site forged transfer in Chromium succeeded against {len(hit)} of "
        f"{len(configs)} configurations: " + (", ".join(_describe(c) for c in hit) or "none"),
        "refused: " + (", ".join(c.name for c in safe) or "none"),
    ]
    stolen = [
        r["configuration"]
        for r in security_rows(run, "xss")
        if r.get("token_in_local_storage") and "@" not in str(r.get("configuration"))
    ]
    if stolen:
        evidence.append(
            "but an injected script read the header token from localStorage in: "
            + ", ".join(stolen)
        )
    return evidence


def _settings_of(configs: list[_CsrfConfig]) -> str:
    samesite = sorted({str(c.samesite) for c in configs})
    no_check = all(not c.csrf for c in configs)
    text = f"SameSite={'/'.join(samesite)}"
    return text + (" with no CSRF check" if no_check else "")


def sessions_csrf(run: RunData) -> Claim:
    claim = "Sessions are vulnerable to CSRF."
    configs = _csrf_configs(run)
    sessions = [c for c in configs if c.variant == "session"]
    if not sessions:
        return _not_measured("sessions-csrf", claim, NOT_MEASURED, "security")
    evidence = _csrf_evidence(configs, run)
    hit = [c for c in sessions if c.exploited]
    figures = ["security"]
    if not hit:
        return Claim(
            "sessions-csrf",
            claim,
            "refuted",
            "no session configuration was exploited",
            evidence,
            figures,
            "security",
        )
    if len(hit) == len(sessions):
        return Claim(
            "sessions-csrf",
            claim,
            "supported",
            "every session configuration was exploited",
            evidence,
            figures,
            "security",
        )
    tokens_hit = [c for c in configs if c.variant == "token" and c.exploited]
    condition = f"the cookie's settings, not on sessions: only {_settings_of(hit)} was exploited"
    if tokens_hit:
        condition += ", and a token in a cookie with those settings was exploited alike"
    return Claim("sessions-csrf", claim, "depends", condition, evidence, figures, "security")


def tokens_less_csrf(run: RunData) -> Claim:
    claim = "Tokens carry less CSRF risk."
    configs = _csrf_configs(run)
    tokens = [c for c in configs if c.variant == "token"]
    sessions = [c for c in configs if c.variant == "session"]
    if not tokens or not sessions:
        return _not_measured("tokens-csrf", claim, NOT_MEASURED, "security")
    evidence = _csrf_evidence(configs, run)
    figures = ["security"]
    header = [c for c in tokens if c.transport != "cookie"]
    cookie = [c for c in tokens if c.transport == "cookie"]
    share_tokens = sum(c.exploited for c in tokens) / len(tokens)
    share_sessions = sum(c.exploited for c in sessions) / len(sessions)
    if any(c.exploited for c in header):
        return Claim(
            "tokens-csrf",
            claim,
            "refuted",
            "a token sent in a header was exploited",
            evidence,
            figures,
            "security",
        )
    if any(c.exploited for c in cookie):
        hit = [c for c in cookie if c.exploited]
        return Claim(
            "tokens-csrf",
            claim,
            "depends",
            "how the token travels: in a header the browser never sends it cross-site, in a "
            f"cookie ({_settings_of(hit)}) it was exploited like a session cookie",
            evidence,
            figures,
            "security",
        )
    if share_sessions > share_tokens:
        return Claim(
            "tokens-csrf",
            claim,
            "supported",
            "no token configuration was exploited, some session configurations were",
            evidence,
            figures,
            "security",
        )
    return Claim(
        "tokens-csrf",
        claim,
        "refuted",
        "sessions were exploited no more often than tokens",
        evidence,
        figures,
        "security",
    )


# --- 4. tokens do not load the server and need nothing stored -------------------------


def tokens_stateless(run: RunData) -> Claim:
    claim = "Tokens do not load the server and need nothing stored."
    tokens = _stateless_tokens(run)
    baseline = measured(run, variants_where(run, kind="baseline"))
    if not tokens or not baseline:
        return _not_measured("tokens-free", claim, "needs token variants and the baseline")
    floor = total_cpu(run, baseline[0])
    if floor is None:
        return _not_measured("tokens-free", claim, "the baseline's CPU was not measured")
    evidence = []
    loads = []
    for token in tokens:
        cost = total_cpu(run, token)
        if cost is None:
            continue
        extra = cost.median - floor.median
        evidence.append(
            f"{token}: {fmt.us(cost.median)} CPU per request, {fmt.us(extra)} "
            f"({fmt.pct(extra / floor.median if floor.median else None)}) above the "
            f"no-auth baseline's {fmt.us(floor.median)}"
        )
        if compare(cost, floor, LIGHT) == "higher":
            loads.append(token)
        alg = str(run.variant_info(token).get("alg") or "")
        verify = primitive_us(run, f"JWT verify {alg} ")
        if verify is not None:
            evidence.append(f"JWT verify {alg} alone: {fmt.us(verify)} per request")
    stored: list[str] = []
    for store, what in (
        ("token refresh families (redis)", "refresh-token families"),
        ("token deny list (redis)", "deny-list entries"),
    ):
        per = _session_bytes(run, store)
        if per:
            stored.append(what)
            evidence.append(f"{what}: {fmt.size(per)} each in Redis")
    for variant in measured(run, variants_where(run, kind="token", state="client+server")):
        commands = _step_value(run, variant, "redis_commands_per_request")
        if commands is not None:
            stored.append(f"{variant}'s deny list")
            evidence.append(f"{variant}: {commands:.2f} Redis commands per request")
    figures = ["cpu", "sessions"]
    if loads:
        condition = f"{', '.join(loads)} cost clearly more CPU per request than no check at all"
        if stored:
            condition += (
                f"; refresh and logout keep state in Redis ({', '.join(dict.fromkeys(stored))})"
            )
        return Claim("tokens-free", claim, "refuted", condition, evidence, figures)
    if stored:
        return Claim(
            "tokens-free",
            claim,
            "depends",
            "whether refresh and logout must work: checking costs little, but they need "
            + ", ".join(dict.fromkeys(stored)),
            evidence,
            figures,
        )
    return Claim(
        "tokens-free",
        claim,
        "supported",
        "the token check cost little and nothing was stored",
        evidence,
        figures,
    )


def _step_value(run: RunData, variant: str, column: str) -> float | None:
    phases = run.phases
    if phases.empty or column not in phases:
        return None
    rows = phases[(phases["variant"] == variant) & (phases["phase"] == "step")][column].dropna()
    return number(rows.median()) if not rows.empty else None


# --- 6. tokens transfer information between parties more conveniently and securely ----


def tokens_transfer(run: RunData) -> Claim:
    claim = "Tokens transfer information between parties more conveniently and securely."
    asymmetric = {
        alg: primitive_us(run, f"JWT verify {alg} ") for alg in ("RS256", "ES256", "EdDSA")
    }
    asymmetric = {alg: cost for alg, cost in asymmetric.items() if cost is not None}
    hs256 = primitive_us(run, "JWT verify HS256 ")
    sessions, tokens = _sessions(run), variants_where(run, kind="token")
    sizes: dict[str, tuple[int, int]] = {}
    for variant in sessions + tokens:
        size = wire_bytes(run, variant)
        if size is not None:
            sizes[variant] = size
    if not asymmetric and hs256 is None and not sizes:
        return _not_measured("tokens-transfer", claim, "needs primitive costs or wire sizes")
    evidence = []
    if asymmetric:
        evidence.append(
            "a party holding only the public key verifies a token in "
            + ", ".join(f"{fmt.us(cost)} ({alg})" for alg, cost in asymmetric.items())
            + ", without asking the issuer"
        )
    if hs256 is not None:
        evidence.append(
            f"HS256 verifies in {fmt.us(hs256)}, but every verifier holds the secret that "
            "mints tokens"
        )
    session_sizes = sorted(s[0] for v, s in sizes.items() if v in sessions)
    token_sizes = sorted(s[0] for v, s in sizes.items() if v in tokens)
    if session_sizes and token_sizes:

        def span(values: list[int]) -> str:
            return f"{values[0]}" if values[0] == values[-1] else f"{values[0]}-{values[-1]}"

        evidence.append(
            f"the claims ride on every request: GET /me is {span(token_sizes)} B with a token "
            f"against {span(session_sizes)} B with a session id (signed, not encrypted: "
            "readable by whoever holds it)"
        )
    attacks = security_rows(run, "attacks")
    token_attacks = [
        r
        for r in attacks
        if str(r.get("variant", r.get("configuration", ""))).startswith("token")
        or str(r.get("configuration", "")).startswith("token")
    ]
    failed = [r for r in token_attacks if not r.get("passed")]
    if token_attacks:
        evidence.append(
            f"attack battery on tokens: {len(token_attacks) - len(failed)} of "
            f"{len(token_attacks)} forged, altered or replayed tokens handled as expected"
        )
    stolen = sorted(
        {
            base_configuration(str(r["configuration"]))
            for r in security_rows(run, "xss")
            if r.get("token_in_local_storage")
        }
    )
    if stolen:
        evidence.append(
            "an injected script stole the token kept in localStorage: " + ", ".join(stolen)
        )
    figures = ["bytes", "cpu"]
    source = "bench + security" if run.security else "bench"
    if failed:
        names = sorted({f"{r.get('configuration')}: {r.get('attack')}" for r in failed})
        return Claim(
            "tokens-transfer",
            claim,
            "refuted",
            "forged or altered tokens were accepted: " + ", ".join(names[:5]),
            evidence,
            figures,
            source,
        )
    reasons = []
    if not asymmetric:
        reasons.append("sharing the signing secret (only HS256 measured: a verifier can mint)")
    if stolen:
        reasons.append("where the client keeps the token (localStorage is readable by XSS)")
    if not token_attacks:
        reasons.append("the attack battery, not run with this report")
    if reasons:
        return Claim(
            "tokens-transfer", claim, "depends", "; ".join(reasons), evidence, figures, source
        )
    return Claim(
        "tokens-transfer",
        claim,
        "supported",
        "public-key verification was measured, every forged token was refused and none was "
        "stolen by XSS",
        evidence,
        figures,
        source,
    )


# --- 7. tokens are more robust for distributed systems in the cloud --------------------


def tokens_robust(run: RunData) -> Claim:
    claim = "Tokens are more robust for distributed systems in the cloud."
    rows = _scale_rows(run)
    stats = {s.variant: s for s in outage_stats(run)}
    if not rows and not stats:
        return _not_measured("tokens-robust", claim, "the scale-out and outage experiments")
    evidence = []
    for variant, row in rows.items():
        evidence.append(
            f"scale-out, {row.get('instances')} instances: {variant} "
            f"{fmt.pct(row.get('failure_rate'))} failed"
        )
    for stat in stats.values():
        success = "no answer" if stat.success_rate is None else f"{fmt.pct(stat.success_rate)} OK"
        recovered = (
            ""
            if stat.recovered_after_s is None
            else f", normal again {stat.recovered_after_s} s after"
        )
        slowest = (
            "" if stat.slowest_us is None else f", slowest answer {fmt.ms(stat.slowest_us, 1)}"
        )
        evidence.append(
            f"store down ({stat.seconds_down} s): {stat.variant} {success}, "
            f"{fmt.pct(stat.goodput)} of its normal throughput{slowest}{recovered}"
        )
    figures = ["outage", "scale-out"]
    shared_sessions = [
        v
        for v in rows
        if run.variant_info(v).get("kind") == "session"
        and run.variant_info(v).get("store") not in ("memory", "-", None)
    ]
    shared_scales = all(
        (number(rows[v].get("failure_rate")) or 0.0) <= WORKS for v in shared_sessions
    )
    token_rows = [v for v in rows if run.variant_info(v).get("kind") == "token"]
    tokens_scale = all((number(rows[v].get("failure_rate")) or 0.0) <= WORKS for v in token_rows)
    stateless = [v for v in stats if run.variant_info(v).get("state") == "client"]
    denylist = [v for v in stats if run.variant_info(v).get("state") == "client+server"]
    session_out = [v for v in stats if run.variant_info(v).get("kind") == "session"]
    if stateless and session_out:
        tokens_carry_on = all(stats[v].goodput >= CARRIES_ON for v in stateless)
        sessions_carry_on = all(stats[v].goodput >= CARRIES_ON for v in session_out)
        if not tokens_carry_on or sessions_carry_on:
            return Claim(
                "tokens-robust",
                claim,
                "refuted",
                "tokens did not ride out the store outage better than sessions",
                evidence,
                figures,
            )
        if shared_sessions and not shared_scales:
            return Claim(
                "tokens-robust",
                claim,
                "supported",
                "sessions failed both on several instances and when their store was down",
                evidence,
                figures,
            )
        condition = (
            "the session store's availability: sessions in a shared store scale out "
            + ("as well" if shared_sessions else "(not measured here)")
            + ", but stop answering while it is down, when stateless tokens carry on"
        )
        if denylist:
            held = all(stats[v].goodput >= CARRIES_ON for v in denylist)
            condition += "; a deny list " + (
                "kept working" if held else "brings the dependency back"
            )
        return Claim("tokens-robust", claim, "depends", condition, evidence, figures)
    # Scale-out alone.
    if not tokens_scale:
        return Claim(
            "tokens-robust",
            claim,
            "refuted",
            "tokens failed on several instances",
            evidence,
            figures,
        )
    if shared_sessions and shared_scales:
        return Claim(
            "tokens-robust",
            claim,
            "depends",
            "where the sessions live: sessions in a shared store scale out as well "
            "(the outage experiment did not run)",
            evidence,
            figures,
        )
    return _not_measured("tokens-robust", claim, "the outage experiment did not run")


# --- 8. token-based authentication is "much better and efficient" --------------------


def tokens_much_better(run: RunData) -> Claim:
    claim = 'Token-based authentication is "much better and efficient".'
    sessions, tokens = _sessions(run), _stateless_tokens(run)
    if not sessions or not tokens:
        return _not_measured("tokens-better", claim, "needs session and token variants")

    def best(names: list[str], column: str, highest: bool) -> tuple[str, Measure] | None:
        found = [(n, Measure.of(run.summary_row(n), column)) for n in names]
        clean = [(n, m) for n, m in found if m is not None]
        if not clean:
            return None
        return (max if highest else min)(clean, key=lambda item: item[1].median)

    def cheapest(names: list[str]) -> tuple[str, Measure] | None:
        found = [(n, total_cpu(run, n)) for n in names]
        clean = [(n, m) for n, m in found if m is not None]
        return min(clean, key=lambda item: item[1].median) if clean else None

    session_rps = best(sessions, "max_throughput_rps", highest=True)
    token_rps = best(tokens, "max_throughput_rps", highest=True)
    session_cpu, token_cpu = cheapest(sessions), cheapest(tokens)
    evidence: list[str] = []
    wins = []
    saturated = _saturation_note(run, sessions + tokens)
    if session_rps and token_rps and not saturated:
        gain = token_rps[1].median / session_rps[1].median if session_rps[1].median else None
        evidence.append(
            f"maximum throughput: best token {token_rps[0]} {fmt.rps(token_rps[1].median)}, "
            f"best session {session_rps[0]} {fmt.rps(session_rps[1].median)} "
            f"({fmt.ratio(gain)})"
        )
        wins.append(
            compare(token_rps[1], session_rps[1], SIMILAR) == "higher" and (gain or 0) >= MUCH
        )
    if session_cpu and token_cpu:
        gain = session_cpu[1].median / token_cpu[1].median if token_cpu[1].median else None
        evidence.append(
            f"CPU per request: cheapest token {token_cpu[0]} {fmt.us(token_cpu[1].median)}, "
            f"cheapest session {session_cpu[0]} {fmt.us(session_cpu[1].median)} "
            f"(sessions {fmt.ratio(gain)})"
        )
        wins.append(
            compare(session_cpu[1], token_cpu[1], SIMILAR) == "higher" and (gain or 0) >= MUCH
        )
    evidence += saturated
    if not wins:
        return _not_measured("tokens-better", claim, "no throughput or CPU was measured")
    figures = ["throughput", "cpu", "security"]
    if not all(wins):
        return Claim(
            "tokens-better",
            claim,
            "refuted",
            f"tokens were not {fmt.TIMES}{MUCH} better on every measured figure",
            evidence,
            figures,
        )
    caveats = []
    revocation = security_rows(run, "revocation")
    if any(r.get("bounded_by") in ("exp", "delayed", "not revoked") for r in revocation):
        caveats.append("logout that waits for exp")
    if any(r.get("token_in_local_storage") for r in security_rows(run, "xss")):
        caveats.append("token theft by XSS")
    if not run.security:
        caveats.append("the security trade-offs, not measured in this run")
    if caveats:
        return Claim(
            "tokens-better",
            claim,
            "depends",
            "whether the price is acceptable: " + ", ".join(caveats),
            evidence,
            figures,
        )
    return Claim(
        "tokens-better",
        claim,
        "supported",
        f"tokens were {fmt.TIMES}{MUCH} better and showed no security trade-off",
        evidence,
        figures,
    )


RULES: tuple[Callable[[RunData], Claim], ...] = (
    sessions_heavy_load,
    memory_scalability,
    sessions_csrf,
    tokens_stateless,
    tokens_less_csrf,
    tokens_transfer,
    tokens_robust,
    tokens_much_better,
)


def claims(run: RunData) -> list[Claim]:
    """The claims table of a run, in the article's order."""
    return [rule(run) for rule in RULES]
