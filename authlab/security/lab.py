"""The security lab run: start every configuration, run each section, write security.json.

Sections, in the order they run: attacks (the credential battery), revocation,
hardening, csrf_browser, xss. The browser sections run in every browser of
the run (Chromium and Firefox by default; one that is missing is skipped with
its reason, or fails the run under require_browser). In a full run each
browser logs the victims of the SameSite-unset configurations in at the very
start, so that by the end their cookies are past the two-minute
Lax-allowing-unsafe window; the lab waits out whatever remains of it. A quick
run emulates the aged cookie with a browser started without the grace period.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import platform
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from authlab.processes import ProcessGroup
from authlab.redis_server import PrivateRedis
from authlab.results import add_to_manifest, new_run_dir, write_manifest
from authlab.security import csrf_browser, hardening, revocation, xss_lab
from authlab.security.browser import (
    BROWSERS,
    HEADER_STORAGES,
    AppTab,
    BrowserName,
    BrowserUnavailable,
    LabBrowser,
    Storage,
)
from authlab.security.configs import (
    BY_NAME,
    DEFAULT_ARGON2,
    LabConfig,
    select,
)
from authlab.security.discovery import FoundBrowser, find_browser, open_browser
from authlab.security.lab_servers import Fleet, LabServer
from authlab.security.printed_matrix import disagreements
from authlab.security.schema import SCHEMA_VERSION, SECTIONS
from authlab.security.summary import summarise
from authlab.settings_argv import serve_argv
from servers.config import CHEAP_ARGON2

T = TypeVar("T")
BATTERY_PASSWORD = "correct horse battery staple"
# The timing part of login hardening runs with the servers' own argon2 (OWASP's).
FAST_CONFIG = BY_NAME["session-lax-csrf-on"].renamed("hardening-fast")
TIMING_CONFIG = FAST_CONFIG.renamed("hardening-default-argon2", argon2=DEFAULT_ARGON2)


@dataclass
class LabOptions:
    out: Path | None = None  # the results root; a new <run-id> folder is made in it
    sections: tuple[str, ...] = SECTIONS
    configurations: list[str] | None = None  # None: all
    quick: bool = False
    require_browser: bool = False  # fail instead of skipping when a browser is missing
    browsers: tuple[BrowserName, ...] = BROWSERS
    # Where the app keeps a header credential for the XSS experiment (issue 9).
    storages: tuple[Storage, ...] = HEADER_STORAGES
    timing_tries: int | None = None
    entropy_logins: int | None = None
    access_ttl: int | None = None
    progress: Callable[[str], None] = field(default=lambda message: None)

    @property
    def tries(self) -> int:
        return self.timing_tries or (25 if self.quick else 150)

    @property
    def logins(self) -> int:
        return self.entropy_logins or (50 if self.quick else 300)

    @property
    def ttl(self) -> int:
        return self.access_ttl or (6 if self.quick else 10)

    def describe(self) -> dict[str, Any]:
        return {
            "sections": list(self.sections),
            "configurations": self.configurations,
            "quick": self.quick,
            "timing_tries_per_kind": self.tries,
            "entropy_logins": self.logins,
            "revocation_access_ttl_s": self.ttl,
            "browsers": list(self.browsers),
            "header_token_storage": list(self.storages),
        }


@dataclass
class LabRun:
    directory: Path
    document: dict[str, Any]

    @property
    def path(self) -> Path:
        return self.directory / "security.json"


def parse_only(only: str | None) -> tuple[tuple[str, ...], list[str] | None]:
    """--only a,b,c: section names and/or configuration names."""
    if not only:
        return SECTIONS, None
    names = [name.strip() for name in only.split(",") if name.strip()]
    sections = tuple(name for name in SECTIONS if name in names)
    configurations = [name for name in names if name not in SECTIONS]
    select(configurations)  # raises on an unknown name
    return sections or SECTIONS, configurations or None


C = TypeVar("C", bound=str)


def parse_choice(text: str, allowed: tuple[C, ...]) -> tuple[C, ...]:
    """'a,b' -> the named ones of allowed, in allowed's order; raises on others or none."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = sorted(names - set(allowed))
    if unknown or not names:
        problem = f"unknown: {', '.join(unknown)}" if unknown else "none named"
        raise ValueError(f"{problem} (choose from {', '.join(allowed)})")
    return tuple(name for name in allowed if name in names)


