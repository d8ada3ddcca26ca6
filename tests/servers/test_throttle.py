"""Login throttles, memory and Redis, through one contract."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from servers.redis_client import connect_redis
from servers.throttle import LoginThrottle, MemoryLoginThrottle, RedisLoginThrottle

MAX_FAILURES = 3
Factory = Callable[[int], LoginThrottle]  # window in seconds -> throttle


class LoginThrottleContract:
    """Subclasses provide `make`, a factory taking the window length, and `wait`, which lets
    that many seconds pass for the throttles it made."""

    @pytest.fixture
    def wait(self) -> Callable[[float], Awaitable[None]]:
        return asyncio.sleep

    @pytest.fixture
    async def make(self) -> AsyncIterator[Factory]:
        raise NotImplementedError
        yield  # pragma: no cover - makes this an async generator like the overrides

    async def test_fresh_name_may_try(self, make: Factory) -> None:
        assert await make(300).retry_after("alice") == 0

    async def test_below_the_limit_may_try(self, make: Factory) -> None:
        throttle = make(300)
        for _ in range(MAX_FAILURES - 1):
            await throttle.failed("alice")
        assert await throttle.retry_after("alice") == 0

    async def test_limit_of_failures_locks_for_the_window(self, make: Factory) -> None:
        throttle = make(300)
        for _ in range(MAX_FAILURES):
            await throttle.failed("alice")
        assert 0 < await throttle.retry_after("alice") <= 300

    async def test_more_failures_stay_locked(self, make: Factory) -> None:
        throttle = make(300)
        for _ in range(MAX_FAILURES * 2):
            await throttle.failed("alice")
        assert await throttle.retry_after("alice") > 0

    async def test_names_are_counted_apart(self, make: Factory) -> None:
        throttle = make(300)
        for _ in range(MAX_FAILURES):
            await throttle.failed("alice")
        assert await throttle.retry_after("bob") == 0

    async def test_success_resets_the_count(self, make: Factory) -> None:
        throttle = make(300)
        for _ in range(MAX_FAILURES - 1):
            await throttle.failed("alice")
        await throttle.succeeded("alice")
        await throttle.failed("alice")
        assert await throttle.retry_after("alice") == 0

    async def test_success_lifts_a_lock(self, make: Factory) -> None:
        throttle = make(300)
        for _ in range(MAX_FAILURES):
            await throttle.failed("alice")
        await throttle.succeeded("alice")
        assert await throttle.retry_after("alice") == 0

    async def test_lock_ends_with_the_window(
        self, make: Factory, wait: Callable[[float], Awaitable[None]]
    ) -> None:
        # A 1-second window, waited out; the assertion is on the outcome, not on timing.
        throttle = make(1)
        for _ in range(MAX_FAILURES):
            await throttle.failed("alice")
        assert await throttle.retry_after("alice") > 0
        await wait(1.2)
        assert await throttle.retry_after("alice") == 0
        # And counting starts over: one more failure does not lock again.
        await throttle.failed("alice")
        assert await throttle.retry_after("alice") == 0


class FakeClock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    async def advance(self, seconds: float) -> None:
        self.now += seconds


class TestMemoryLoginThrottle(LoginThrottleContract):
    @pytest.fixture
    def clock(self) -> FakeClock:
        return FakeClock()

    @pytest.fixture
    def wait(self, clock: FakeClock) -> Callable[[float], Awaitable[None]]:
        return clock.advance

    @pytest.fixture
    async def make(self, clock: FakeClock) -> AsyncIterator[Factory]:
        yield lambda window: MemoryLoginThrottle(MAX_FAILURES, window, clock=clock)

    async def test_a_lock_lasts_until_the_window_ends_not_before(
        self, make: Factory, clock: FakeClock
    ) -> None:
        throttle = make(300)
        for _ in range(MAX_FAILURES):
            await throttle.failed("alice")
        await clock.advance(299.5)
        assert await throttle.retry_after("alice") == 1
        await clock.advance(1)
        assert await throttle.retry_after("alice") == 0


class TestRedisLoginThrottle(LoginThrottleContract):
    @pytest.fixture
    async def make(self, redis_url: str, redis_prefix: str) -> AsyncIterator[Factory]:
        client = connect_redis(redis_url)
        yield lambda window: RedisLoginThrottle(client, redis_prefix, MAX_FAILURES, window)
        keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()

    async def test_processes_share_the_count(
        self, make: Factory, redis_url: str, redis_prefix: str
    ) -> None:
        # Two server processes on one Redis: failures at either count together.
        other_client = connect_redis(redis_url)
        try:
            other = RedisLoginThrottle(other_client, redis_prefix, MAX_FAILURES, 300)
            first = make(300)
            for index in range(MAX_FAILURES):
                await (first if index % 2 else other).failed("alice")
            assert await first.retry_after("alice") > 0
            assert await other.retry_after("alice") > 0
        finally:
            await other_client.aclose()
