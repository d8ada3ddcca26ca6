"""The tally in front of prometheus-client: the same figures, in batches."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry, Counter, Histogram

from servers.prometheus_metrics import FLUSH_SECONDS, Tally

BUCKETS = (0.0005, 0.001, 0.5)
# On a bound, just above it, and above every bound (+Inf).
SAMPLES = (0.0, 0.0005, 0.00051, 0.001, 0.3, 0.5, 0.75, 10.0)


def _histogram(registry: CollectorRegistry) -> Histogram:
    return Histogram("latency", "test", ["route"], buckets=BUCKETS, registry=registry)


def _samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in registry.collect()
        for sample in family.samples
        if not sample.name.endswith("_created")
    }


def test_a_flushed_tally_equals_observing_each_value() -> None:
    direct, tallied = CollectorRegistry(), CollectorRegistry()
    by_hand = _histogram(direct).labels(route="/me")
    child = _histogram(tallied).labels(route="/me")
    tally = Tally()
    for seconds in SAMPLES:
        by_hand.observe(seconds)
        tally.observe(child, seconds)
    assert _samples(tallied) != _samples(direct)  # nothing reaches the metric before a flush
    tally.flush()
    assert _samples(tallied) == _samples(direct)


def test_counts_add_up_across_flushes() -> None:
    registry = CollectorRegistry()
    counter = Counter("requests", "test", ["status"], registry=registry)
    ok, failed = counter.labels(status="200"), counter.labels(status="401")
    tally = Tally()
    for _ in range(3):
        tally.count(ok)
    tally.count(failed)
    tally.flush()
    tally.count(ok)
    tally.flush()
    tally.flush()  # an empty flush adds nothing
    assert registry.get_sample_value("requests_total", {"status": "200"}) == 4
    assert registry.get_sample_value("requests_total", {"status": "401"}) == 1


def test_counts_reach_the_metric_within_the_flush_interval_without_a_scrape() -> None:
    registry = CollectorRegistry()
    counter = Counter("requests", "test", registry=registry)
    tally = Tally()

    async def serve_one_request() -> float | None:
        tally.count(counter)
        await asyncio.sleep(FLUSH_SECONDS * 2)
        return registry.get_sample_value("requests_total")

    assert asyncio.run(serve_one_request()) == 1
