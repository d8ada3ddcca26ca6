"""A small, fixed results folder written the way the harness writes one.

The phase rows go through the harness's own derive functions and Table
writer, with real encoded HdrHistograms, so that the report reads exactly
what a bench run leaves; only the numbers are made up (and known).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram

from authlab.bench import derive
from authlab.bench.growing_csv import Table
from authlab.bench.variants import VARIANTS

START = 1_800_000_000.0
VARIANTS_SMALL = ("baseline", "session-redis", "token-hs256")
# Server CPU per request (µs) and median latency (µs) of each variant: the known answers.
CPU_US = {"baseline": 200.0, "session-redis": 450.0, "token-hs256": 380.0}
LATENCY_US = {"baseline": 1000, "session-redis": 1500, "token-hs256": 1400}
STEP_RPS = {"baseline": 4000, "session-redis": 2000, "token-hs256": 1700}
# GET /me alone (the lean phases me-closed and me-rate): server CPU per request (µs), and
# the store's, so that the GET-only figures differ from the mixed ones and are told apart.
ME_CPU_US = {"baseline": 60.0, "session-redis": 190.0, "token-hs256": 150.0}
ME_RPS = {"baseline": 9000, "session-redis": 4500, "token-hs256": 5200}
REQUESTS = ("GET /me", "POST /transfer", "POST /login")


def _histogram(rng: random.Random, median: int, count: int) -> tuple[HdrHistogram, float]:
    """A histogram like the load generator's, and the mean of what it holds."""
    histogram = HdrHistogram(1, 60_000_000, 3)
    values = [max(1, int(rng.lognormvariate(0, 0.4) * median)) for _ in range(count)]
    for value in values:
        histogram.record_value(value)
    return histogram, sum(values) / len(values)


def _summary(made: tuple[HdrHistogram, float]) -> dict[str, Any]:
    # hdrh's get_mean_value walks every bucket: slow, so the mean comes from the values.
    histogram, mean = made
    return {
        "count": histogram.get_total_count(),
        "min_us": histogram.get_min_value(),
        "mean_us": mean,
        "p50_us": histogram.get_value_at_percentile(50),
        "p90_us": histogram.get_value_at_percentile(90),
        "p99_us": histogram.get_value_at_percentile(99),
        "p999_us": histogram.get_value_at_percentile(99.9),
        "max_us": histogram.get_max_value(),
        "encoded": histogram.encode().decode("ascii"),
    }


