"""The schema of results/<run-id>/security.json: the security lab writes it, the report reads it.

Top level (every key is always present; a section that was not run holds
{"skipped": "<why>"} in place of its results, or [] for the list sections):

    schema_version   int, 1
    run_id           the results folder's name
    created_at       ISO 8601 time the file was written
    quick            bool: --quick (fewer samples, no two-minute SameSite wait)
    sections         the sections run, in order
    environment      {"chromium": version or null, "firefox": version or null,
                      "browser_executables": {name: {version, path, found_by}} for each
                      browser that ran (where discovery.py found it),
                      "redis": URL kind, "python": version,
                      "lab_argon2": "...", "timing_argon2": "..."}
    configurations   [ {name, variant, transport, samesite, csrf, revocation,
                        credential_cookie, port, argv, settings} ]   every server the lab
                      started; settings: its spec (servers.config.Settings as a dict)
                      (extra ones: "<name>@ttlN" short-lived tokens for the revocation
                      window, "hardening-*" for login hardening)
    attacks          [ {configuration, attack, variant, expected ("4xx"|"2xx"),
                        observed (HTTP status, 0 = no answer), passed, detail} ]
    csrf_browser     {"browser" (one line naming every browser that ran),
                      "browsers": {"chromium"|"firefox": {version, driver, headless,
                        path, found_by}},
                      "skipped_browsers": {name: why (none found: how to get one; or
                        "the browser at PATH did not start: its first lines")},
                      "app_origin_form",
                      "attacker_origin", "notes": [str],
                      "disagreements": [ {configuration, vector, chromium: cell,
                        firefox: cell} ]  where the browsers' outcomes differ,
                      "results": [ {configuration, browser ("chromium"|"firefox"),
                        vector ("form"|"fetch"|"form_aged"),
                        aged ("real"|"emulated", form_aged only, else null),
                        cookie_age_s, expected_cookie_sent, expected_exploitable,
                        cookie_sent, withheld_because [Chromium's blocked reasons;
                        always [] in Firefox, whose BiDi gives none],
                        server_saw {sec_fetch_site, sec_fetch_mode, origin,
                        cookies [names], status} | null, transfer_happened,
                        balance_delta, passed, detail} ]}
    xss              [ {configuration, browser ("chromium"|"firefox"),
                        storage ("localStorage"|"memory": where the app kept a header
                        credential, the lab's setting; "cookie": an HttpOnly cookie),
                        local_storage_keys, document_cookie_names,
                        token_in_local_storage (readable at rest),
                        token_captured_in_flight (taken from the app's own request),
                        token_stolen (either), credential_cookie_visible,
                        csrf_cookie_visible, exfiltrated, stolen_access_token_me_status,
                        stolen_refresh_token_status, same_origin_transfer_status,
                        expected_token_exposed, expected_token_stolen, passed,
                        detail} ]      one row per configuration, browser and storage
    revocation       [ {configuration, event ("logout"|"password_change"|
                        "account_disabled"), action, event_ok, credential_lifetime_s (null for
                        sessions), remaining_lifetime_at_event_s, works_for_s,
                        refused_after_s, bounded_by ("immediate"|"exp"|"delayed"|
                        "not revoked"|"inconclusive"), expected_bounded_by, checks,
                        refresh_token_status_after, display, tries (2 where the first
                        try was inconclusive and a fresh account measured again; absent
                        in files from before it), passed} ]
    hardening        {"login_timing": {argon2, tries_per_kind, median_ms {unknown_user,
                        wrong_password}, p90_ms, median_difference_ms, test, u, z,
                        p_value, effect_size_prob_unknown_slower, alpha, distinguishable,
                        statuses, responses_identical, distinct_responses},
                      "throttle": {max_failures, window_s, existing_account {statuses,
                        retry_after}, unknown_account {...}, expected_statuses,
                        correct_password_while_throttled, passed},
                      "session_id_entropy": {logins, unique_ids, id_bits, id_bytes,
                        id_characters, ones_fraction_overall, ones_fraction_per_bit,
                        bits_balanced, shannon_bits_per_character, passed}}
    summary          {"all_passed": bool, "duration_s": float,
                      "attacks": {total, passed, failed [str]},
                      "csrf_browser": {total, passed, exploited [str], failed [str]},
                      "xss": {total, passed, token_exposed [str], failed [str]},
                      "revocation": {total, passed, until_exp [str], failed [str]},
                      "hardening": {passed, failed [str]},
                      "matrix": [ {configuration, ...one row of the printed matrix} ],
                      "claims": [ {id, claim, finding, verdict, evidence} ]}

"passed" everywhere means: what was observed is what the lab expected for that
configuration, which includes "exploited" where a weak configuration must be.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1
TOP_LEVEL_KEYS = (
    "schema_version",
    "run_id",
    "created_at",
    "quick",
    "sections",
    "environment",
    "configurations",
    "attacks",
    "csrf_browser",
    "xss",
    "revocation",
    "hardening",
    "summary",
)
SECTIONS = ("attacks", "csrf_browser", "xss", "revocation", "hardening")

_ROW_KEYS: dict[str, tuple[str, ...]] = {
    "attacks": ("configuration", "attack", "expected", "observed", "passed", "detail"),
    "xss": (
        "configuration", "browser", "storage", "token_in_local_storage", "token_stolen",
        "credential_cookie_visible", "same_origin_transfer_status", "passed",
    ),
    "revocation": (
        "configuration", "event", "works_for_s", "bounded_by", "credential_lifetime_s",
        "display", "passed",
    ),
}  # fmt: skip
_CSRF_KEYS = (
    "configuration", "browser", "vector", "aged", "cookie_sent", "transfer_happened", "server_saw",
    "expected_exploitable", "passed",
)  # fmt: skip


def skipped(section: Any) -> bool:
    return isinstance(section, dict) and "skipped" in section


def validate(document: dict[str, Any]) -> list[str]:
    """What is wrong with a security.json document (empty when it follows the schema)."""
    problems = [f"missing top-level key {key!r}" for key in TOP_LEVEL_KEYS if key not in document]
    if problems:
        return problems
    if document["schema_version"] != SCHEMA_VERSION:
        problems.append(f"schema_version {document['schema_version']!r} != {SCHEMA_VERSION}")
    for configuration in document["configurations"]:
        for key in ("name", "variant", "transport"):
            if key not in configuration:
                problems.append(f"configuration without {key!r}: {configuration}")
    for section, keys in _ROW_KEYS.items():
        rows = document[section]
        if skipped(rows):
            continue
        if not isinstance(rows, list):
            problems.append(f"{section} is neither a list nor skipped")
            continue
        for row in rows:
            problems.extend(f"{section} row lacks {key!r}" for key in keys if key not in row)
    csrf = document["csrf_browser"]
    if not skipped(csrf):
        for key in ("browser", "browsers", "attacker_origin", "notes", "results"):
            if key not in csrf:
                problems.append(f"csrf_browser lacks {key!r}")
        for row in csrf.get("results", []):
            problems.extend(
                f"csrf_browser row lacks {key!r}" for key in _CSRF_KEYS if key not in row
            )
    hardening = document["hardening"]
    if not skipped(hardening):
        for key in ("login_timing", "throttle", "session_id_entropy"):
            if key not in hardening:
                problems.append(f"hardening lacks {key!r}")
    summary = document["summary"]
    for key in ("all_passed", "matrix", "claims"):
        if key not in summary:
            problems.append(f"summary lacks {key!r}")
    return problems
