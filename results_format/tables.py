"""Every table of a results folder: its name, its columns and what one row is.

The bench writes each table's columns in the order declared here (authlab.bench.growing_csv)
and the report reads the tables this list names (reports.load): a table or column renamed
here is renamed on both sides. A row may leave a column out (a failed measurement has an
`error` and no figures); every column a run writes is declared.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    meaning: str  # what one row is
    raw: bool = False  # under raw/ (samples over time, not figures)

    @property
    def path(self) -> str:
        """Where it is in a results folder."""
        return f"raw/{self.name}.csv" if self.raw else f"{self.name}.csv"


def _spread(*figures: str) -> tuple[str, ...]:
    """Each figure with its smallest and largest value over the repetitions."""
    return tuple(column for f in figures for column in (f, f"{f}_min", f"{f}_max"))


# The per-request figures of summary.csv: GET /me alone unprefixed, the mixed phase's as mix_*.
SUMMARY_FIGURES = (
    "max_throughput_rps",
    "p50_us",
    "p99_us",
    "p999_us",
    "server_cpu_us_per_request",
    "store_cpu_us_per_request",
)
MIXED_PREFIX = "mix_"

_PHASE_COLUMNS = (
    "variant",
    "phase",
    "scenario",
    "planned_s",
    "users",
    "offered_rps",
    "started",
    "duration_s",
    "locust_exit",
    "locust_cpu_s",
    "generator_busy",
    "generator_saturated",
    "server_cpu_s",
    "repetition",
    "requests_ok",
    "requests_failed",
    "error_rate",
    "throughput_rps",
    "peak_rps",
    "server_cpu_us_per_request",
    "redis_cpu_us_per_request",
    "redis_commands_per_request",
    "cpu_window",
    "window_start",
    "window_s",
    "window_requests",
    "window_server_cpu_s",
    "window_redis_cpu_s",
    "window_redis_commands",
    "latency_samples",
    "service_p50_us",
    "service_p90_us",
    "service_p99_us",
    "service_p999_us",
    "corrected_p50_us",
    "corrected_p90_us",
    "corrected_p99_us",
    "corrected_p999_us",
    "redis_cpu_s",
    "redis_commands",
    "redis_used_memory",
    "redis_keys",
)
# What every cloud experiment says of the requests around its failure.
_AROUND_FAILURE = (
    "requests",
    "success_before",
    "failed_after",
    "recovery_s",
    "users_forced_to_log_in",
)
_STORE_LOSSES = ("probes", "sessions_lost", "revocations_lost", "refresh_tokens_lost")
_PER_SECOND = (
    "variant",
    "event",
    "second",
    "requests",
    "ok",
    "me_ok",
    "me_failed",
    "forced_logins",
    "failed",
    "success_rate",
)


TABLES: tuple[Table, ...] = (
    # --- the load phases (the runner) ----------------------------------------------------
    Table("phases", _PHASE_COLUMNS, "one load phase of one variant in one repetition"),
    Table(
        "latency",
        (
            "variant",
            "repetition",
            "phase",
            "kind",
            "request",
            "count",
            "min_us",
            "mean_us",
            "max_us",
            "p50_us",
            "p90_us",
            "p99_us",
            "p999_us",
        ),
        "one request type's latency in one phase (kind: corrected from when due, or service)",
    ),
    Table(
        "summary",
        (
            "variant",
            *_spread(
                *SUMMARY_FIGURES, "offered_rps", "window_s", "window_requests", "latency_samples"
            ),
            *_spread(*(MIXED_PREFIX + f for f in SUMMARY_FIGURES)),
            "login_rps",
            "login_server_cpu_us",
            "errors",
            "requests",
            "generator_saturated",
            "capacity_at_least",
            "repetitions",
            "credential_cpu_us",
        ),
        "one variant's figures over the repetitions: medians, with the smallest and largest",
    ),
    Table(
        "wire",
        ("variant", "request", "request_bytes", "response_bytes"),
        "one request type's bytes on the socket, headers included",
    ),
    Table(
        "verification", ("variant", "ok", "detail"), "one variant's endpoint check before any load"
    ),
    Table(
        "twin_phases",
        (*_PHASE_COLUMNS[:-4], "server", "shared_store", *_PHASE_COLUMNS[-4:]),
        "a phase of a variant or its plain twin, for the overhead experiment",
    ),
    Table(
        "batches",
        (
            "variant",
            "repetition",
            "phase",
            "second",
            "seconds",
            "requests",
            "server_cpu_s",
            "redis_cpu_s",
            "redis_commands",
        ),
        "one second of a load phase's steady window (the intervals' batches)",
    ),
    # --- the experiments (authlab.bench.experiments) -------------------------------------
    Table(
        "overhead",
        (
            "variant",
            "plain_us",
            "authlab_us",
            "ratio",
            "ratio_min",
            "ratio_max",
            "repetitions",
            "shared_store",
        ),
        "one variant's CPU per GET /me against its plain twin's",
    ),
    Table(
        "primitives",
        ("group", "primitive", "us_per_op", "us_min", "us_max", "iterations", "error"),
        "one building block timed alone in-process (results_format.primitive_ids)",
    ),
    Table(
        "sessions_at_scale",
        (
            "store",
            "sessions",
            "bytes_total",
            "bytes_per_session",
            "seconds_to_create",
            "sample_key_bytes",
            "error",
        ),
        "N live sessions (or token state) in one store: its memory",
    ),
    Table(
        "scale_out",
        (
            "variant",
            "instances",
            "requests",
            "failed",
            "failure_rate",
            "expected_if_state_is_local",
        ),
        "K servers of one variant without sticky routing",
    ),
    Table(
        "outage",
        ("variant", "second", "ok", "failed", "success_rate", "store_down"),
        "one second of a variant with its store frozen mid-run",
    ),
    Table(
        "resident_sessions",
        (
            "store",
            "sessions",
            "round",
            "server_cpu_us_per_request",
            "p50_us",
            "p99_us",
            "requests",
            "store_cpu_us_per_request",
            "failed",
            "throughput_rps",
            "generator_saturated",
            "offered_rps",
            "active_sessions",
            "fill_seconds",
            "server_rss_bytes",
        ),
        "a session server's CPU per GET /me with N sessions held in its store, in one round "
        "(every store and N measured once per round, interleaved)",
    ),
    Table(
        "resident_batches",
        (
            "store",
            "sessions",
            "round",
            "second",
            "seconds",
            "requests",
            "server_cpu_s",
            "redis_cpu_s",
        ),
        "one second of a resident_sessions phase's steady window (its growth interval's batches)",
    ),
    Table(
        "instructions",
        ("variant", "plain_instructions", "authlab_instructions", "instruction_ratio", "requests"),
        "instructions per GET /me under callgrind, a variant against its plain twin",
    ),
    # --- the cloud topology (authlab.topology) -------------------------------------------
    Table(
        "cloud_balancer",
        (
            "variant",
            "event",
            "instances",
            "routing",
            "requests",
            "failed",
            "failure_rate",
            "expected_if_state_is_local",
            "users_forced_to_log_in",
            "users",
        ),
        "K instances behind HAProxy, round robin",
    ),
    Table(
        "cloud_sticky_kill",
        (
            "variant",
            "event",
            "instances",
            *_AROUND_FAILURE,
            "users",
            "users_on_killed_instance",
            "seconds_until_out",
        ),
        "sticky routing, an instance SIGKILLed under load",
    ),
    Table(
        "cloud_failover",
        ("variant", "event", "instances", *_AROUND_FAILURE, "failover_s", *_STORE_LOSSES),
        "the store's primary SIGKILLed, Sentinel failover",
    ),
    Table(
        "cloud_store_down",
        (
            "variant",
            "event",
            "access_ttl_s",
            "down_s",
            *_AROUND_FAILURE,
            "success_while_down",
            "served_for_s",
            "recovery_after_back_s",
        ),
        "the store down longer than an access token lives",
    ),
    Table(
        "cloud_store_restart",
        ("variant", "event", "persistence", *_STORE_LOSSES, "revoked"),
        "the store restarted, without and with persistence",
    ),
    Table("cloud_sticky_kill_seconds", _PER_SECOND, "one second around the instance's kill"),
    Table("cloud_failover_seconds", _PER_SECOND, "one second around the failover"),
    Table("cloud_store_down_seconds", _PER_SECOND, "one second around the store's outage"),
    # --- samples over time (raw/) --------------------------------------------------------
    Table(
        "process_samples",
        ("time", "label", "role", "name", "pid", "cpu_seconds", "rss_bytes"),
        "one process's CPU and memory at one moment",
        raw=True,
    ),
    Table(
        "redis_samples",
        (
            "time",
            "label",
            "name",
            "used_memory",
            "keys",
            "ops_per_sec",
            "total_commands",
            "cpu_seconds",
        ),
        "one Redis's memory, keys and CPU at one moment",
        raw=True,
    ),
    Table(
        "metrics_samples",
        (
            "time",
            "label",
            "name",
            "requests_total",
            "auth_success_total",
            "auth_failure_total",
            "store_operations_total",
            "store_unavailable_total",
        ),
        "one server's Prometheus counters at one moment",
        raw=True,
    ),
)
BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
# The tables the runner writes around the load phases (the experiments name their own).
LOAD_PHASE_TABLES = ("phases", "latency", "wire", "verification", "twin_phases", "batches")


def ordered(name: str, columns: list[str]) -> list[str]:
    """`columns` in the order the table declares; any it does not declare after them."""
    declared = BY_NAME[name].columns if name in BY_NAME else ()
    present = set(columns)
    return [c for c in declared if c in present] + [c for c in columns if c not in declared]