def _hdr(
    rng: random.Random, median: int, per_second: list[list[int]], busy: float
) -> dict[str, Any]:
    total = sum(ok + failed for _, ok, failed in per_second)
    counts = {"GET /me": total * 3 // 4, "POST /transfer": total // 4 - 4, "POST /login": 4}
    data: dict[str, Any] = {"service": {}, "corrected": {}, "response_bytes": {}}
    for name, count in counts.items():
        # Enough values for smooth percentiles (GET /me: enough to carry a p99, 10
        # beyond it), few enough to write quickly.
        values = min(max(count, 1), 1200 if name == "GET /me" else 200)
        data["service"][name] = _summary(_histogram(rng, median, values))
        data["corrected"][name] = _summary(_histogram(rng, int(median * 1.3), values))
        data["response_bytes"][name] = {"bytes": 170 * count, "count": count}
    data["per_second"] = per_second
    wall = float(len(per_second))
    data["generator"] = {"cpu_seconds": busy * wall, "wall_seconds": wall, "processes": 1}
    return data


def _phases(variant: str, repetition: int) -> list[tuple[str, str, int]]:
    """(phase, scenario, requests per second) for one variant in one repetition."""
    phases = [
        ("me-closed", "me_only", ME_RPS[variant]),
        # The same totals as the closed loop: the same per-repetition figures as before the
        # matched load (CPU per request moved from me-closed to me-rate).
        ("me-rate", "me_only", ME_RPS[variant]),
        ("fixed-rate", "browse", 100),
        ("step", "browse", STEP_RPS[variant]),
    ]
    if repetition == 0:
        phases += [("login-storm", "login_storm", 30), ("logout-churn", "logout_churn", 1000)]
        if variant.startswith("token"):
            phases.append(("refresh", "refresh", 2000))
    return phases


def write_run(
    root: Path,
    *,
    variants: tuple[str, ...] = VARIANTS_SMALL,
    repetitions: int = 2,
    saturated: bool = False,
    security: dict[str, Any] | None = None,
    run_id: str = "20300101-000000-bench-test",
    resident: bool = False,
) -> Path:
    """Write a complete results folder under root and return it."""
    directory = root / run_id
    raw = directory / "raw"
    raw.mkdir(parents=True)
    rng = random.Random(7)
    tables = {
        name: Table(directory / f"{name}.csv")
        for name in (
            *("phases", "latency", "wire", "verification", "primitives"),
            *("sessions_at_scale", "scale_out", "outage"),
        )
    }
    clock = START
    for repetition in range(repetitions):
        for variant in variants:
            for phase, scenario, rate in _phases(variant, repetition):
                per_second = [[int(clock) + s, rate + 10 * repetition, 0] for s in range(4)]
                busy = 0.95 if saturated and phase == "step" else 0.5
                hdr = _hdr(rng, LATENCY_US[variant], per_second, busy)
                place = raw / variant / f"rep{repetition}" / phase
                place.mkdir(parents=True)
                (place / "hdr.json").write_text(json.dumps(hdr))
                total = sum(ok for _, ok, _ in per_second)
                cpu = 32_000.0 if phase == "login-storm" else CPU_US[variant]
                if phase.startswith("me-"):
                    cpu = ME_CPU_US[variant]
                row: dict[str, Any] = {
                    "variant": variant,
                    "phase": phase,
                    "scenario": scenario,
                    "started": clock,
                    "duration_s": 4.0,
                    "locust_exit": 0,
                    "locust_cpu_s": busy * 4,
                    "generator_busy": busy,
                    "generator_saturated": busy > derive.GENERATOR_SATURATION,
                    "server_cpu_s": cpu * total / 1e6,
                    "repetition": repetition,
                }
                if VARIANTS[variant].needs_redis and variant != "baseline":
                    commands = 1.0 if variant.startswith("session") else 0.02
                    row.update(
                        redis_cpu_s=(20.0 if variant.startswith("session") else 2.0) * total / 1e6,
                        redis_commands=int(commands * total),
                        redis_used_memory=1_400_000,
                        redis_keys=40,
                    )
                tables["phases"].add(derive.phase_figures(row, hdr))
                base = {"variant": variant, "repetition": repetition, "phase": phase}
                tables["latency"].add(*derive.latency_rows(base, hdr))
                clock += 5
    summary = derive.summarise_variants(tables["phases"].rows)
    Table(directory / "summary.csv").add(*summary)
    for variant in variants:
        credential = {"baseline": 0, "session-redis": 208, "token-hs256": 368}[variant]
        tables["wire"].add(
            {"variant": variant, "request": "POST /login", "request_bytes": 181,
             "response_bytes": 202 + 2 * credential},
            {"variant": variant, "request": "GET /me", "request_bytes": 96 + credential,
             "response_bytes": 169},
            {"variant": variant, "request": "POST /transfer", "request_bytes": 188 + credential,
             "response_bytes": 194},
        )  # fmt: skip
        tables["verification"].add({"variant": variant, "ok": True, "detail": ""})
    tables["primitives"].add(
        {"group": "credential check", "primitive": "itsdangerous unsign (session id)",
         "us_per_op": 7.0, "us_min": 6.0, "us_max": 8.0, "iterations": 1000},
        {"group": "credential check", "primitive": "JWT verify HS256 (PyJWT + header checks)",
         "us_per_op": 120.0, "us_min": 110.0, "us_max": 130.0, "iterations": 1000},
        {"group": "credential check", "primitive": "JWT verify RS256 (PyJWT + header checks)",
         "us_per_op": 140.0, "us_min": 130.0, "us_max": 150.0, "iterations": 1000},
        {"group": "store lookup", "primitive": "Redis GET, asyncio (redis-py + hiredis)",
         "us_per_op": 100.0, "us_min": 90.0, "us_max": 110.0, "iterations": 1000},
        {"group": "login", "primitive": "argon2id verify (OWASP m=19MiB t=2 p=1)",
         "us_per_op": 22000.0, "us_min": 21000.0, "us_max": 23000.0, "iterations": 9},
    )  # fmt: skip
    for count in (1000, 10000):
        for store, per in (
            ("memory", 360),
            ("sqlite", 370),
            ("redis", 880),
            ("token refresh families (redis)", 520),
            ("token deny list (redis)", 144),
            ("token access (no deny list)", 0),
        ):
            tables["sessions_at_scale"].add(
                {"store": store, "sessions": count, "bytes_total": per * count,
                 "bytes_per_session": float(per), "seconds_to_create": count / 5000}
            )  # fmt: skip
    tables["scale_out"].add(
        {"variant": "session-memory", "instances": 2, "requests": 640, "failed": 320,
         "failure_rate": 0.5, "expected_if_state_is_local": 0.5},
        {"variant": "session-redis", "instances": 2, "requests": 645, "failed": 0,
         "failure_rate": 0.0, "expected_if_state_is_local": 0.0},
    )  # fmt: skip
    for variant, during in (("session-redis", (0, 8)), ("token-hs256", (80, 0))):
        # The outage run's own latencies: the session server waits for its store.
        place = raw / variant / "rep0" / "outage"
        place.mkdir(parents=True)
        stalled = 2_000_000 if variant.startswith("session") else 1500
        per_second = [[int(START) + s, 80, 0] for s in range(8)]
        (place / "hdr.json").write_text(json.dumps(_hdr(rng, stalled, per_second, 0.2)))
        for second in range(8):
            down = 1.0 if second in (3, 4) else 0.0
            ok, failed = during if down else (80, 0)
            tables["outage"].add(
                {"variant": variant, "second": second, "ok": ok, "failed": failed,
                 "success_rate": ok / (ok + failed) if ok + failed else None, "store_down": down}
            )  # fmt: skip
    _samples(raw, variants)
    overhead = Table(directory / "overhead.csv")
    for variant, plain, ratio in (
        ("baseline", 52.0, 1.08),
        ("session-redis", 170.0, 1.10),
        ("token-hs256", 120.0, 1.25),
    ):
        overhead.add(
            {"variant": variant, "plain_us": plain, "authlab_us": plain * ratio, "ratio": ratio,
             "ratio_min": ratio - 0.02, "ratio_max": ratio + 0.03, "repetitions": 2}
        )  # fmt: skip
    if resident:
        table = Table(directory / "resident_sessions.csv")
        for store, cpu in (("redis", 190.0), ("memory", 120.0), ("sqlite", 260.0)):
            for index, count in enumerate((1000, 100_000, 1_000_000)):
                table.add(
                    {"store": store, "sessions": count,
                     "server_cpu_us_per_request": cpu * (1 + 0.02 * index),
                     "p50_us": 900 + 10 * index, "p99_us": 3000 + 100 * index, "requests": 5000}
                )  # fmt: skip
    profile = {
        "name": "synthetic",
        "variants": list(variants),
        "repetitions": repetitions,
        "phases": [{"name": p} for p in ("fixed-rate", "step", "login-storm", "logout-churn")],
    }
    manifest = {
        "run_id": run_id,
        "kind": "bench",
        "started_at": "2030-01-01T00:00:00+0000",
        "git_commit": "0" * 40,
        "machine": {"hostname": "test", "platform": "Linux-test", "cpu_count_logical": 2,
                    "memory_bytes": 8 * 2**30, "python": "3.11"},
        "versions": {"pandas": "x", "matplotlib": "y"},
        "configuration": {
            "profile": profile,
            "variants": [VARIANTS[v].describe() for v in variants],
            "core_plan": {"locust": [0], "server": [1], "redis": [1]},
            "argon2": {"servers": "OWASP defaults"},
        },
    }  # fmt: skip
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    warnings = ["the load generator ran above 90% of a core in some phases"] if saturated else []
    status = {"interrupted": False, "warnings": warnings, "finished_at": "2030-01-01T00:02:00+0000"}
    (directory / "status.json").write_text(json.dumps(status))
    if security is not None:
        (directory / "security.json").write_text(json.dumps(security))
    return directory


def _samples(raw: Path, variants: tuple[str, ...]) -> None:
    with open(raw / "process_samples.csv", "w") as handle:
        handle.write("time,label,role,name,pid,cpu_seconds,rss_bytes\n")
        for second in range(12):
            for index, variant in enumerate(variants):
                rss = 0 if second == 11 else (70 + index * 5 + second) * 2**20  # stopped at the end
                handle.write(
                    f"{START + second:.3f},rep 1,server,server-{variant},{100 + index},"
                    f"{second * 0.3:.4f},{rss}\n"
                )
    with open(raw / "redis_samples.csv", "w") as handle:
        handle.write("time,label,name,used_memory,keys,ops_per_sec,total_commands,cpu_seconds\n")
        for second in range(12):
            for variant in variants:
                if variant == "baseline":
                    continue
                ops = 2000 if variant.startswith("session") and 3 <= second <= 6 else 5
                handle.write(
                    f"{START + second:.3f},rep 1,{variant},{1_200_000 + 1000 * second},"
                    f"{second},{ops},{ops * second},{0.01 * second:.4f}\n"
                )


# --- a security.json the way the lab writes one (the parts the report reads) ----------

_CONFIGS = {
    # name: (variant, transport, samesite, csrf, revocation)
    "session-lax-csrf-on": ("session", "cookie", "lax", True, None),
    "session-none-csrf-off": ("session", "cookie", "none", False, None),
    "token-header": ("token", "header", None, None, "none"),
    "token-header-denylist": ("token", "header", None, None, "denylist"),
    "token-cookie-none-csrf-off": ("token", "cookie", "none", False, "none"),
}


def security_document(
    exploited: set[str] | None = None,
    configurations: tuple[str, ...] = tuple(_CONFIGS),
    failed_attacks: set[str] | None = None,
    stolen: set[str] | None = None,
) -> dict[str, Any]:
    """A security.json document: `exploited` configurations lose the forged transfer,
    `stolen` ones have their token read by XSS, `failed_attacks` accept a forged token."""
    exploited = (
        {"session-none-csrf-off", "token-cookie-none-csrf-off"} if exploited is None else exploited
    )
    stolen = (
        {c for c in configurations if c.startswith("token-header")} if stolen is None else stolen
    )
    failed_attacks = failed_attacks or set()
    configs = []
    csrf, xss, revocation, attacks = [], [], [], []
    for name in configurations:
        variant, transport, samesite, csrf_on, revoke = _CONFIGS[name]
        configs.append(
            {"name": name, "variant": variant, "transport": transport, "samesite": samesite,
             "csrf": csrf_on, "revocation": revoke}
        )  # fmt: skip
        for vector in ("form", "fetch"):
            hit = name in exploited and vector == "form"
            csrf.append(
                {"configuration": name, "vector": vector, "cookie_sent": hit,
                 "transfer_happened": hit, "expected_exploitable": hit, "passed": True,
                 "server_saw": {"status": 200 if hit else 401}}
            )  # fmt: skip
        xss.append(
            {"configuration": name, "token_in_local_storage": name in stolen,
             "credential_cookie_visible": False, "same_origin_transfer_status": 200,
             "document_cookie_names": [], "passed": True}
        )  # fmt: skip
        immediate = variant == "session" or revoke == "denylist"
        revocation.append(
            {"configuration": f"{name}@ttl4" if variant == "token" else name, "event": "logout",
             "works_for_s": 0.0 if immediate else 3.9,
             "credential_lifetime_s": None if variant == "session" else 4.0,
             "bounded_by": "immediate" if immediate else "exp",
             "display": "0 s" if immediate else "3.9 s", "passed": True}
        )  # fmt: skip
        attacks.append(
            {"configuration": name, "attack": "alg_none", "variant": f"{variant}-{transport}",
             "expected": "4xx", "observed": 200 if name in failed_attacks else 401,
             "passed": name not in failed_attacks, "detail": ""}
        )  # fmt: skip
    return {
        "schema_version": 1,
        "run_id": "20300101-000100-security-test",
        "created_at": "2030-01-01T00:01:00+0000",
        "quick": True,
        "sections": ["attacks", "csrf_browser", "xss", "revocation"],
        "environment": {"chromium": "156"},
        "configurations": configs,
        "attacks": attacks,
        "csrf_browser": {"browser": "chromium", "attacker_origin": "http://127.0.0.1:1",
                         "notes": ["a note"], "results": csrf},
        "xss": xss,
        "revocation": revocation,
        "hardening": {"skipped": "not run"},
        "summary": {
            "all_passed": not failed_attacks,
            "attacks": {"total": len(attacks), "passed": len(attacks) - len(failed_attacks),
                        "failed": sorted(failed_attacks)},
            "matrix": [{"configuration": c["name"], "samesite": c["samesite"], "csrf": c["csrf"],
                        "csrf_form": "EXPLOITED" if c["name"] in exploited else "no"}
                       for c in configs],
            "claims": [],
        },
    }  # fmt: skip
