"""A capacity model: what N active users would need, from the run's own per-request and
per-session costs. Every assumption is a field of Assumptions and is printed with the
numbers; change them and the model follows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reports.load import RunData, variant_order
from reports.metrics import number, session_bytes, wire_bytes
from results_format import phase_ids, tables


@dataclass(frozen=True)
class Assumptions:
    users: tuple[int, ...] = (1_000_000, 10_000_000, 100_000_000)
    requests_per_user_per_s: float = 1 / 60  # one authenticated request a minute, each user
    logins_per_user_per_day: float = 1.0
    target_utilisation: float = 0.6  # cores and stores run at 60% at that load
    sessions_per_user: float = 1.0  # one live session (or refresh family) per active user

    def lines(self) -> list[str]:
        return [
            f"every active user makes {self.requests_per_user_per_s * 60:g} authenticated "
            f"request(s) a minute ({self.requests_per_user_per_s:.4g} requests/s), evenly spread",
            f"every active user logs in {self.logins_per_user_per_day:g} time(s) a day, at the "
            "login storm's measured CPU (argon2id at OWASP's cost)",
            f"every active user holds {self.sessions_per_user:g} live session (session variants) "
            "or refresh-token family (token variants)",
            f"servers and stores are sized to run at {self.target_utilisation:.0%} of their "
            "cores; cores scale linearly from this machine's (no cache or NUMA effect)",
            "CPU per request and store operations per request: the mixed phase's medians "
            "(browsing with 20% POST /transfer); "
            "server CPU counts every process of the server (all its workers)",
            "bytes per request: GET /me on the socket, request + response, headers included",
            "store memory: bytes per session measured at the largest N of the sessions-at-scale "
            "experiment, scaled linearly; an in-process store must hold every session in every "
            "instance unless routing is sticky",
            "the deny list's entries (logged-out tokens until exp) are not counted: their number "
            "depends on logouts per access-token lifetime",
        ]


# Which sessions-at-scale row sizes the state a variant keeps.
def _state_store(run: RunData, variant: str) -> str | None:
    info = run.variant_info(variant)
    kind, store = info.get("kind"), info.get("store")
    if kind == "session":
        # Store names are Settings' (results_format.upgrade renames an old folder's); the
        # experiment's rows name the SQL store by the database it measured, the run's SQLite.
        return {"redis": "redis", "memory": "memory", "sql": "sqlite"}.get(str(store))
    if kind == "token":
        return "token refresh families (redis)"
    return None


def _step_median(run: RunData, variant: str, column: str) -> float | None:
    phases = run.phases
    if phases.empty or column not in phases:
        return None
    rows = phases[(phases["variant"] == variant) & (phases["phase"] == phase_ids.STEP)][column]
    rows = rows.dropna()
    return number(rows.median()) if not rows.empty else None


COLUMNS = [
    "variant",
    "users",
    "requests_per_s",
    "server_cores",
    "login_cores",
    "store_cores",
    "store_memory_bytes",
    "store_ops_per_s",
    "network_bits_per_s",
]


def model(run: RunData, assumptions: Assumptions | None = None) -> pd.DataFrame:
    """One row per variant and user count; NaN where the run did not measure an input."""
    a = assumptions or Assumptions()
    rows = []
    for variant in variant_order(run):
        summary = run.summary_row(variant)
        if summary is None:
            continue
        # A realistic request mix (browsing with transfers): the mixed phase's figures
        # (an older folder's are there too once upgraded: results_format.upgrade).
        server_us = number(summary.get(f"{tables.MIXED_PREFIX}server_cpu_us_per_request"))
        store_us = number(summary.get(f"{tables.MIXED_PREFIX}store_cpu_us_per_request"))
        login_us = number(summary.get("login_server_cpu_us"))
        commands = _step_median(run, variant, "redis_commands_per_request")
        store = _state_store(run, variant)
        per_session = session_bytes(run, store) if store else None
        wire = wire_bytes(run, variant)
        for users in a.users:
            rate = users * a.requests_per_user_per_s
            logins = users * a.logins_per_user_per_day / 86_400

            def cores(us: float | None, per_s: float) -> float | None:
                return None if us is None else us * per_s / 1e6 / a.target_utilisation

            rows.append(
                {
                    "variant": variant,
                    "users": users,
                    "requests_per_s": rate,
                    "server_cores": cores(server_us, rate),
                    "login_cores": cores(login_us, logins),
                    "store_cores": cores(store_us, rate) if store_us else None,
                    "store_memory_bytes": (
                        per_session * users * a.sessions_per_user
                        if per_session is not None
                        else (0.0 if run.variant_info(variant).get("kind") == "baseline" else None)
                    ),
                    "store_ops_per_s": commands * rate if commands is not None else None,
                    "network_bits_per_s": sum(wire) * 8 * rate if wire else None,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def topology_lines(run: RunData) -> list[str]:
    """The topology the model assumes, and what this run measured of its failures (the
    cloud profile's experiments) where it has them."""
    lines = [
        "topology: K identical server instances behind a load balancer (HAProxy, round "
        "robin; sticky routing only where sessions live in process memory), one Redis "
        "primary with a replica and Sentinels for the shared state"
    ]
    hosts = sorted(
        {
            f"{host['role'].split(' ')[0]} {host['address'].rsplit(':', 1)[0]}"
            for placed in run.topology.values()
            if isinstance(placed, list)
            for host in placed
            if isinstance(host, dict) and "role" in host and "address" in host
        }
    )
    if hosts:
        lines.append("the hosts this run measured it on (topology.json): " + ", ".join(hosts))
    failover = run.cloud_failover
    if not failover.empty and "recovery_s" in failover:
        measured = ", ".join(
            f"{row['variant']} {number(row['recovery_s']):.1f} s"
            for _, row in failover.iterrows()
            if number(row.get("recovery_s")) is not None
        )
        lines.append(
            "each failover of the store's primary costs every store-backed request this "
            f"long (measured, Sentinel with a 1 s down-after): {measured}"
        )
    sticky = run.cloud_sticky_kill
    if not sticky.empty and "users_forced_to_log_in" in sticky:
        lines.append(
            "an instance lost with sessions in its memory logs out every user pinned to it "
            "(measured: "
            + ", ".join(
                f"{row['variant']} {number(row['users_forced_to_log_in']) or 0:.0f} of "
                f"{number(row.get('users')) or 0:.0f} users"
                for _, row in sticky.iterrows()
            )
            + ")"
        )
    return lines
