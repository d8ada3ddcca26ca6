"""Fixtures over real components: Redis, SQLite, PostgreSQL and uvicorn on real sockets.

Services: Redis at AUTHLAB_REDIS_URL (default 127.0.0.1:6379), else a private
redis-server that the tests start themselves. PostgreSQL at AUTHLAB_POSTGRES_URL
(default postgres@127.0.0.1:5432/test): tests that need it are skipped with the
reason when it is absent, and FAIL instead under AUTHLAB_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import httpx
import pytest
import redis
import uvicorn

from servers.config import CHEAP_ARGON2, Settings
from servers.routes import build_app

if TYPE_CHECKING:
    from authlab.security.browser import BrowserName
    from authlab.security.discovery import FoundBrowser

REQUIRE_SERVICES = os.environ.get("AUTHLAB_REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("AUTHLAB_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("AUTHLAB_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Under `make test` the end-to-end tests run in three pytest-xdist groups, one worker each.
# The tests that drive load (Locust phases) and read what it did: their figures and timings (a
# closed loop's capacity, what py-spy samples) are what a neighbour disturbs, so they run one
# after another, never two at once. The cloud topology's tests run one after another in a group
# of their own: each waits on health checks, failovers and token lifetimes far more than it
# computes (about 20 s of CPU in 75 s), and their assertions are on what happened, not on speed;
# behind the load tests they were the last 75 s of the step, on a mostly idle machine. Every
# other end-to-end test (browsers, the security lab, explore, ...) runs in the third group. To
# even out the three (about 150 s each here), the bench's Chromium run, which drives no load,
# joins the load group, and its runs without a working Chromium and the instruction counts
# (callgrind counts instructions, not time) the topology's. The smoke
# run (tests/authlab/bench/test_run.py) is in none: its steady windows and its outage seconds
# failed beside any neighbour, so `make test` runs that file alone, after the others.
LOAD_TESTS = (
    "tests/authlab/bench/test_run_control.py",
    "tests/authlab/bench/test_targets.py",
    "tests/authlab/bench/test_flamegraph.py",
    "tests/authlab/bench/test_security_browser.py::test_with_chromium",
)
TOPOLOGY_TESTS = (
    "tests/authlab/topology/",
    "tests/authlab/bench/test_instructions.py",
    "tests/authlab/bench/test_security_browser.py::test_a_chromium_that_does_not_start",
    "tests/authlab/bench/test_security_browser.py::test_a_given_security_file",
)
# Under `make test` each group's first test starts beside the other groups' first. The security
# lab's run (Chromium and Firefox, about 45 s of CPU) goes first in its group, beside the load
# group's lighter first tests: later it ran beside the bench's own Chromium run, 70 s against 50.
FIRST_IN_GROUP = ("tests/authlab/security/test_lab.py",)
# Cheap hashing for tests; the servers default to OWASP's m=19 MiB, t=2.
FAST_ARGON2 = CHEAP_ARGON2
PASSWORD = "correct horse battery"


def xdist_group_of(nodeid: str) -> str:
    """Where a test runs under `make test`'s `--dist loadgroup`: the load group, the topology's,
    or the other. Three groups, not one per module, so that a module-scoped fixture (one bench
    run, one browser) is made once, and no two load tests ever run at the same time."""
    if nodeid.startswith(LOAD_TESTS):
        return "e2e-load"
    return "e2e-topology" if nodeid.startswith(TOPOLOGY_TESTS) else "e2e-other"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup`, FIRST_IN_GROUP's tests first (a stable sort: every other test,
    and a module's tests among themselves, keep their order). The workers collect, and
    pytest-xdist tells them `--dist no` and keeps loadgroup in option.loadgroup."""
    if getattr(config.option, "loadgroup", False) or config.getvalue("dist") == "loadgroup":
        items.sort(key=lambda item: not item.nodeid.startswith(FIRST_IN_GROUP))


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup` with the groups above. pytest-xdist's own loadgroup puts a test's
    `xdist_group` mark into its node id, which pytest 9 no longer reads (every test was then a
    group of its own: the smoke run and the security lab were each made twice, beside each
    other); the scheduler's one overridable step, a node id's scope, is the group here."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid)

    return ByGroup(config, log)


def service_missing(what: str) -> NoReturn:
    """Skip with the reason, or fail where every service must be there (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} (AUTHLAB_REQUIRE_SERVICES=1 turns this skip into a failure)")
    pytest.skip(what)


def browser_or_skip(name: BrowserName) -> FoundBrowser:
    """The browser the lab would run (authlab/security/discovery.py), or skip (fail in CI)
    with the message that says how to get one."""
    from authlab.security.browser import BrowserUnavailable
    from authlab.security.discovery import find_browser

    try:
        return find_browser(name)
    except BrowserUnavailable as error:
        service_missing(str(error))


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The machine's Redis, or a private redis-server where there is none."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
        yield REDIS_URL
        return
    except redis.RedisError:
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (AUTHLAB_REQUIRE_SERVICES=1)")
    finally:
        client.close()
    from authlab.redis_server import PrivateRedis

    with PrivateRedis() as private:
        yield private.url


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A database of our own on the PostgreSQL service, dropped at the end."""
    import asyncpg

    name = f"authlab_test_{secrets.token_hex(4)}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=3)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        service_missing(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}")
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """The test database, emptied of authlab's tables before each test."""
    import asyncpg

    async def reset() -> None:
        connection = await asyncpg.connect(postgres_server_url, timeout=3)
        try:
            await connection.execute("DROP TABLE IF EXISTS users, sessions")
        finally:
            await connection.close()

    asyncio.run(reset())
    yield postgres_server_url


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own: tests share the Redis but not their keys."""
    return f"authlab-test:{secrets.token_hex(6)}:"


@pytest.fixture
def make_settings(tmp_path: Path, redis_url: str, redis_prefix: str) -> Callable[..., Settings]:
    """Settings for one test: its own SQLite file, key directory and Redis prefix."""

    def make(**overrides: Any) -> Settings:
        base = Settings(
            database_url=f"sqlite:///{tmp_path / 'users.sqlite3'}",
            key_dir=str(tmp_path / "keys"),
            redis_url=redis_url,
            redis_prefix=redis_prefix,
            argon2=FAST_ARGON2,
        )
        return base.replace(**overrides)

    return make


class ThreadedServer(uvicorn.Server):
    """uvicorn in a thread of the test process, on a real socket (as httpx tests do)."""

    @contextmanager
    def running(self, sockets: list[socket.socket] | None = None) -> Iterator[None]:
        thread = threading.Thread(target=self.run, kwargs={"sockets": sockets}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not self.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        try:
            yield
        finally:
            self.should_exit = True
            thread.join(timeout=10)


@contextmanager
def serve_in_thread(settings: Settings) -> Iterator[str]:
    # The socket is bound here and handed to uvicorn: a port only looked up (free_port)
    # could be taken by another pytest-xdist worker before uvicorn bound it.
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    config = uvicorn.Config(
        build_app(settings.replace(port=port)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = ThreadedServer(config)
    with listening, server.running([listening]):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def live_server() -> Iterator[Callable[[Settings], str]]:
    """Start servers for a test: live_server(settings) -> base URL; all stop at the end."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield lambda settings: stack.enter_context(serve_in_thread(settings))


def register_and_login(
    client: httpx.Client, username: str = "alice", password: str = PASSWORD
) -> httpx.Response:
    """Register (if needed) and log in; the client keeps any cookies."""
    client.post("/register", json={"username": username, "password": password})
    response = client.post("/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response
