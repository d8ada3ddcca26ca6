"""Login hardening: unknown user vs wrong password, the brute-force throttle, and
session-id entropy.

Timing: a server with the default argon2id cost answers N logins for unknown
names and N wrong passwords for existing accounts, interleaved in a seeded
random order; a two-sided Mann-Whitney U test asks whether the two latency
samples differ. The accounts come from `authlab users seed`, enough of them
that none reaches the throttle's limit.
"""

from __future__ import annotations

import base64
import math
import random
import secrets
import statistics
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import httpx

from authlab.security.lab_servers import LabServer

PASSWORD = "correct horse battery staple"
ALPHA = 0.01
_VOLATILE_HEADERS = frozenset({"date"})


def mann_whitney_u(a: list[float], b: list[float]) -> dict[str, float]:
    """Two-sided Mann-Whitney U with the normal approximation, tie and continuity corrected."""
    n1, n2 = len(a), len(b)
    pooled = sorted([(value, 0) for value in a] + [(value, 1) for value in b])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    start = 0
    while start < len(pooled):
        end = start
        while end + 1 < len(pooled) and pooled[end + 1][0] == pooled[start][0]:
            end += 1
        for index in range(start, end + 1):
            ranks[index] = (start + end) / 2 + 1
        size = end - start + 1
        ties += size**3 - size
        start = end + 1
    rank_sum_a = sum(rank for rank, (_, group) in zip(ranks, pooled, strict=True) if group == 0)
    u = rank_sum_a - n1 * (n1 + 1) / 2
    n = n1 + n2
    mean = n1 * n2 / 2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return {"u": u, "z": 0.0, "p_value": 1.0, "effect_size": 0.5}
    z = (abs(u - mean) - 0.5) / math.sqrt(variance)
    p_value = math.erfc(max(z, 0.0) / math.sqrt(2))
    # Probability that a random unknown-user login is slower than a wrong-password one.
    return {"u": u, "z": z, "p_value": min(1.0, p_value), "effect_size": u / (n1 * n2)}


def _signature(response: httpx.Response) -> str:
    headers = sorted(
        (key, value) for key, value in response.headers.items() if key not in _VOLATILE_HEADERS
    )
    return f"{response.status_code} {headers} {response.content!r}"