def _in_thread(function: Callable[[], T]) -> T:
    """Run asyncio-based work off the thread where Playwright's sync API lives."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(function).result()
    finally:
        # After Ctrl-C do not wait for it: its requests fail once the servers are stopped.
        pool.shutdown(wait=False, cancel_futures=True)


def run_lab(options: LabOptions) -> LabRun:
    configs = select(options.configurations)
    directory = new_run_dir("security", options.out)
    write_manifest(directory, "security", options.describe())
    started = time.monotonic()
    say = options.progress
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "run_id": directory.name,
        "created_at": None,
        "quick": options.quick,
        "sections": list(options.sections),
        "environment": {
            "chromium": None,
            "firefox": None,
            "browser_executables": {},  # {name: {version, path, found_by}} of those that ran
            "python": platform.python_version(),
            "lab_argon2": CHEAP_ARGON2.describe(),
            "timing_argon2": DEFAULT_ARGON2.describe(),
        },
        "configurations": [],
        "attacks": {"skipped": "not selected"},
        "csrf_browser": {"skipped": "not selected"},
        "xss": {"skipped": "not selected"},
        "revocation": {"skipped": "not selected"},
        "hardening": {"skipped": "not selected"},
        "summary": {},
    }
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="authlab-sec-")))
        redis = stack.enter_context(PrivateRedis())
        group = stack.enter_context(ProcessGroup())
        fleet = Fleet(group, workdir, redis.url, log_dir=directory / "server-logs")
        say(f"starting {len(configs)} configurations (redis {redis.url})")
        servers = _start(fleet, configs, options)
        document["configurations"] = [_describe(server) for server in fleet.servers.values()]
        main = [server for server in servers if server.name in {c.name for c in configs}]

        browsers: dict[BrowserName, LabBrowser] = {}
        skipped_browsers: dict[str, str] = {}
        aged: list[tuple[AppTab, LabServer, csrf_browser.Accounts]] = []
        wants_browser = {"csrf_browser", "xss"} & set(options.sections)
        if wants_browser:
            from authlab.security.browser import AttackerSite

            for name in options.browsers:
                try:
                    browsers[name], found = _open(name, stack)
                except BrowserUnavailable as error:
                    if options.require_browser:
                        raise RuntimeError(f"the browser sections need {name}: {error}") from error
                    say(f"{name} not measured: {error}")
                    skipped_browsers[name] = str(error)
                    continue
                ran = {"version": browsers[name].version, **found.describe()}
                say(f"{name}: {ran['version']} at {ran['path']} (found by {ran['found_by']})")
                document["environment"][name] = ran["version"]
                document["environment"]["browser_executables"][name] = ran
            add_to_manifest(directory, "browsers", document["environment"]["browser_executables"])
            if not browsers:
                for section in wants_browser:
                    document[section] = {"skipped": "; ".join(skipped_browsers.values())}
            else:
                site = stack.enter_context(AttackerSite())
                accounts = {server.name: csrf_browser.register_accounts(server) for server in main}
                if "csrf_browser" in options.sections and not options.quick:
                    for browser in browsers.values():
                        for server in main:
                            if server.config.ambient and server.config.samesite == "unset":
                                tab = stack.enter_context(
                                    browser.app_tab(server.browser_url, "cookie")
                                )
                                csrf_browser.log_in(tab, server, accounts[server.name])
                                aged.append((tab, server, accounts[server.name]))

        if "attacks" in options.sections:
            say("attack battery")
            document["attacks"] = _attacks(main, options)
        if "revocation" in options.sections:
            say(f"revocation windows (tokens live {options.ttl} s here)")
            targets = [
                fleet.servers.get(f"{server.name}@ttl{options.ttl}", server) for server in main
            ]
            document["revocation"] = _in_thread(lambda: revocation.run_revocation(targets))
        if "hardening" in options.sections:
            say(f"login hardening ({options.tries} timed tries per kind, default argon2)")
            document["hardening"] = {
                "login_timing": hardening.login_timing(
                    fleet.servers[TIMING_CONFIG.name], options.tries
                ),
                "throttle": hardening.throttle(fleet.servers[FAST_CONFIG.name]),
                "session_id_entropy": hardening.session_entropy(
                    fleet.servers[FAST_CONFIG.name], options.logins
                ),
            }
        if browsers and "csrf_browser" in options.sections:
            say(f"CSRF in {', '.join(browsers)}")
            aged_note = (
                "--quick: 'form_aged' emulated (browsers without the two-minute grace period)."
                if options.quick
                else "'form_aged': cookies really older than two minutes."
            )
            executables = document["environment"]["browser_executables"]
            document["csrf_browser"] = {
                "browser": "; ".join(
                    f"{b.version} at {executables[name]['path']} ({b.driver})"
                    for name, b in browsers.items()
                ),
                "browsers": {
                    name: {
                        "version": b.version,
                        "driver": b.driver,
                        "headless": True,
                        "path": executables[name]["path"],
                        "found_by": executables[name]["found_by"],
                    }
                    for name, b in browsers.items()
                },
                "skipped_browsers": skipped_browsers,
                "app_origin_form": "http://localhost:PORT",
                "attacker_origin": site.origin,
                "notes": [*csrf_browser.notes_for(list(browsers)), aged_note],
                "results": _csrf(browsers, site, main, accounts, aged, options, say),
            }
            document["csrf_browser"]["disagreements"] = disagreements(
                document["csrf_browser"]["results"]
            )
        if browsers and "xss" in options.sections:
            say(f"XSS exposure in {', '.join(browsers)}")
            document["xss"] = _xss(browsers, site, main, accounts, options)

    document["created_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    document["summary"] = summarise(document, time.monotonic() - started)
    run = LabRun(directory, document)
    run.path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return run


def _open(name: BrowserName, stack: contextlib.ExitStack) -> tuple[LabBrowser, FoundBrowser]:
    """Find the browser and start it (stopped with the stack); BrowserUnavailable says why
    not (none found, or it did not start)."""
    found = find_browser(name)
    return stack.enter_context(open_browser(found)), found


def _start(fleet: Fleet, configs: list[LabConfig], options: LabOptions) -> list[LabServer]:
    servers = list(configs)
    if "revocation" in options.sections:
        servers += [
            config.renamed(f"{config.name}@ttl{options.ttl}", access_ttl=options.ttl)
            for config in configs
            if config.variant == "token"
        ]
    if "hardening" in options.sections:
        servers += [TIMING_CONFIG, FAST_CONFIG]
    return fleet.start(servers)


def _describe(server: LabServer) -> dict[str, Any]:
    return {
        **server.config.describe(),
        "name": server.name,
        "port": server.port,
        "access_ttl_s": server.settings.access_ttl if server.config.variant == "token" else None,
        "argon2": server.settings.argon2.describe(),
        "argv": ["authlab", *serve_argv(server.settings)],
        "settings": dataclasses.asdict(server.settings),
    }


def _attacks(servers: list[LabServer], options: LabOptions) -> list[dict[str, Any]]:
    from authlab.security.attack_lab import variant_name
    from authlab.security.attacks import run_battery

    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for server in servers:
        variant = variant_name(server.settings)
        if options.quick and variant in seen:
            continue  # --quick: the battery once per variant, not per SameSite/CSRF setting
        seen.add(variant)
        results = run_battery(
            server.base_url, server.settings, server.user("battery"), BATTERY_PASSWORD
        )
        rows += [{"configuration": server.name, **_as_dict(result)} for result in results]
    return rows


def _as_dict(result: Any) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(result)


def _csrf(
    browsers: dict[BrowserName, LabBrowser],
    site: Any,
    servers: list[LabServer],
    accounts: dict[str, csrf_browser.Accounts],
    aged: list[tuple[AppTab, LabServer, csrf_browser.Accounts]],
    options: LabOptions,
    say: Callable[[str], None],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for browser in browsers.values():
        for server in servers:
            with browser.app_tab(server.browser_url, _csrf_storage(server)) as tab:
                rows += csrf_browser.run_fresh(tab, server, site, accounts[server.name])
            if options.quick and server.config.ambient and server.config.samesite == "unset":
                with browser.app_tab(server.browser_url, "cookie", lax_grace=False) as tab:
                    rows.append(
                        csrf_browser.run_emulated_aged(tab, server, site, accounts[server.name])
                    )
    if aged:
        youngest = min(tab.cookie_age() or 0.0 for tab, _, _ in aged)
        wait = csrf_browser.LAX_ALLOWING_UNSAFE_WINDOW + csrf_browser.AGED_MARGIN - youngest
        if wait > 0:
            say(f"waiting {wait:.0f} s until the SameSite-unset cookies are two minutes old")
            time.sleep(wait)
        for tab, server, account in aged:
            rows.append(csrf_browser.attack(tab, server, site, account, "form_aged", aged="real"))
    return rows


def _csrf_storage(server: LabServer) -> Storage:
    # CSRF does not depend on where a header credential is kept: the article's choice.
    return "cookie" if server.config.ambient else "localStorage"


def _xss(
    browsers: dict[BrowserName, LabBrowser],
    site: Any,
    servers: list[LabServer],
    accounts: dict[str, csrf_browser.Accounts],
    options: LabOptions,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for browser in browsers.values():
        for server in servers:
            storages = sorted(
                {xss_lab.storage_for(server, storage) for storage in options.storages},
                key=("localStorage", "memory", "cookie").index,
            )
            for storage in storages:
                with browser.app_tab(server.browser_url, storage, exfiltration=True) as tab:
                    rows.append(xss_lab.run_xss(tab, server, site, accounts[server.name]))
    return rows
