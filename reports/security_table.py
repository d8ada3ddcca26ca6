"""The security lab's table on the page: one row per configuration, drawn from the lab's
own rows (not its summary's matrix), one column per browser wherever the browsers'
outcomes differ, and XSS said in two parts (what a script could read, whether its own
request acted as the user) so that no cell reads "HttpOnly stops XSS"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.csrf import browser_name
from reports.load import RunData
from reports.metrics import configuration_info, security_rows, token_stolen
from reports.names import configuration_words
from reports.xss import PLACES
from results_format.variant_names import base_name, is_copy

VECTORS = (("form", "CSRF form"), ("fetch", "CSRF fetch"), ("form_aged", "CSRF form, aged cookie"))


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


def _csrf_cell(row: dict[str, Any], transport: str) -> str:
    status = (row.get("server_saw") or {}).get("status")
    emulated = ", emulated" if row.get("aged") == "emulated" else ""
    if row.get("transfer_happened"):
        return f"EXPLOITED{emulated}"
    if status == 403:
        return f"blocked by the CSRF check (403){emulated}"
    if status == 401:
        sent = "cookie not sent" if transport == "cookie" else "no credential sent"
        return f"{sent} (401){emulated}"
    return f"refused ({status}){emulated}" if status else f"refused{emulated}"


def _xss_cell(rows: list[dict[str, Any]]) -> str:
    """What a script could read, and whether its own POST /transfer went through."""
    read = sorted({PLACES.get(str(r.get("storage")), str(r.get("storage"))) for r in rows
                   if token_stolen(r)})  # fmt: skip
    acted = sum(r.get("same_origin_transfer_status") == 200 for r in rows)
    reads = f"reads the credential ({', '.join(read)})" if read else "reads no credential"
    return f"{reads}; acts as the user in {acted} of {len(rows)}"


def _per_browser(
    cells: dict[tuple[str, str], str], names: list[str], browsers: list[str], label: str
) -> tuple[list[str], list[list[str]]]:
    """One column when every browser gave the same cell in every row, else one per browser."""
    differs = any(
        len({cells.get((name, b), "-") for b in browsers}) > 1 for name in names
    )  # fmt: skip
    if not differs or len(browsers) < 2:
        suffix = f" ({', '.join(browsers)})" if len(browsers) > 1 else ""
        return [label + suffix], [[cells.get((name, browsers[0]), "-")] for name in names]
    return (
        [f"{label}: {browser}" for browser in browsers],
        [[cells.get((name, b), "-") for b in browsers] for name in names],
    )


def table(run: RunData) -> Table | None:
    if not run.security:
        return None
    info = configuration_info(run)
    names = [n for n in info if not is_copy(n)]
    if not names:
        return None
    csrf_rows = security_rows(run, "csrf_browser")
    browsers = sorted({browser_name(str(r.get("browser") or "chromium")) for r in csrf_rows})
    columns = ["configuration"]
    blocks: list[list[list[str]]] = []
    attacks = security_rows(run, "attacks")
    if attacks:
        columns.append("attack battery")
        blocks.append([[_attacks_cell(attacks, name)] for name in names])
    for vector, label in VECTORS:
        cells = {
            (base_name(str(r.get("configuration"))), browser_name(str(r.get("browser")))):
            _csrf_cell(r, str(info.get(base_name(str(r.get("configuration"))), {})
                              .get("transport")))
            for r in csrf_rows
            if r.get("vector") == vector
        }  # fmt: skip
        if cells and browsers:
            heads, block = _per_browser(cells, names, browsers, label)
            columns += heads
            blocks.append(block)
    xss_rows = security_rows(run, "xss")
    if xss_rows:
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in xss_rows:
            key = (str(r.get("configuration")), browser_name(str(r.get("browser"))))
            grouped.setdefault(key, []).append(r)
        cells = {key: _xss_cell(rows) for key, rows in grouped.items()}
        xss_browsers = sorted({b for _, b in grouped})
        heads, block = _per_browser(cells, names, xss_browsers, "injected script")
        columns += heads
        blocks.append(block)
    logout = {
        base_name(str(r.get("configuration"))): str(r.get("display") or "")
        for r in security_rows(run, "revocation")
        if r.get("event") == "logout"
    }
    if logout:
        columns.append("works after logout")
        blocks.append([[logout.get(name, "-")] for name in names])
    rows = []
    for index, name in enumerate(names):
        row = [f"{configuration_words(info[name])} ({name})"]
        for block in blocks:
            row += block[index]
        rows.append(row)
    return Table(columns, rows)


def _attacks_cell(attacks: list[dict[str, Any]], name: str) -> str:
    mine = [r for r in attacks if base_name(str(r.get("configuration"))) == name]
    if not mine:
        return "-"
    return f"{sum(bool(r.get('passed')) for r in mine)} of {len(mine)} as expected"
