"""The verdict rules against crafted data whose answers are known."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from authlab.bench.variants import VARIANTS
from reports.fmt import TIMES
from reports.load import RunData, load_run
from reports.verdicts import (
    claims,
    memory_scalability,
    sessions_csrf,
    sessions_heavy_load,
    tokens_less_csrf,
    tokens_much_better,
    tokens_robust,
    tokens_stateless,
    tokens_transfer,
)
from tests.reports.synthetic import security_document


def row(
    variant: str,
    server: float,
    store: float | None = None,
    spread: tuple[float, float] | None = None,
    rps: float | None = None,
    saturated: bool = False,
) -> dict[str, Any]:
    low, high = spread or (server, server)
    return {
        "variant": variant,
        "server_cpu_us_per_request": server,
        "server_cpu_us_per_request_min": low,
        "server_cpu_us_per_request_max": high,
        "store_cpu_us_per_request": store,
        "max_throughput_rps": rps,
        "max_throughput_rps_min": rps,
        "max_throughput_rps_max": rps,
        "login_server_cpu_us": 30_000.0,
        "generator_saturated": saturated,
    }


def crafted(summary: list[dict[str, Any]], **tables: Any) -> RunData:
    """A RunData from summary rows and any other tables (lists of dicts)."""
    names = [r["variant"] for r in summary]
    frames = {k: pd.DataFrame(v) if isinstance(v, list) else v for k, v in tables.items()}
    return RunData(
        directory=Path("/nonexistent"),
        summary=pd.DataFrame(summary),
        variants=pd.DataFrame([asdict(VARIANTS[n]) for n in names]),
        **frames,
    )


def scale_out(memory: float, redis: float | None = 0.0) -> list[dict[str, Any]]:
    rows = [
        {"variant": "session-memory", "instances": 2, "requests": 100,
         "failure_rate": memory, "expected_if_state_is_local": 0.5},
    ]  # fmt: skip
    if redis is not None:
        rows.append(
            {"variant": "session-redis", "instances": 2, "requests": 100,
             "failure_rate": redis, "expected_if_state_is_local": 0.0}
        )  # fmt: skip
    return rows


def outage(session_ok: int, token_ok: int, denylist_ok: int | None = None) -> list[dict[str, Any]]:
    """8 seconds at 80 requests/s; the store is down in seconds 3 and 4, where each variant
    answers `*_ok` requests OK (and fails the rest of 80)."""
    rows = []
    variants = [("session-redis", session_ok), ("token-hs256", token_ok)]
    if denylist_ok is not None:
        variants.append(("token-hs256-denylist", denylist_ok))
    for variant, during in variants:
        for second in range(8):
            down = 1.0 if second in (3, 4) else 0.0
            ok = during if down else 80
            rows.append(
                {"variant": variant, "second": second, "ok": ok, "failed": 80 - ok,
                 "store_down": down}
            )  # fmt: skip
    return rows


SESSION_TOKEN = ("session-redis", "token-hs256")


# --- 1. sessions put a heavy load on the server ---------------------------------------


def test_sessions_heavy_is_supported_when_every_session_costs_half_again_more() -> None:
    run = crafted([row("session-redis", 900, 30), row("token-hs256", 380, 2)])
    claim = sessions_heavy_load(run)
    assert claim.verdict == "supported"
    assert any("session-redis: 930 µs" in line for line in claim.evidence)


def test_sessions_heavy_is_refuted_when_costs_are_within_the_margin() -> None:
    claim = sessions_heavy_load(crafted([row("session-redis", 400, 20), row("token-hs256", 380)]))
    assert claim.verdict == "refuted"


def test_sessions_heavy_overlapping_spreads_count_as_equal() -> None:
    # Medians 2x apart, but the repetitions overlap: no difference can be claimed.
    run = crafted(
        [
            row("session-redis", 800, spread=(300, 1200)),
            row("token-hs256", 400, spread=(350, 900)),
        ]
    )
    assert sessions_heavy_load(run).verdict == "refuted"


def test_sessions_heavy_depends_on_what_heavy_means_between_the_margins() -> None:
    claim = sessions_heavy_load(crafted([row("session-redis", 500), row("token-hs256", 380)]))
    assert claim.verdict == "depends"
    assert claim.condition.startswith("what counts as heavy")
    assert f"{TIMES}1.3" in claim.condition


def test_sessions_heavy_depends_on_the_store_when_session_variants_disagree() -> None:
    run = crafted([row("session-redis", 390), row("session-sqlite", 1500), row("token-hs256", 380)])
    claim = sessions_heavy_load(run)
    assert claim.verdict == "depends"
    assert claim.condition.startswith("the session store")
    assert "session-sqlite" in claim.condition


def test_sessions_heavy_depends_on_the_algorithm_when_token_variants_disagree() -> None:
    run = crafted([row("session-redis", 700), row("token-hs256", 380), row("token-eddsa", 690)])
    claim = sessions_heavy_load(run)
    assert claim.verdict == "depends"
    assert "token-eddsa" in claim.condition


def test_sessions_heavy_not_measured_without_tokens() -> None:
    claim = sessions_heavy_load(crafted([row("session-redis", 500), row("baseline", 200)]))
    assert claim.verdict == "not measured"
    assert claim.label == "not measured in this run"


# --- 2. sessions in server memory are a scalability problem ---------------------------


def test_memory_depends_on_where_sessions_live_when_a_shared_store_works() -> None:
    claim = memory_scalability(crafted([row("session-redis", 400)], scale_out=scale_out(0.48)))
    assert claim.verdict == "depends"
    assert "where the sessions live" in claim.condition
    assert "session-redis" in claim.condition


def test_memory_supported_when_local_sessions_break_and_no_shared_store_was_tried() -> None:
    run = crafted([row("session-redis", 400)], scale_out=scale_out(0.5, redis=None))
    assert memory_scalability(run).verdict == "supported"


def test_memory_supported_when_the_shared_store_fails_too() -> None:
    run = crafted([row("session-redis", 400)], scale_out=scale_out(0.5, redis=0.3))
    assert memory_scalability(run).verdict == "supported"


def test_memory_refuted_when_local_sessions_keep_working() -> None:
    # Sticky routing, say: in-process sessions did not break.
    run = crafted([row("session-redis", 400)], scale_out=scale_out(0.02))
    assert memory_scalability(run).verdict == "refuted"


def test_memory_not_measured_without_the_experiment() -> None:
    assert memory_scalability(crafted([row("session-redis", 400)])).verdict == "not measured"


# --- 3 and 5. CSRF, from the security lab ---------------------------------------------


def test_csrf_claims_are_not_measured_without_security_results() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN])
    for rule in (sessions_csrf, tokens_less_csrf):
        claim = rule(run)
        assert claim.verdict == "not measured"
        assert claim.source == "security"


def test_csrf_follows_the_cookie_settings_not_session_vs_token() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], security=None)
    run.security = security_document()
    sessions = sessions_csrf(run)
    assert sessions.verdict == "depends"
    assert "SameSite=none with no CSRF check" in sessions.condition
    assert "token in a cookie" in sessions.condition
    tokens = tokens_less_csrf(run)
    assert tokens.verdict == "depends"
    assert tokens.condition.startswith("how the token travels")


def test_sessions_csrf_supported_when_every_session_configuration_falls() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN])
    run.security = security_document(exploited={"session-lax-csrf-on", "session-none-csrf-off"})
    assert sessions_csrf(run).verdict == "supported"
    # ... and tokens, none exploited, then do carry less risk.
    assert tokens_less_csrf(run).verdict == "supported"


def test_csrf_refuted_when_nothing_is_exploited() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN])
    run.security = security_document(exploited=set())
    assert sessions_csrf(run).verdict == "refuted"
    assert tokens_less_csrf(run).verdict == "refuted"


def test_tokens_csrf_refuted_when_a_header_token_is_exploited() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN])
    run.security = security_document(exploited={"session-none-csrf-off", "token-header"})
    assert tokens_less_csrf(run).verdict == "refuted"


def test_short_lived_twins_count_for_their_configuration() -> None:
    document = security_document(exploited=set())
    document["csrf_browser"]["results"].append(
        {"configuration": "session-lax-csrf-on@ttl4", "vector": "form", "transfer_happened": True}
    )
    run = crafted([row(v, 400) for v in SESSION_TOKEN])
    run.security = document
    claim = sessions_csrf(run)
    assert "session-lax-csrf-on" in claim.evidence[0]
    assert "@ttl4" not in claim.evidence[0]


# --- 4. tokens do not load the server and need nothing stored -------------------------

SCALE = [
    {"store": "token refresh families (redis)", "sessions": 1000, "bytes_per_session": 520.0},
    {"store": "token access (no deny list)", "sessions": 1000, "bytes_per_session": 0.0},
]


def test_tokens_free_refuted_when_the_check_costs_cpu() -> None:
    run = crafted([row("baseline", 216), row("token-hs256", 383)], sessions_at_scale=SCALE)
    claim = tokens_stateless(run)
    assert claim.verdict == "refuted"
    assert "refresh-token families" in claim.condition
    assert any("77%" in line for line in claim.evidence)


def test_tokens_free_depends_on_refresh_and_logout_when_the_check_is_light() -> None:
    run = crafted([row("baseline", 216), row("token-hs256", 225)], sessions_at_scale=SCALE)
    claim = tokens_stateless(run)
    assert claim.verdict == "depends"
    assert claim.condition.startswith("whether refresh and logout must work")


def test_tokens_free_supported_when_light_and_nothing_stored() -> None:
    run = crafted([row("baseline", 216), row("token-hs256", 225)])
    assert tokens_stateless(run).verdict == "supported"


def test_tokens_free_needs_the_baseline() -> None:
    assert tokens_stateless(crafted([row("token-hs256", 225)])).verdict == "not measured"


# --- 6. tokens transfer information more conveniently and securely ---------------------

PRIMITIVES = [
    {"primitive": "JWT verify HS256 (PyJWT + header checks)", "us_per_op": 120.0},
    {"primitive": "JWT verify RS256 (PyJWT + header checks)", "us_per_op": 140.0},
]


def test_transfer_refuted_when_a_forged_token_is_accepted() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], primitives=PRIMITIVES)
    run.security = security_document(failed_attacks={"token-header"})
    claim = tokens_transfer(run)
    assert claim.verdict == "refuted"
    assert "token-header: alg_none" in claim.condition


def test_transfer_depends_on_the_key_and_the_storage() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], primitives=PRIMITIVES[:1])
    claim = tokens_transfer(run)
    assert claim.verdict == "depends"
    assert "only HS256 measured" in claim.condition
    assert "attack battery" in claim.condition
    run.security = security_document()
    assert "localStorage" in tokens_transfer(run).condition


def test_transfer_supported_with_public_keys_no_theft_and_every_forgery_refused() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], primitives=PRIMITIVES)
    run.security = security_document(stolen=set())
    assert tokens_transfer(run).verdict == "supported"


# --- 7. tokens are more robust for distributed systems --------------------------------


def test_robust_depends_on_the_store_availability() -> None:
    run = crafted(
        [row(v, 400) for v in SESSION_TOKEN],
        scale_out=scale_out(0.5),
        outage=outage(session_ok=0, token_ok=80),
    )
    claim = tokens_robust(run)
    assert claim.verdict == "depends"
    assert "availability" in claim.condition
    assert "scale out as well" in claim.condition


def test_robust_mentions_the_deny_list_bringing_the_store_back() -> None:
    run = crafted(
        [row(v, 400) for v in (*SESSION_TOKEN, "token-hs256-denylist")],
        outage=outage(session_ok=0, token_ok=80, denylist_ok=0),
    )
    assert "brings the dependency back" in tokens_robust(run).condition


def test_robust_refuted_when_sessions_ride_out_the_outage_too() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], outage=outage(80, 80))
    assert tokens_robust(run).verdict == "refuted"


def test_robust_refuted_when_tokens_fail_in_the_outage() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], outage=outage(0, 10))
    assert tokens_robust(run).verdict == "refuted"


def test_robust_supported_when_shared_sessions_fail_to_scale_and_in_the_outage() -> None:
    run = crafted(
        [row(v, 400) for v in SESSION_TOKEN],
        scale_out=scale_out(0.5, redis=0.3),
        outage=outage(0, 80),
    )
    assert tokens_robust(run).verdict == "supported"


def test_robust_not_measured_without_either_experiment() -> None:
    assert tokens_robust(crafted([row(v, 400) for v in SESSION_TOKEN])).verdict == "not measured"


# --- 8. token-based authentication is "much better and efficient" --------------------


def test_much_better_refuted_when_sessions_are_faster() -> None:
    run = crafted([row("session-redis", 485, rps=1996), row("token-hs256", 383, rps=1670)])
    claim = tokens_much_better(run)
    assert claim.verdict == "refuted"
    assert any(f"{TIMES}0.84" in line for line in claim.evidence)


def test_much_better_depends_on_the_security_price_when_tokens_win() -> None:
    run = crafted([row("session-redis", 900, rps=1000), row("token-hs256", 300, rps=3000)])
    claim = tokens_much_better(run)
    assert claim.verdict == "depends"
    assert "not measured in this run" in claim.condition
    run.security = security_document()
    condition = tokens_much_better(run).condition
    assert "logout that waits for exp" in condition
    assert "XSS" in condition


def test_much_better_supported_when_tokens_win_and_security_shows_no_price() -> None:
    run = crafted([row("session-redis", 900, rps=1000), row("token-hs256", 300, rps=3000)])
    document = security_document(stolen=set())
    for entry in document["revocation"]:
        entry["bounded_by"] = "immediate"
    run.security = document
    assert tokens_much_better(run).verdict == "supported"


def test_much_better_ignores_throughput_of_a_saturated_generator() -> None:
    # The generator capped the sessions' throughput: only CPU per request counts.
    run = crafted(
        [
            row("session-redis", 900, rps=1000, saturated=True),
            row("token-hs256", 300, rps=1000, saturated=True),
        ]
    )
    claim = tokens_much_better(run)
    assert claim.verdict == "depends"
    assert not any(line.startswith("maximum throughput") for line in claim.evidence)
    assert any("caution" in line for line in claim.evidence)


# --- the table as a whole -------------------------------------------------------------


def test_every_claim_of_the_article_gets_one_row(synthetic_run: Path) -> None:
    table = claims(load_run(synthetic_run))
    assert [c.id for c in table] == [
        "sessions-heavy",
        "memory-scalability",
        "sessions-csrf",
        "tokens-free",
        "tokens-csrf",
        "tokens-transfer",
        "tokens-robust",
        "tokens-better",
    ]
    for claim in table:
        assert claim.verdict in ("supported", "refuted", "depends", "not measured")
        assert claim.evidence
        if claim.verdict == "depends":
            assert claim.label.startswith("depends on ") and claim.condition


@pytest.mark.parametrize("with_security", [False, True])
def test_the_synthetic_run_gives_its_known_verdicts(
    synthetic_run: Path, tmp_path: Path, with_security: bool
) -> None:
    security = None
    if with_security:
        security = tmp_path / "security.json"
        import json

        security.write_text(json.dumps(security_document()))
    table = {c.id: c for c in claims(load_run(synthetic_run, security))}
    verdicts = {name: claim.verdict for name, claim in table.items()}
    # The outage run's raw latencies say how long the session server kept requests waiting.
    stall = [line for line in table["tokens-robust"].evidence if "session-redis 0% OK" in line]
    assert stall and "slowest answer" in stall[0]
    # 450+20 µs against 380+2 µs: 1.23 times, inside the 25% margin.
    assert verdicts["sessions-heavy"] == "refuted"
    assert verdicts["memory-scalability"] == "depends"
    assert verdicts["tokens-free"] == "refuted"
    assert verdicts["tokens-robust"] == "depends"
    assert verdicts["tokens-better"] == "refuted"
    expected_csrf = "depends" if with_security else "not measured"
    assert verdicts["sessions-csrf"] == verdicts["tokens-csrf"] == expected_csrf
