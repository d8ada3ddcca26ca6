"""The printed matrix: one row per configuration and browser, then where the browsers
disagree, hardening and the notes.

The attack battery and the revocation windows do not involve a browser: each browser's
row repeats them. CSRF and XSS cells are that browser's own.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from authlab.security.schema import skipped
from authlab.security.summary import csrf_cell

_COLUMNS = (
    ("configuration", "configuration"),
    ("browser", "browser"),
    ("attacks", "attacks ok"),
    ("csrf_form", "CSRF form"),
    ("csrf_fetch", "CSRF fetch"),
    ("csrf_form_aged", "form >2 min"),
    ("xss", "XSS reads"),
    ("revoke_logout", "after logout"),
    ("revoke_password_change", "after pw change"),
    ("revoke_account_disabled", "after disable"),
    ("passed", "as expected"),
)


def _cell(key: str, value: Any) -> Text:
    if value is None:
        return Text("-", style="dim")
    if key == "passed":
        return Text("yes", style="green") if value else Text("NO", style="bold red")
    text = str(value)
    if text.startswith("EXPLOITED") or "token stolen" in text:
        return Text(text, style="bold red")
    if text.startswith("exp"):
        return Text(text, style="yellow")
    return Text(text)


def _section(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    section = document.get(name)
    if skipped(section) or section is None:
        return []
    return list(section.get("results", []) if isinstance(section, dict) else section)


def csrf_text(row: dict[str, Any]) -> str:
    cell = csrf_cell(row)
    return f"{cell}, emulated" if row.get("aged") == "emulated" else cell


def xss_text(row: dict[str, Any]) -> str:
    storage = row.get("storage", "localStorage")
    if row.get("token_in_local_storage"):
        found = f"token stolen (/me {row.get('stolen_access_token_me_status')})"
    elif row.get("token_captured_in_flight"):
        found = f"token stolen in flight (/me {row.get('stolen_access_token_me_status')})"
    elif row.get("credential_cookie_visible"):
        found = "cookie stolen"
    else:
        found = "reads " + (", ".join(row.get("document_cookie_names", [])) or "nothing")
    return f"{storage}: {found}"


def browser_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The summary's matrix rows, one per browser that ran (or one row with no browser)."""
    csrf: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in _section(document, "csrf_browser"):
        csrf[(row["configuration"], row.get("browser", "chromium"))].append(row)
    xss: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in _section(document, "xss"):
        xss[(row["configuration"], row.get("browser", "chromium"))].append(row)
    browsers = sorted({browser for _, browser in (*csrf, *xss)})
    out = []
    for base in document["summary"]["matrix"]:
        name = base["configuration"]
        # What does not involve a browser: everything but the CSRF and XSS cells.
        shared = {k: v for k, v in base.items() if not k.startswith(("csrf_", "xss"))}
        shared["passed"] = _passed_without_browser(document, name)
        for browser in browsers or [""]:
            row = dict(shared, browser=browser or None)
            for item in csrf.get((name, browser), []):
                row[f"csrf_{item['vector']}"] = csrf_text(item)
                row["passed"] &= bool(item["passed"])
            items = xss.get((name, browser), [])
            if items:
                row["xss"] = "; ".join(xss_text(item) for item in items)
                row["passed"] &= all(item["passed"] for item in items)
            out.append(row)
    return out


def _passed_without_browser(document: dict[str, Any], name: str) -> bool:
    rows = [r for r in _section(document, "attacks") if r["configuration"] == name]
    rows += [
        r for r in _section(document, "revocation") if r["configuration"].split("@")[0] == name
    ]
    return all(r.get("passed") for r in rows)


def disagreements(csrf_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """(configuration, vector) pairs on which the browsers' outcomes differ."""
    cells: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for row in csrf_rows:
        cells[(row["configuration"], row["vector"])][row.get("browser", "chromium")] = csrf_text(
            row
        )
    return [
        {"configuration": name, "vector": vector, **by_browser}
        for (name, vector), by_browser in cells.items()
        if len(by_browser) > 1 and len({_outcome(cell) for cell in by_browser.values()}) > 1
    ]


def _outcome(cell: str) -> str:
    """A cell without its status code and label: what happened, to compare browsers."""
    return cell.split(" (", 1)[0].split(",", 1)[0]


def render(document: dict[str, Any], console: Console) -> None:
    summary = document["summary"]
    rows = browser_rows(document)
    present = [(key, title) for key, title in _COLUMNS if any(key in row for row in rows)]
    table = Table(title="authlab security matrix", title_justify="left", show_lines=False)
    for key, title in present:
        table.add_column(title, overflow="fold", no_wrap=key == "configuration")
    for row in rows:
        table.add_row(*(_cell(key, row.get(key)) for key, _ in present))
    console.print(table)

    hardening = document["hardening"]
    if not skipped(hardening):
        timing = hardening["login_timing"]
        throttle = hardening["throttle"]
        entropy = hardening["session_id_entropy"]
        console.print(
            f"login timing ({timing['argon2']}, {timing['tries_per_kind']} tries each): "
            f"median unknown user {timing['median_ms']['unknown_user']:.1f} ms, wrong password "
            f"{timing['median_ms']['wrong_password']:.1f} ms; {timing['test']}: "
            f"p = {timing['p_value']:.3g} ("
            + ("distinguishable" if timing["distinguishable"] else "no detectable difference")
            + f" at alpha {timing['alpha']}); responses identical: "
            f"{timing['responses_identical']}"
        )
        console.print(
            f"throttle (max {throttle['max_failures']} failures): existing account "
            f"{throttle['existing_account']['statuses']}, unknown account "
            f"{throttle['unknown_account']['statuses']}, right password while throttled: "
            f"{throttle['correct_password_while_throttled']}"
        )
        console.print(
            f"session ids: {entropy['unique_ids']}/{entropy['logins']} unique, "
            f"{entropy['id_bits']} bits ({entropy['id_characters']} base64url characters), "
            f"share of one bits {entropy['ones_fraction_overall']}, per-bit balance within "
            f"+-{entropy['ones_fraction_per_bit']['allowed_band']}: {entropy['bits_balanced']}"
        )
    csrf = document["csrf_browser"]
    if not skipped(csrf):
        console.print(f"browsers: {csrf['browser']}; attacker site {csrf['attacker_origin']}")
        for name, reason in (csrf.get("skipped_browsers") or {}).items():
            console.print(f"{name}: skipped ({reason})", style="yellow")
        differ = disagreements(csrf["results"])
        if differ:
            console.print("[bold]where the browsers disagree (CSRF):[/]")
            for item in differ:
                outcomes = ", ".join(
                    f"{key}: {value}"
                    for key, value in item.items()
                    if key not in ("configuration", "vector")
                )
                console.print(f"  {item['configuration']} {item['vector']}: {outcomes}")
        for note in csrf["notes"]:
            console.print(f"  - {note}", style="dim")
    for section in ("attacks", "csrf_browser", "xss", "revocation"):
        failed = summary[section]["failed"]
        if failed:
            console.print(f"[bold red]{section}: not as expected:[/] " + "; ".join(failed[:20]))
    for section in ("attacks", "csrf_browser", "xss", "revocation", "hardening"):
        if skipped(document[section]):
            console.print(f"{section}: skipped ({document[section]['skipped']})", style="yellow")
    for claim in summary["claims"]:
        console.print(f"[bold]{claim['claim']}[/] {claim['verdict']}. {claim['finding']}")
    verdict = (
        "[green]all as expected[/]" if summary["all_passed"] else "[bold red]NOT all as expected[/]"
    )
    console.print(f"{verdict} in {summary['duration_s']} s")
