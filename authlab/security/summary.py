"""From a security.json document's sections to its summary: counts, the matrix rows the
CLI prints, and the article's claims with what the lab found."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from authlab.security.configs import BY_NAME
from authlab.security.schema import skipped
from reports import csrf as csrf_claims
from results_format.variant_names import base_name as _base


def _rows(section: Any) -> list[dict[str, Any]]:
    if skipped(section):
        return []
    if isinstance(section, dict):
        return list(section.get("results", []))
    return list(section)


def csrf_cell(row: dict[str, Any]) -> str:
    if row["transfer_happened"]:
        return "EXPLOITED"
    saw = row.get("server_saw") or {}
    status = saw.get("status", "-")
    config = BY_NAME.get(_base(row["configuration"]))
    if config is not None and not config.ambient:
        return f"no credential ({status})"
    if not row["cookie_sent"]:
        return f"cookie withheld ({status})"
    return f"blocked by CSRF ({status})"


def xss_cell(row: dict[str, Any]) -> str:
    if row["token_in_local_storage"]:
        return f"token stolen (/me {row.get('stolen_access_token_me_status')})"
    if row["credential_cookie_visible"]:
        return "cookie stolen"
    seen = ", ".join(row["document_cookie_names"]) or "nothing"
    return f"reads {seen}"


def revocation_cell(row: dict[str, Any]) -> str:
    if row["bounded_by"] == "immediate":
        return "0 s"
    if row["bounded_by"] == "exp":
        return f"exp ({row['works_for_s']:.1f}/{row['credential_lifetime_s']:.0f} s)"
    return str(row["display"])


def _section_counts(rows: list[dict[str, Any]], label: Any) -> dict[str, Any]:
    return {
        "total": len(rows),
        "passed": sum(1 for row in rows if row.get("passed")),
        "failed": [label(row) for row in rows if not row.get("passed")],
    }


def matrix_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    names = [
        c["name"]
        for c in document["configurations"]
        if c["name"] in BY_NAME and "@" not in c["name"]
    ]
    rows: dict[str, dict[str, Any]] = {}
    for name in names:
        config = BY_NAME[name]
        rows[name] = {
            "configuration": name,
            "variant": config.variant,
            "transport": config.transport,
            "samesite": config.samesite if config.ambient else None,
            "csrf": config.csrf if config.ambient else None,
            "revocation_mode": config.revocation if config.variant == "token" else None,
            "passed": True,
        }
    attacks: dict[str, list[bool]] = defaultdict(list)
    for row in _rows(document["attacks"]):
        attacks[row["configuration"]].append(bool(row["passed"]))
    for name, results in attacks.items():
        if name in rows:
            rows[name]["attacks"] = f"{sum(results)}/{len(results)}"
            rows[name]["passed"] &= all(results)
    for row in _rows(document["csrf_browser"]):
        name = row["configuration"]
        if name in rows:
            rows[name][f"csrf_{row['vector']}"] = csrf_cell(row)
            rows[name]["passed"] &= bool(row["passed"])
    for row in _rows(document["xss"]):
        if row["configuration"] in rows:
            rows[row["configuration"]]["xss"] = xss_cell(row)
            rows[row["configuration"]]["passed"] &= bool(row["passed"])
    for row in _rows(document["revocation"]):
        name = _base(row["configuration"])
        if name in rows:
            rows[name][f"revoke_{row['event']}"] = revocation_cell(row)
            rows[name]["passed"] &= bool(row["passed"])
    return [rows[name] for name in names]


def _claims(document: dict[str, Any]) -> list[dict[str, Any]]:
    claims = []
    # The CSRF claims are judged by the report's claim engine, so that the lab's summary
    # and the report's claims table cannot disagree.
    if _rows(document["csrf_browser"]):
        for judgement in csrf_claims.judge(document):
            claims.append({
                "id": judgement.id,
                "claim": judgement.claim,
                "finding": "; ".join(judgement.evidence),
                "verdict": (
                    f"depends on {judgement.condition}"
                    if judgement.verdict == "depends"
                    else f"{judgement.verdict}: {judgement.condition}"
                ),
                "evidence": "csrf_browser",
            })  # fmt: skip
    xss_rows = _rows(document["xss"])
    if xss_rows:
        stolen = [r["configuration"] for r in xss_rows if r["token_in_local_storage"]]
        riding = [r["configuration"] for r in xss_rows if r["same_origin_transfer_status"] == 200]
        claims.append({
            "id": "xss",
            "claim": "Keep the token in localStorage and send it in a header (no CSRF).",
            "finding": (
                f"An injected script read and exfiltrated the token in {len(stolen)} of "
                f"{len(xss_rows)} configurations ({', '.join(stolen) or 'none'}); it worked "
                "from outside the browser. HttpOnly cookies never showed in document.cookie. "
                f"The script moved money as the user in {len(riding)} of {len(xss_rows)}."
            ),
            "verdict": "trade-off: the header token trades CSRF for theft by XSS",
            "evidence": "xss",
        })  # fmt: skip
    revocation_rows = _rows(document["revocation"])
    if revocation_rows:
        until_exp = sorted(
            {_base(r["configuration"]) for r in revocation_rows if r["bounded_by"] == "exp"}
        )
        immediate = sorted(
            {_base(r["configuration"]) for r in revocation_rows if r["bounded_by"] == "immediate"}
        )
        claims.append({
            "id": "revocation",
            "claim": "Tokens are stateless, so the server keeps no session state.",
            "finding": (
                f"Without a deny list the old token works until exp after logout, password "
                f"change and disable ({', '.join(until_exp) or 'none'}); sessions and the deny "
                f"list end it at once ({len(immediate)} configurations), at the price of a "
                "store lookup per request: state again."
            ),
            "verdict": "qualified: revocation needs server-side state",
            "evidence": "revocation",
        })  # fmt: skip
    return claims


def summarise(document: dict[str, Any], duration: float) -> dict[str, Any]:
    attacks = _rows(document["attacks"])
    csrf = _rows(document["csrf_browser"])
    xss_rows = _rows(document["xss"])
    revocation_rows = _rows(document["revocation"])
    exploited = [f"{r['configuration']}: {r['vector']}" for r in csrf if r["transfer_happened"]]
    until_exp = [
        f"{r['configuration']}: {r['event']}" for r in revocation_rows if r["bounded_by"] == "exp"
    ]
    summary: dict[str, Any] = {
        "duration_s": round(duration, 1),
        "attacks": _section_counts(attacks, lambda r: f"{r['configuration']}: {r['attack']}"),
        "csrf_browser": {
            **_section_counts(csrf, lambda r: f"{r['configuration']}: {r['vector']}"),
            "exploited": exploited,
        },
        "xss": {
            **_section_counts(xss_rows, lambda r: r["configuration"]),
            "token_exposed": [r["configuration"] for r in xss_rows if r["token_in_local_storage"]],
        },
        "revocation": {
            **_section_counts(revocation_rows, lambda r: f"{r['configuration']}: {r['event']}"),
            "until_exp": until_exp,
        },
    }
    hardening = document["hardening"]
    if skipped(hardening):
        summary["hardening"] = {"passed": True, "failed": [], "skipped": hardening["skipped"]}
    else:
        failed = []
        timing = hardening["login_timing"]
        if not timing["responses_identical"]:
            failed.append("unknown user and wrong password answered differently")
        if timing["distinguishable"]:
            failed.append(f"login timing distinguishable (p={timing['p_value']:.2g})")
        if not hardening["throttle"]["passed"]:
            failed.append("throttle")
        if not hardening["session_id_entropy"]["passed"]:
            failed.append("session id entropy")
        summary["hardening"] = {"passed": not failed, "failed": failed}
    summary["all_passed"] = all(
        not summary[key]["failed"]
        for key in ("attacks", "csrf_browser", "xss", "revocation", "hardening")
    )
    summary["matrix"] = matrix_rows(document)
    summary["claims"] = _claims(document)
    return {"all_passed": summary.pop("all_passed"), **summary}
