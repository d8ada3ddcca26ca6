"""Prometheus metrics, correct with several uvicorn workers.

With more than one worker the CLI sets PROMETHEUS_MULTIPROC_DIR before the
workers start; prometheus-client then keeps each process's samples in files
there, and /metrics adds them up. Process CPU and RSS are read with psutil at
scrape time for every server process (the worker's siblings included), since a
multiprocess registry cannot carry the default process collector.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import time
from collections.abc import Iterable
from functools import cache
from types import TracebackType
from typing import Any

import psutil
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from servers.errors import StoreUnavailable

_LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.002,
    0.005,
    0.01,
    0.02,
    0.05,
    0.1,
    0.2,
    0.5,
    1.0,
    2.0,
    5.0,
)

REQUESTS = Counter(
    "authlab_requests_total", "HTTP requests by route and status", ["route", "method", "status"]
)
REQUEST_LATENCY = Histogram(
    "authlab_request_duration_seconds",
    "Time from request to response, by route",
    ["route"],
    buckets=_LATENCY_BUCKETS,
)
AUTH_OUTCOMES = Counter(
    "authlab_auth_outcomes_total",
    "Credential checks and logins by outcome and reason",
    ["outcome", "reason"],
)
STORE_OPERATIONS = Counter(
    "authlab_store_operations_total",
    "Operations on a backing store by store, operation and outcome",
    ["store", "operation", "outcome"],
)
STORE_LATENCY = Histogram(
    "authlab_store_operation_duration_seconds",
    "Latency of backing store operations",
    ["store", "operation"],
    buckets=_LATENCY_BUCKETS,
)


# prometheus-client's labels() validates, locks and builds a key on every call:
# several µs, on every request, that a plain server does not spend. The label
# sets here are few and bounded, so each child is looked up once and kept.
@cache
def request_counter(route: str, method: str, status: str) -> Any:
    return REQUESTS.labels(route=route, method=method, status=status)


@cache
def request_latency(route: str) -> Any:
    return REQUEST_LATENCY.labels(route=route)


@cache
def _auth_counter(outcome: str, reason: str) -> Any:
    return AUTH_OUTCOMES.labels(outcome=outcome, reason=reason)


@cache
def _store_counter(store: str, operation: str, outcome: str) -> Any:
    return STORE_OPERATIONS.labels(store=store, operation=operation, outcome=outcome)


@cache
def _store_latency(store: str, operation: str) -> Any:
    return STORE_LATENCY.labels(store=store, operation=operation)


# Seconds a count may wait in the tally before it reaches prometheus-client. A scrape
# of this process flushes first, so only a sibling worker's counts can lag, this long.
FLUSH_SECONDS = 0.5


class Tally:
    """Counts and observations kept as plain numbers, added to prometheus-client in batches.

    Even with its children cached, prometheus-client takes a lock for every
    increment and walks the buckets for every observation: about 3 µs per
    request, which a plain server does not spend. Here a request costs a dict
    increment and a bisect; the batch reaches the metrics on every scrape, within
    FLUSH_SECONDS otherwise (a sibling worker's scrape reads its files), and at
    shutdown. Recorded on the event loop's thread only, as every caller does.
    """

    def __init__(self) -> None:
        self._counts: dict[Any, int] = {}
        # Histogram child -> per-bucket counts (prometheus-client's bounds, +Inf last) and sum.
        self._observed: dict[Any, tuple[list[int], list[float]]] = {}
        self._flush_due: asyncio.TimerHandle | None = None

    def count(self, counter: Any) -> None:
        counts = self._counts
        counts[counter] = counts.get(counter, 0) + 1
        if self._flush_due is None:
            self._schedule()

    def observe(self, histogram: Any, seconds: float) -> None:
        entry = self._observed.get(histogram)
        if entry is None:
            entry = self._observed[histogram] = ([0] * len(histogram._upper_bounds), [0.0])
        entry[0][bisect.bisect_left(histogram._upper_bounds, seconds)] += 1
        entry[1][0] += seconds
        if self._flush_due is None:
            self._schedule()

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous caller): the next scrape flushes
            return
        self._flush_due = loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        if self._flush_due is not None:
            self._flush_due.cancel()
            self._flush_due = None
        counts, self._counts = self._counts, {}
        observed, self._observed = self._observed, {}
        for counter, amount in counts.items():
            counter.inc(amount)
        for histogram, (buckets, total) in observed.items():
            # prometheus-client has no public call that adds n observations at once; its
            # per-bucket values (non-cumulative, as observe() fills them) are the one way.
            for index, amount in enumerate(buckets):
                if amount:
                    histogram._buckets[index].inc(amount)
            histogram._sum.inc(total[0])


TALLY = Tally()


def record_auth(outcome: str, reason: str) -> None:
    TALLY.count(_auth_counter(outcome, reason))


# The outcome of nearly every request, bound once.
AUTHENTICATED = _auth_counter("success", "authenticated")


class observe_store:
    """Count and time one store operation; optionally turn `unreachable` errors into
    StoreUnavailable (fail closed). A class, not an @asynccontextmanager: the
    generator machinery of two nested ones cost more than the counting itself."""

    __slots__ = ("_operation", "_started", "_store", "_unreachable")

    def __init__(
        self, store: str, operation: str, unreachable: tuple[type[BaseException], ...] = ()
    ) -> None:
        self._store = store
        self._operation = operation
        self._unreachable = unreachable
        self._started = 0.0

    async def __aenter__(self) -> None:
        self._started = time.perf_counter()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        elapsed = time.perf_counter() - self._started
        outcome = "ok"
        translated: StoreUnavailable | None = None
        if error is not None:
            if isinstance(error, StoreUnavailable):
                outcome = "unavailable"
            elif self._unreachable and isinstance(error, self._unreachable):
                outcome = "unavailable"
                translated = StoreUnavailable(self._store, error)
            else:
                outcome = "error"
        TALLY.count(_store_counter(self._store, self._operation, outcome))
        TALLY.observe(_store_latency(self._store, self._operation), elapsed)
        if translated is not None:
            raise translated from error


def _program(process: psutil.Process) -> list[str]:
    """The command line without call arguments: spawn_main(pipe_handle=N) differs per worker."""
    return [argument.split("(", 1)[0] for argument in process.cmdline()]


def server_processes() -> list[psutil.Process]:
    """This process, or the uvicorn supervisor and every worker when there are several.

    Only siblings that run the same program as this worker count: the supervisor
    also parents the private redis-server and multiprocessing's resource tracker,
    whose CPU is not the server's (with one worker it is not counted either).
    """
    me = psutil.Process()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        parent = me.parent()
        if parent is not None:
            program = _program(me)
            workers = []
            for child in parent.children():
                try:
                    if _program(child) == program:
                        workers.append(child)
                except psutil.Error:
                    continue  # a child that just exited
            return [parent, *workers]
    return [me]


class ProcessCollector(Collector):
    def collect(self) -> Iterable[Metric]:
        cpu = GaugeMetricFamily(
            "authlab_process_cpu_seconds",
            "CPU seconds (user+system) of a server process",
            labels=["pid"],
        )
        rss = GaugeMetricFamily(
            "authlab_process_rss_bytes", "Resident memory of a server process", labels=["pid"]
        )
        for process in server_processes():
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    cpu.add_metric([str(process.pid)], times.user + times.system)
                    rss.add_metric([str(process.pid)], process.memory_info().rss)
            except psutil.Error:
                continue  # a worker that just exited
        yield cpu
        yield rss


def render_metrics() -> tuple[bytes, str]:
    TALLY.flush()
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in (
            REQUESTS,
            REQUEST_LATENCY,
            AUTH_OUTCOMES,
            STORE_OPERATIONS,
            STORE_LATENCY,
        ):
            registry.register(collector)
    registry.register(ProcessCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
