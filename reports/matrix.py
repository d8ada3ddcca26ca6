"""The 2 x 2: where the state lives (server-side store, or self-contained in a signed
credential) against how the credential travels (cookie, or Authorization header).

Each cell carries the run's measured cost for the variants in it, and, from the
security lab when the run has its results, the CSRF exposure and the revocation
window of the configurations in it; so that a reader sees which differences
follow the state and which follow the transport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports import fmt
from reports.claim import NOT_MEASURED
from reports.csrf import browser_name
from reports.load import RunData, variant_order
from reports.metrics import (
    configuration_info,
    number,
    security_rows,
    total_cpu,
    wire_bytes,
)
from results_format.variant_names import base_name as base_configuration
from results_format.variant_names import is_copy

STATES = (("server", "state on the server (session store)"), ("client", "self-contained token"))
TRANSPORTS = (("cookie", "cookie"), ("header", "Authorization header"))


@dataclass
class Cell:
    state: str
    transport: str
    variants: list[dict[str, str]] = field(default_factory=list)  # name + cost lines
    csrf: str = NOT_MEASURED
    revocation: str = NOT_MEASURED


def _state_of(info: dict[str, Any]) -> str | None:
    state = str(info.get("state"))
    if state == "server":
        return "server"
    if state in ("client", "client+server"):
        return "client"
    return None


def _config_state(config: dict[str, Any]) -> str:
    return "server" if config.get("variant") == "session" else "client"


def configured_access_ttl(run: RunData) -> int | None:
    """The access-token lifetime the run's token servers had (the manifest's settings)."""
    for name in [*variant_order(run), *run.described]:
        info = run.variant_info(name)
        settings = info.get("settings")
        if info.get("kind") == "token" and isinstance(settings, dict):
            ttl = settings.get("access_ttl")
            if ttl is not None:
                return int(ttl)
    return None


def _cost(run: RunData, variant: str) -> str:
    row = run.summary_row(variant) or {}
    cost = total_cpu(run, variant)
    parts = [f"{fmt.us(cost.median if cost else None)} CPU/req"]
    rps = number(row.get("max_throughput_rps"))
    if rps is not None:
        parts.append(fmt.rps(rps))
    size = wire_bytes(run, variant)
    if size:
        parts.append(f"{size[0]} B per GET /me")
    return ", ".join(parts)


def _csrf_text(rows: list[dict[str, Any]], names: set[str], fallback: str) -> str:
    """Which configurations of a cell lost a forged transfer, per browser where the
    results name more than one (and they disagree)."""
    mine = [r for r in rows if base_configuration(str(r.get("configuration"))) in names]
    if not mine:
        return NOT_MEASURED
    by_browser: dict[str, list[dict[str, Any]]] = {}
    for row in mine:
        by_browser.setdefault(browser_name(str(row.get("browser") or fallback)), []).append(row)
    texts = {browser: _csrf_one(group) for browser, group in sorted(by_browser.items())}
    if len(set(texts.values())) == 1:
        text = next(iter(texts.values()))
        return text + (f" (in {', '.join(texts)})" if len(texts) > 1 else "")
    return "; ".join(f"{browser}: {text}" for browser, text in texts.items())


def _csrf_one(mine: list[dict[str, Any]]) -> str:
    configs = sorted({base_configuration(str(r["configuration"])) for r in mine})
    hit = sorted(
        {base_configuration(str(r["configuration"])) for r in mine if r.get("transfer_happened")}
    )
    if not hit:
        if len(configs) == 1:
            return f"forged cross-site requests failed against {configs[0]}"
        return f"forged cross-site requests failed in all {len(configs)} configurations"
    return f"exploited in {len(hit)} of {len(configs)} configurations: {', '.join(hit)}"


def _revocation_text(rows: list[dict[str, Any]], info: dict[str, dict[str, Any]]) -> str:
    if not rows:
        return NOT_MEASURED
    by_mode: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        config = info.get(base_configuration(str(row["configuration"])), {})
        mode = "deny list" if config.get("revocation") == "denylist" else ""
        by_mode.setdefault(mode, []).append(row)
    texts = []
    for mode, group in sorted(by_mode.items()):
        bounds = {str(r.get("bounded_by")) for r in group}
        longest = max((number(r.get("works_for_s")) or 0.0) for r in group)
        lifetime = max((number(r.get("credential_lifetime_s")) or 0.0) for r in group)
        if bounds == {"immediate"}:
            text = "immediate (refused at the next request)"
        else:
            text = f"still accepted up to {longest:.1f} s after logout/password change/disable"
            if lifetime:
                text += f" (token lifetime {lifetime:.0f} s: bounded by exp)"
        texts.append(f"{mode}: {text}" if mode else text)
    return "; ".join(texts)


def two_by_two(run: RunData) -> list[Cell]:
    cells = {
        (state, transport): Cell(state, transport)
        for state, _ in STATES
        for transport, _ in TRANSPORTS
    }
    for variant in variant_order(run):
        info = run.variant_info(variant)
        state = _state_of(info)
        transport = str(info.get("transport"))
        if state is None or (state, transport) not in cells or run.summary_row(variant) is None:
            continue
        cells[(state, transport)].variants.append({"name": variant, "cost": _cost(run, variant)})
    configs = configuration_info(run)
    csrf_rows = security_rows(run, "csrf_browser")
    section = (run.security or {}).get("csrf_browser")
    fallback = str(section.get("browser") or "") if isinstance(section, dict) else ""
    revocation_rows = security_rows(run, "revocation")
    access_ttl = configured_access_ttl(run)
    for (state, transport), cell in cells.items():
        names = {
            name
            for name, config in configs.items()
            if not is_copy(name)
            and _config_state(config) == state
            and config.get("transport") == transport
        }
        cell.csrf = _csrf_text(csrf_rows, names, fallback)
        mine = [r for r in revocation_rows if base_configuration(str(r["configuration"])) in names]
        cell.revocation = _revocation_text(mine, configs)
        if cell.revocation == NOT_MEASURED:
            configured = (
                "immediate: the server deletes the record"
                if state == "server"
                else "until exp"
                + (f": access tokens live {access_ttl} s" if access_ttl is not None else "")
            )
            cell.revocation = f"{NOT_MEASURED} (as configured: {configured})"
    return list(cells.values())