def _seed(server: LabServer, prefix: str, count: int) -> None:
    """Accounts via the product's own CLI; one argon2 hash at the server's cost serves all."""
    argon2 = server.settings.argon2
    subprocess.run(
        [
            sys.executable, "-m", "authlab", "users", "seed", str(count),
            "--prefix", prefix, "--password", PASSWORD,
            "--database-url", server.settings.database_url,
            "--argon2-memory-kib", str(argon2.memory_kib),
            "--argon2-time-cost", str(argon2.time_cost),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def login_timing(server: LabServer, tries: int, seed: int = 20261130) -> dict[str, Any]:
    per_account = max(1, server.settings.login_max_failures - 1)
    accounts = math.ceil(tries / per_account)
    prefix = f"{server.user('t')}"[:40] + "."
    _seed(server, prefix, accounts)
    rng = random.Random(seed)
    kinds = ["unknown_user"] * tries + ["wrong_password"] * tries
    rng.shuffle(kinds)
    times: dict[str, list[float]] = {"unknown_user": [], "wrong_password": []}
    signatures: dict[str, Counter[str]] = {"unknown_user": Counter(), "wrong_password": Counter()}
    statuses: dict[str, Counter[int]] = {"unknown_user": Counter(), "wrong_password": Counter()}
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        client.post("/login", json={"username": "warm-up", "password": "x" * 12})
        wrong = 0
        for kind in kinds:
            if kind == "unknown_user":
                username = f"nobody-{secrets.token_hex(6)}"
            else:
                # A few failures per account, never the throttle's limit.
                username = f"{prefix}{wrong // per_account:06d}"
                wrong += 1
            body = {"username": username, "password": f"wrong-{secrets.token_hex(4)}"}
            started = time.perf_counter()
            response = client.post("/login", json=body)
            times[kind].append(time.perf_counter() - started)
            signatures[kind][_signature(response)] += 1
            statuses[kind][response.status_code] += 1
    test = mann_whitney_u(times["unknown_user"], times["wrong_password"])
    identical = (
        len(signatures["unknown_user"]) == 1
        and signatures["unknown_user"].keys() == signatures["wrong_password"].keys()
    )
    medians = {kind: statistics.median(values) * 1000 for kind, values in times.items()}
    return {
        "argon2": server.settings.argon2.describe(),
        "tries_per_kind": tries,
        "accounts_seeded": accounts,
        "median_ms": {kind: round(value, 3) for kind, value in medians.items()},
        "p90_ms": {
            kind: round(statistics.quantiles(values, n=10)[-1] * 1000, 3)
            for kind, values in times.items()
        },
        "median_difference_ms": round(medians["unknown_user"] - medians["wrong_password"], 3),
        "test": "Mann-Whitney U, two-sided, normal approximation",
        "u": test["u"],
        "z": round(test["z"], 3),
        "p_value": test["p_value"],
        "effect_size_prob_unknown_slower": round(test["effect_size"], 3),
        "alpha": ALPHA,
        "distinguishable": test["p_value"] < ALPHA,
        "statuses": {
            kind: {str(status): count for status, count in counter.items()}
            for kind, counter in statuses.items()
        },
        "responses_identical": identical,
        "distinct_responses": {kind: len(counter) for kind, counter in signatures.items()},
    }


def throttle(server: LabServer, attempts: int | None = None) -> dict[str, Any]:
    """Wrong passwords for one account until the throttle answers; then the right one."""
    limit = server.settings.login_max_failures
    attempts = attempts or limit + 2
    existing = server.user("throttled")
    unknown = f"{server.user('ghost')}-{secrets.token_hex(3)}"
    result: dict[str, Any] = {
        "max_failures": limit,
        "window_s": server.settings.login_failure_window,
    }
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        client.post("/register", json={"username": existing, "password": PASSWORD})
        for label, name in (("existing_account", existing), ("unknown_account", unknown)):
            statuses = []
            retry_after = None
            for _ in range(attempts):
                response = client.post("/login", json={"username": name, "password": "wrong-pass"})
                statuses.append(response.status_code)
                retry_after = response.headers.get("retry-after") or retry_after
            result[label] = {"statuses": statuses, "retry_after": retry_after}
        correct = client.post("/login", json={"username": existing, "password": PASSWORD})
    result["correct_password_while_throttled"] = correct.status_code
    expected = [401] * limit + [429] * (attempts - limit)
    result["expected_statuses"] = expected
    result["passed"] = (
        result["existing_account"]["statuses"] == expected
        and result["unknown_account"]["statuses"] == expected
        and correct.status_code == 429
    )
    return result


def session_entropy(server: LabServer, logins: int) -> dict[str, Any]:
    """Log in `logins` times; how long, how random-looking and how unique are the ids?"""
    username = server.user("entropy")
    cookie_name = server.config.cookie_name or "sid"
    ids: list[str] = []
    signed_lengths: set[int] = set()
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        client.post("/register", json={"username": username, "password": PASSWORD})
        for _ in range(logins):
            client.cookies.clear()
            response = client.post("/login", json={"username": username, "password": PASSWORD})
            signed = response.cookies.get(cookie_name) or ""
            signed_lengths.add(len(signed))
            ids.append(signed.rsplit(".", 1)[0])  # itsdangerous: value.signature
    raw = [base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)) for value in ids]
    byte_lengths = {len(item) for item in raw}
    bits = min(byte_lengths) * 8 if byte_lengths else 0
    ones_per_position = [
        sum((item[position // 8] >> (7 - position % 8)) & 1 for item in raw) / len(raw)
        for position in range(bits)
    ]
    characters = Counter("".join(ids))
    total = sum(characters.values())
    char_entropy = -sum(count / total * math.log2(count / total) for count in characters.values())
    # A fair bit's share of ones over n samples has sd 0.5/sqrt(n): 4.5 sd is a wide band
    # that 256 positions stay inside by chance with probability > 0.998.
    band = 4.5 * 0.5 / math.sqrt(len(raw)) if raw else 0.0
    balanced = all(abs(share - 0.5) <= band for share in ones_per_position)
    return {
        "logins": logins,
        "unique_ids": len(set(ids)),
        "id_characters": sorted({len(value) for value in ids}),
        "signed_cookie_characters": sorted(signed_lengths),
        "id_bytes": sorted(byte_lengths),
        "id_bits": bits,
        "source": "secrets.token_urlsafe(32), signed with itsdangerous "
        "(servers/strategies/session.py)",
        "ones_fraction_overall": round(statistics.fmean(ones_per_position), 4) if bits else None,
        "ones_fraction_per_bit": {
            "min": round(min(ones_per_position), 4) if bits else None,
            "max": round(max(ones_per_position), 4) if bits else None,
            "allowed_band": round(band, 4),
        },
        "bits_balanced": balanced,
        "shannon_bits_per_character": round(char_entropy, 3),
        "distinct_characters": len(characters),
        "passed": len(set(ids)) == logins and bits >= 128 and balanced,
    }
