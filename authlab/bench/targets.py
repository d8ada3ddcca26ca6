"""A server the lab did not write, as one more bench variant.

A TargetVariant is a Variant whose server comes from a target file
(authlab.bench.target_file) instead of the lab's Settings: the bench starts it
through the same Fleet (its command, in its own directory, with the port, the
private Redis and a scratch PostgreSQL database filled in), verifies it against
what its file declares, logs its accounts in the way the file says, and loads it
in the phases that apply to a server outside the lab (GET-only: CPU per request,
throughput, latency). Everything it measures lands in the same tables as the lab's
variants, under the target's name.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import httpx
import psutil

from authlab.bench.derive import CREDENTIAL_CLOSED, CREDENTIAL_RATE
from authlab.bench.profiles import Profile
from authlab.bench.target_file import TargetSpec, load_target
from authlab.bench.variant_servers import RunningVariant
from authlab.bench.variants import State, Variant
from authlab.bench.verify import VerificationFailed, WireSize, raw_exchange
from authlab.fleet import Command, Probe
from authlab.processes import Tracked
from servers.config import Settings

# The phases a target runs: the credential alone (authenticated GET of its me path,
# logged in beforehand). The request mix, login storm, logout churn and refresh phases
# use the lab's own API (/transfer, its accounts' cheap hash): not measured for a target.
TARGET_PHASES = (CREDENTIAL_CLOSED, CREDENTIAL_RATE)
# After logout, a credential still accepted is asked again this much later.
REVOCATION_PROBE_S = 2.0
ACCOUNT_PREFIX = "user"
WARM_UP_REQUESTS = 4000
# The smoke profile checks that everything works, it measures nothing worth a JIT's warm-up.
SMOKE_WARM_UP_REQUESTS = 400
WARM_UP_CONNECTIONS = 4


def accounts_needed(profile: Profile) -> int:
    """As many accounts as the most users a target phase logs in (phase.run_phase hands
    them out modulo the profile's seeded accounts)."""
    users = [p.users for p in profile.phases if p.name in TARGET_PHASES]
    return max(1, min(max(users, default=1), profile.seeded_users or 1))


def warm_up_requests(profile: Profile) -> int:
    return SMOKE_WARM_UP_REQUESTS if profile.name == "smoke" else WARM_UP_REQUESTS


def target_database(
    variant: Variant, postgres_url: str | None, stack: contextlib.ExitStack
) -> tuple[Variant, str | None]:
    """The variant with a scratch PostgreSQL database where its file asks for one (dropped
    when `stack` closes), or the reason it cannot have one."""
    if not isinstance(variant, TargetVariant) or not variant.needs_postgres:
        return variant, None
    if not postgres_url:
        return variant, (
            "its target file asks for a PostgreSQL database: give --postgres-url "
            "(or AUTHLAB_POSTGRES_URL), e.g. postgresql://postgres@127.0.0.1:5432/postgres"
        )
    import asyncpg

    from authlab.bench.scratch import scratch_postgres

    try:
        database = stack.enter_context(scratch_postgres(postgres_url))
    except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        return variant, f"no scratch database on {postgres_url}: {error}"
    return dataclasses.replace(variant, database_url=database), None


class Adopted(Tracked):
    """A server process the run did not start ([running] pid): its CPU is counted like a
    started one's (it and its children), and the run never stops it."""

    def __init__(self, name: str, pid: int) -> None:
        super().__init__("server", name, cast("subprocess.Popen[bytes]", None))
        self._pid = pid

    @property
    def pid(self) -> int:
        return self._pid


def running_target(variant: Variant) -> RunningVariant | None:
    """A [running] target as the run sees it: its URL, and its process adopted for the CPU
    count; None for a server the run starts itself."""
    if not isinstance(variant, TargetVariant) or variant.spec.running is None:
        return None
    running = variant.spec.running
    return RunningVariant(
        variant,
        [],
        None,
        None,
        remote_url=running.url,
        adopted=Adopted(f"server-{variant.name}", running.pid),
    )


def target_command(spec: TargetSpec) -> Command:
    """The launch command for Fleet: the target's own, in its directory, with its env.

    `env -C DIR NAME=VALUE ... COMMAND` execs the command: the process Fleet tracks
    (its CPU count, its health wait, its stop) is the server itself.
    """
    start = spec.start
    assert start is not None

    def command(settings: Settings) -> list[str]:
        values = {
            "port": str(settings.port),
            "redis_url": settings.redis_url or "",
            "database_url": settings.database_url,
        }
        assignments = [f"{k}={v}" for k, v in start.environment(**values).items()]
        return ["env", "-C", str(start.cwd), *assignments, *start.argv(**values)]

    return command


@dataclass(frozen=True, kw_only=True)
class TargetVariant(Variant):
    spec: TargetSpec
    accounts: int = 40  # accounts user000000.. made before verification
    warm_up: int = WARM_UP_REQUESTS  # authenticated GETs after verification, unmeasured
    database_url: str | None = None  # its scratch PostgreSQL database, once made
    # What verification saw (logout's effect), for the verification table.
    facts: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_file(
        cls, path: Path | str, accounts: int = 40, warm_up: int = WARM_UP_REQUESTS
    ) -> TargetVariant:
        spec = load_target(path)
        return cls(
            name=spec.name,
            settings=Settings(),
            description=spec.description or f"{spec.runtime} {spec.kind} server ({spec.path})",
            spec=spec,
            accounts=accounts,
            warm_up=warm_up,
        )

    # --- what a variant is, read from the file instead of Settings --------------------

    @property
    def kind(self) -> Literal["baseline", "session", "token"]:
        return self.spec.kind

    @property
    def transport(self) -> Literal["cookie", "header"]:
        return "cookie" if self.spec.send == "cookie" else "header"

    @property
    def store(self) -> str:
        return self.spec.store if self.spec.stateful else "-"

    @property
    def alg(self) -> str:
        return "-"  # the file does not say, and the lab does not guess

    @property
    def state(self) -> State:
        return self.spec.state

    @property
    def needs_redis(self) -> bool:
        return self.spec.store == "redis"

    @property
    def runtime(self) -> str:
        return self.spec.runtime

    @property
    def me_path(self) -> str:
        return self.spec.me

    @property
    def ready(self) -> Probe:
        # Without a health path: the me path answering 401 to a request without credential.
        if self.spec.health:
            return (self.spec.health, frozenset({200}))
        return (self.spec.me, frozenset({401}))

    @property
    def has_twin(self) -> bool:
        return False  # the plain twin is a yardstick for the lab's own code only

    @property
    def needs_postgres(self) -> bool:
        return self.spec.start is not None and self.spec.start.database == "postgresql"

    def runs_phase(self, phase: str) -> bool:
        return phase in TARGET_PHASES

    def verification_facts(self) -> dict[str, Any]:
        return {"runtime": self.runtime, **self.facts}

    def command(self, plain_twin: bool = False) -> Command:
        return target_command(self.spec)

    def deploy(self, **where: Any) -> Settings:
        if self.database_url:
            where["database_url"] = self.database_url
        return super().deploy(**where)

    def describe(self, colour: str | None = None) -> dict[str, Any]:
        spec = self.spec
        return {
            **super().describe(colour),
            "settings": {},
            "target": {
                "file": str(spec.path),
                "send": spec.send,
                "stateful": spec.stateful,
                "me": spec.me,
                "logout": spec.logout,
                "logout_ends_credential": spec.logout_ends_credential,
                "refresh": spec.refresh,
                "csrf": spec.csrf is not None,
                "phases": list(TARGET_PHASES),
            },
        }

    # --- accounts, logging in, verification --------------------------------------------

    def make_accounts(self, url: str, password: str) -> None:
        """Accounts user000000.. through the file's register endpoint (its seed command
        runs in authlab.bench.runner, where processes are started)."""
        register = self.spec.accounts.register
        if register is None:
            self._seed(password)
            return
        with httpx.Client(base_url=url, timeout=30) as client:
            for number in range(self.accounts):
                response = client.post(register, json=self._credentials(number, password))
                # 409: the account is there already (a seed, or a second start).
                if response.status_code not in (200, 201, 204, 409):
                    raise VerificationFailed(
                        f"POST {register} answered {response.status_code}: {response.text[:200]}"
                    )

    def _seed(self, password: str) -> None:
        seed, start = self.spec.accounts.seed, self.spec.start
        assert seed is not None
        values = {
            "count": str(self.accounts),
            "prefix": ACCOUNT_PREFIX,
            "password": password,
            "database_url": self.database_url or "",
        }
        cwd = start.cwd if start else self.spec.path.parent
        try:
            done = subprocess.run(
                [part.format(**values) for part in seed],
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise VerificationFailed(f"the seed command failed: {error}") from error
        if done.returncode != 0:
            raise VerificationFailed(
                f"the seed command exited {done.returncode}: {done.stderr[-300:]}"
            )

    def _credentials(self, number: int, password: str) -> dict[str, str]:
        login = self.spec.login
        return {
            login.username_field: f"{ACCOUNT_PREFIX}{number:06d}",
            login.password_field: password,
        }

    def _login(self, client: httpx.Client, username: str, password: str) -> dict[str, str]:
        """Log in; the headers that carry the credential (and CSRF token) from then on."""
        login = self.spec.login
        client.cookies.clear()
        response = client.post(
            login.path, json={login.username_field: username, login.password_field: password}
        )
        if response.status_code != 200:
            raise VerificationFailed(
                f"POST {login.path} answered {response.status_code}: {response.text[:200]}"
            )
        body = _json(response)
        headers: dict[str, str] = {}
        if login.cookie is not None:
            value = response.cookies.get(login.cookie)
            if not value:
                raise VerificationFailed(
                    f"POST {login.path} answered 200 without the cookie {login.cookie!r}"
                )
            headers["Cookie"] = f"{login.cookie}={value}"
        else:
            token = body.get(str(login.json))
            if not isinstance(token, str) or not token:
                raise VerificationFailed(
                    f"POST {login.path} answered 200 without the JSON field {login.json!r}"
                )
            headers["Authorization"] = f"Bearer {token}"
        if self.spec.csrf is not None:
            csrf = body.get(self.spec.csrf.json)
            if isinstance(csrf, str):
                headers[self.spec.csrf.header] = csrf
        client.cookies.clear()  # the credential rides in headers only, as in the phases
        return headers

    def prelogin(self, url: str, accounts: list[str], password: str) -> list[dict[str, str]]:
        """Each account's headers for the GET-only phases (bench.phase.run_phase)."""
        credentials = []
        with httpx.Client(base_url=url, timeout=30) as client:
            for account in accounts:
                headers = self._login(client, account, password)
                if self.spec.csrf is not None:
                    headers.pop(self.spec.csrf.header, None)  # a GET carries none
                credentials.append(headers)
        return credentials

    def verify(self, url: str, username: str, password: str) -> list[WireSize]:
        """What the file declares, checked before any load: login works, the me path
        answers 200 with the credential and 401 without, logout does what is declared.
        Returns the wire size of a login and of an authenticated GET."""
        spec = self.spec
        if spec.running is not None and not psutil.pid_exists(spec.running.pid):
            raise VerificationFailed(f"no process {spec.running.pid} ([running] pid)")
        try:
            self.make_accounts(url, password)
            with httpx.Client(base_url=url, timeout=30) as client:
                wrong = client.post(
                    spec.login.path,
                    json={
                        spec.login.username_field: username,
                        spec.login.password_field: password + "x",
                    },
                )
                if wrong.status_code < 400 or wrong.status_code >= 500:
                    raise VerificationFailed(
                        f"POST {spec.login.path} with a wrong password answered "
                        f"{wrong.status_code}, not a 4xx"
                    )
                headers = self._login(client, username, password)
                _expect(client.get(spec.me, headers=headers), 200, f"GET {spec.me} with it")
                _expect(client.get(spec.me), 401, f"GET {spec.me} without a credential")
                if spec.logout is not None:
                    self._verify_logout(client, username, password)
            login_body = json.dumps(self._credentials(0, password)).encode()
            _, sent, received = raw_exchange(url, "POST", spec.login.path, {}, login_body)
            sizes = [WireSize("POST /login", sent, received)]
            get_headers = _get_headers(self, headers)
            status, sent, received = raw_exchange(url, "GET", spec.me, get_headers, b"")
            if status != 200:
                raise VerificationFailed(f"raw GET {spec.me} answered {status}")
            sizes.append(WireSize("GET /me", sent, received))
            self._warm_up(url, get_headers)
            return sizes
        except httpx.HTTPError as error:
            raise VerificationFailed(f"{type(error).__name__}: {error}") from error

    def _warm_up(self, url: str, headers: dict[str, str]) -> None:
        """Authenticated GETs before the first phase: a runtime with a JIT (V8, the JVM)
        compiles its hot paths in its first thousands of requests (Express on Node 20 here:
        740 µs a GET in the first thousand, about 420 from the third on), which a 2 s
        phase would otherwise count as the credential's cost."""
        with httpx.Client(base_url=url, timeout=30, headers=headers) as client:

            def send(requests: int) -> None:
                for _ in range(requests):
                    client.get(self.spec.me)

            with ThreadPoolExecutor(WARM_UP_CONNECTIONS) as pool:
                share = self.warm_up // WARM_UP_CONNECTIONS
                list(pool.map(send, [share] * WARM_UP_CONNECTIONS))
        self.facts["warm_up_requests"] = self.warm_up

    def _verify_logout(self, client: httpx.Client, username: str, password: str) -> None:
        spec = self.spec
        assert spec.logout is not None
        headers = self._login(client, username, password)
        expires = _token_lifetime_s(headers)
        response = client.post(spec.logout, headers=headers)
        if response.status_code >= 300:
            raise VerificationFailed(f"POST {spec.logout} answered {response.status_code}")
        after = client.get(spec.me, headers=headers).status_code
        self.facts.update(
            logout_declared="ends the credential"
            if spec.logout_ends_credential
            else "the credential stays valid",
            credential_lifetime_s=expires,
        )
        if spec.logout_ends_credential:
            if after != 401:
                raise VerificationFailed(
                    f"declared: logout ends the credential; GET {spec.me} after logout "
                    f"answered {after}"
                )
            self.facts.update(logout_observed="refused at once", revocation_window_s=0.0)
            return
        if after != 200:
            raise VerificationFailed(
                f"declared: the credential outlives logout; GET {spec.me} after it answered {after}"
            )
        time.sleep(REVOCATION_PROBE_S)
        later = client.get(spec.me, headers=headers).status_code
        self.facts.update(
            logout_observed=f"accepted {REVOCATION_PROBE_S:.0f} s after logout"
            if later == 200
            else f"refused {REVOCATION_PROBE_S:.0f} s after logout",
            # Still accepted: the window lasts until the token expires, where it says.
            revocation_window_s=expires if later == 200 else REVOCATION_PROBE_S,
        )


def _get_headers(variant: TargetVariant, headers: dict[str, str]) -> dict[str, str]:
    csrf = variant.spec.csrf
    return {k: v for k, v in headers.items() if csrf is None or k != csrf.header}


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise VerificationFailed(
            f"{what}: expected {status}, got {response.status_code} {response.text[:200]}"
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _token_lifetime_s(headers: dict[str, str]) -> float | None:
    """exp - iat of a JWT in the Authorization header (read, not verified), else None."""
    token = headers.get("Authorization", "").removeprefix("Bearer ")
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        return float(payload["exp"]) - float(payload.get("iat", time.time()))
    except (ValueError, KeyError, TypeError):
        return None
