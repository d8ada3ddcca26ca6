"""The printed matrix: one row per configuration, then hardening and the notes."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from authlab.security.schema import skipped

_COLUMNS = (
    ("configuration", "configuration"),
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
    if text.startswith("EXPLOITED") or text.startswith("token stolen"):
        return Text(text, style="bold red")
    if text.startswith("exp"):
        return Text(text, style="yellow")
    return Text(text)


def render(document: dict[str, Any], console: Console) -> None:
    summary = document["summary"]
    rows = summary["matrix"]
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
        console.print(f"browser: {csrf['browser']}; attacker site {csrf['attacker_origin']}")
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
