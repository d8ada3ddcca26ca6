"""Redis goes away and comes back: who fails closed, who keeps serving, who recovers.

The choices these tests pin down:
- session variant: every credential check needs the store, so an outage is a
  503 for /me (never a 200 from a stale copy, never a 401 that would log the
  user out for good) and /health says 503;
- token variant, revocation none: an access token is checked by its signature
  alone, so /me keeps answering 200 while Redis is down (logins and refreshes,
  which write refresh families to Redis, do not);
- token variant, denylist: a token whose revocation cannot be checked is
  refused with 503 (fail closed): a revoked token must never slip through
  because the deny list happened to be unreachable.
When Redis comes back on the same address the servers recover by themselves.
The private Redis keeps nothing on disk, so what it held is lost: old sessions
are 401 (log in again), and so is a deny list's memory of revoked tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from authlab.redis_server import PrivateRedis
from servers.config import Settings
from tests.authlab.processes import wait_until
from tests.conftest import PASSWORD, register_and_login


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A Redis this test may stop and start again, on one fixed port."""
    private = PrivateRedis().start()
    try:
        yield private
    finally:
        private.stop()


def restart_on_same_port(private: PrivateRedis) -> None:
    private.requested_port = private.port
    private.start()
    assert private.port == private.requested_port


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def healthy(client: httpx.Client) -> bool:
    return client.get("/health").status_code == 200


def test_session_server_fails_closed_and_recovers(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
    private_redis: PrivateRedis,
) -> None:
    url = live_server(make_settings(variant="session", store="redis", redis_url=private_redis.url))
    with httpx.Client(base_url=url, timeout=10) as client:
        register_and_login(client)
        assert client.get("/me").status_code == 200
        old_cookie = client.cookies["sid"]

        private_redis.stop()
        for _ in range(3):  # every try, not just the first: no fallback, no stale answer
            me = client.get("/me")
            assert me.status_code == 503, me.text
            assert me.json()["error"] == "store_unavailable"
            assert me.headers["retry-after"] == "1"
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["failing"] == "redis"
        # A login cannot store its session either: 503, not a session that goes nowhere.
        login = client.post("/login", json={"username": "alice", "password": PASSWORD})
        assert login.status_code == 503

        restart_on_same_port(private_redis)
        assert wait_until(lambda: healthy(client)), "health did not recover"
        # The in-memory Redis lost every session: the old id is unknown now.
        assert client.cookies["sid"] == old_cookie
        assert client.get("/me").status_code == 401
        register_and_login(client)
        assert client.get("/me").json()["username"] == "alice"


def test_stateless_token_keeps_serving_me_during_the_outage(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
    private_redis: PrivateRedis,
) -> None:
    url = live_server(
        make_settings(variant="token", revocation="none", redis_url=private_redis.url)
    )
    with httpx.Client(base_url=url, timeout=10) as client:
        tokens = register_and_login(client).json()
        headers = bearer(tokens["access_token"])

        private_redis.stop()
        me = client.get("/me", headers=headers)
        assert me.status_code == 200
        assert me.json()["username"] == "alice"
        # What does need Redis says so: refresh families live there.
        assert client.get("/health").status_code == 503
        refresh = client.post("/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refresh.status_code == 503
        login = client.post("/login", json={"username": "alice", "password": PASSWORD})
        assert login.status_code == 503

        restart_on_same_port(private_redis)
        assert wait_until(lambda: healthy(client)), "health did not recover"
        assert client.get("/me", headers=headers).status_code == 200
        # The refresh family was lost with Redis: that refresh token is unknown now.
        refresh = client.post("/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refresh.status_code == 401
        fresh = register_and_login(client).json()["access_token"]
        assert client.get("/me", headers=bearer(fresh)).status_code == 200


def test_denylist_token_fails_closed_and_recovers(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
    private_redis: PrivateRedis,
) -> None:
    url = live_server(
        make_settings(variant="token", revocation="denylist", redis_url=private_redis.url)
    )
    with httpx.Client(base_url=url, timeout=10) as client:
        headers = bearer(register_and_login(client).json()["access_token"])
        assert client.get("/me", headers=headers).status_code == 200

        private_redis.stop()
        for _ in range(3):
            me = client.get("/me", headers=headers)
            assert me.status_code == 503, me.text
            assert me.json()["error"] == "store_unavailable"
        assert client.get("/health").status_code == 503

        restart_on_same_port(private_redis)
        assert wait_until(lambda: healthy(client)), "health did not recover"
        assert client.get("/me", headers=headers).status_code == 200
        fresh = register_and_login(client).json()["access_token"]
        assert client.get("/me", headers=bearer(fresh)).status_code == 200


def test_denylist_forgets_revocations_when_redis_loses_its_data(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
    private_redis: PrivateRedis,
) -> None:
    """A deny list in a Redis without persistence is only as durable as that Redis.

    A token logged out before the restart is accepted again after it, until its
    exp. This is the price the lab measures, not a server bug: a deployment that
    needs revocations to survive runs Redis with persistence (or a replica).
    """
    url = live_server(
        make_settings(variant="token", revocation="denylist", redis_url=private_redis.url)
    )
    with httpx.Client(base_url=url, timeout=10) as client:
        headers = bearer(register_and_login(client).json()["access_token"])
        assert client.post("/logout", headers=headers).status_code == 204
        assert client.get("/me", headers=headers).status_code == 401

        private_redis.stop()
        restart_on_same_port(private_redis)
        assert wait_until(lambda: healthy(client)), "health did not recover"
        assert client.get("/me", headers=headers).status_code == 200


@pytest.mark.parametrize("variant", ["session", "token-denylist"])
def test_a_silent_redis_fails_closed_at_the_deadline_and_recovers(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
    private_redis: PrivateRedis,
    variant: str,
) -> None:
    # A frozen Redis (SIGSTOP: sockets open, nothing answered) is what a network
    # partition looks like. Each store call has a deadline (servers/redis_client.py):
    # the answer is a 503 at the deadline, never a hang and never a 200.
    import os
    import signal

    from servers.redis_client import REQUEST_DEADLINE

    if variant == "session":
        settings = make_settings(variant="session", store="redis", redis_url=private_redis.url)
    else:
        settings = make_settings(
            variant="token", revocation="denylist", redis_url=private_redis.url
        )
    url = live_server(settings)
    assert private_redis.process is not None
    with httpx.Client(base_url=url, timeout=10 * REQUEST_DEADLINE) as client:
        login = register_and_login(client).json()
        token = login.get("access_token")
        headers = bearer(token) if token else {}
        assert client.get("/me", headers=headers).status_code == 200
        os.kill(private_redis.process.pid, signal.SIGSTOP)
        try:
            me = client.get("/me", headers=headers)
            assert me.status_code == 503, me.text
            assert me.json()["error"] == "store_unavailable"
        finally:
            os.kill(private_redis.process.pid, signal.SIGCONT)
        # The connection the deadline cut is replaced: the next request succeeds.
        assert wait_until(lambda: client.get("/me", headers=headers).status_code == 200)
