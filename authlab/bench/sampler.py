"""Once a second: CPU and memory of every process the run started, and Redis INFO.

Rows go straight to CSV files, so an interrupted run keeps what it sampled.
"""

from __future__ import annotations

import contextlib
import csv
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import redis

from authlab.bench.cpu_clock import cpu_seconds
from authlab.processes import Tracked

PROCESS_COLUMNS = ["time", "label", "role", "name", "pid", "cpu_seconds", "rss_bytes"]
METRICS_COLUMNS = [
    "time", "label", "name", "requests_total", "auth_success_total", "auth_failure_total",
    "store_operations_total", "store_unavailable_total",
]  # fmt: skip
REDIS_COLUMNS = [
    "time",
    "label",
    "name",
    "used_memory",
    "keys",
    "ops_per_sec",
    "total_commands",
    "cpu_seconds",
]


def tree_usage(tracked: Tracked) -> tuple[float, int]:
    """CPU seconds (to the nanosecond: authlab.bench.cpu_clock) and RSS of a process and
    its children (workers) right now."""
    cpu, rss = 0.0, 0
    for process in tracked.tree():
        try:
            with process.oneshot():
                cpu += cpu_seconds(process)
                rss += process.memory_info().rss
        except psutil.Error:
            continue
    return cpu, rss


def redis_info(client: redis.Redis) -> dict[str, Any]:
    info: dict[str, Any] = client.info()
    keys = sum(
        v.get("keys", 0) for k, v in info.items() if k.startswith("db") and isinstance(v, dict)
    )
    return {
        "used_memory": info.get("used_memory", 0),
        "keys": keys,
        "ops_per_sec": info.get("instantaneous_ops_per_sec", 0),
        "total_commands": info.get("total_commands_processed", 0),
        "cpu_seconds": float(info.get("used_cpu_user", 0)) + float(info.get("used_cpu_sys", 0)),
    }


def scrape_totals(url: str) -> list[float] | None:
    """A server's own counters: requests, auth outcomes, store operations."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    try:
        response = httpx.get(url, timeout=0.5)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None  # a server without /metrics, or one in trouble: no sample, no crash
    totals = dict.fromkeys(METRICS_COLUMNS[3:], 0.0)
    try:
        families = list(text_string_to_metric_families(response.text))
    except ValueError:
        return None
    for family in families:
        for sample in family.samples:
            if not sample.name.endswith("_total"):
                continue
            if sample.name == "authlab_requests_total":
                totals["requests_total"] += sample.value
            elif sample.name == "authlab_auth_outcomes_total":
                key = f"auth_{sample.labels.get('outcome')}_total"
                if key in totals:
                    totals[key] += sample.value
            elif sample.name == "authlab_store_operations_total":
                totals["store_operations_total"] += sample.value
                if sample.labels.get("outcome") == "unavailable":
                    totals["store_unavailable_total"] += sample.value
    return list(totals.values())


class Sampler:
    def __init__(self, directory: Path, interval: float = 1.0) -> None:
        self.interval = interval
        self._metrics_file = open(directory / "metrics_samples.csv", "a", newline="")  # noqa: SIM115
        self._metrics = csv.writer(self._metrics_file)
        if self._metrics_file.tell() == 0:
            self._metrics.writerow(METRICS_COLUMNS)
        self._metrics_urls: dict[str, str] = {}
        self._process_file = open(directory / "process_samples.csv", "a", newline="")  # noqa: SIM115
        self._redis_file = open(directory / "redis_samples.csv", "a", newline="")  # noqa: SIM115
        self._processes = csv.writer(self._process_file)
        self._redis = csv.writer(self._redis_file)
        if self._process_file.tell() == 0:
            self._processes.writerow(PROCESS_COLUMNS)
        if self._redis_file.tell() == 0:
            self._redis.writerow(REDIS_COLUMNS)
        self._label: Callable[[], str] = lambda: ""
        self._watched: list[Tracked] = []
        self._redis_clients: dict[str, redis.Redis] = {}
        self._stop = threading.Event()
        # Set while a phase measures CPU per request: no /metrics scrape (a request
        # the plain twin never gets) lands in the lab server's count.
        self._quiet = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="sampler", daemon=True)

    def label_with(self, label: Callable[[], str]) -> None:
        self._label = label

    def watch(self, tracked: Tracked) -> None:
        with self._lock:
            self._watched.append(tracked)

    def unwatch(self, tracked: Tracked) -> None:
        with self._lock:
            if tracked in self._watched:
                self._watched.remove(tracked)

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Suspend /metrics scrapes for a while (process and Redis samples go on)."""
        self._quiet.set()
        try:
            yield
        finally:
            self._quiet.clear()

    def watch_metrics(self, name: str, url: str) -> None:
        """Scrape a server's /metrics every interval (one small request a second)."""
        with self._lock:
            self._metrics_urls[name] = url.rstrip("/") + "/metrics"

    def watch_redis(self, name: str, url: str) -> None:
        with self._lock:
            self._redis_clients[name] = redis.Redis.from_url(
                url, socket_timeout=0.5, socket_connect_timeout=0.5
            )

    def unwatch_redis(self, name: str) -> None:
        with self._lock:
            client = self._redis_clients.pop(name, None)
        if client is not None:
            client.close()

    def sample_once(self) -> None:
        now = time.time()
        label = self._label()
        with self._lock:
            watched = list(self._watched)
            clients = dict(self._redis_clients)
            scrapes = {} if self._quiet.is_set() else dict(self._metrics_urls)
        for name, url in scrapes.items():
            totals = scrape_totals(url)
            if totals is not None:
                self._metrics.writerow([f"{now:.3f}", label, name, *totals])
        for tracked in watched:
            cpu, rss = tree_usage(tracked)
            self._processes.writerow(
                [f"{now:.3f}", label, tracked.role, tracked.name, tracked.pid, f"{cpu:.4f}", rss]
            )
        for name, client in clients.items():
            try:
                info = redis_info(client)
            except redis.RedisError:
                continue  # during an outage there is nothing to read
            self._redis.writerow([f"{now:.3f}", label, name, *info.values()])
        self._process_file.flush()
        self._redis_file.flush()
        self._metrics_file.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample_once()

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for name in list(self._redis_clients):
            self.unwatch_redis(name)
        self._process_file.close()
        self._redis_file.close()
        self._metrics_file.close()
