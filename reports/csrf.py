"""The one place that judges the article's two CSRF claims, from a security.json document.

Both the report's claims table (reports.verdicts) and the security lab's own summary
(authlab.security.summary) call judge(); so the two can never disagree again. It reads
plain dicts only (no pandas), so that the lab can use it without the report's stack.

Results may come per browser (a `browser` field on each row, else the section's, else
Chromium, the lab's first browser): a claim is judged in each browser, and where the
browsers disagree the verdict says so and names them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from results_format.variant_names import base_name as base

DEFAULT_BROWSER = "chromium"
SESSIONS = ("sessions-csrf", "Sessions are vulnerable to CSRF.")
TOKENS = ("tokens-csrf", "Tokens carry less CSRF risk.")


@dataclass(frozen=True)
class Config:
    name: str
    variant: str  # "session" or "token"
    transport: str  # "cookie" or "header"
    samesite: str | None
    csrf: bool | None


# A deciding figure as plain data (figure, value, threshold, meaning): the report turns it
# into a reports.margins.Decision; this module stays free of the report's stack.
Deciding = tuple[str, float, float, str]


@dataclass(frozen=True)
class Judgement:
    id: str
    claim: str
    verdict: str  # "supported", "refuted", "depends", "not measured"
    condition: str
    evidence: list[str] = field(default_factory=list)
    browsers: tuple[str, ...] = ()
    deciding: list[Deciding] = field(default_factory=list)


def rows(document: dict[str, Any] | None, section: str) -> list[dict[str, Any]]:
    if not document:
        return []
    data = document.get(section)
    if isinstance(data, dict):
        if "skipped" in data:
            return []
        data = data.get("results", [])
    return [row for row in (data or []) if isinstance(row, dict)]


def browser_name(text: str) -> str:
    """'Chromium 156.0 (headless, Playwright)' -> 'chromium'."""
    words = text.strip().split()
    return words[0].lower() if words else DEFAULT_BROWSER


def _section_browser(document: dict[str, Any]) -> str:
    section = document.get("csrf_browser")
    if isinstance(section, dict) and section.get("browser"):
        return browser_name(str(section["browser"]))
    return DEFAULT_BROWSER


def _configs(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        str(c["name"]): c
        for c in document.get("configurations", [])
        if isinstance(c, dict) and "name" in c
    }


def exploited_by_browser(
    document: dict[str, Any],
) -> tuple[dict[str, Config], dict[str, dict[str, bool]]]:
    """Each configuration's settings, and {browser: {configuration: exploited?}}."""
    info = _configs(document)
    fallback = _section_browser(document)
    found: dict[str, dict[str, bool]] = {}
    for row in rows(document, "csrf_browser"):
        browser = browser_name(str(row.get("browser") or fallback))
        name = base(str(row.get("configuration", "")))
        per = found.setdefault(browser, {})
        per[name] = per.get(name, False) or bool(row.get("transfer_happened"))
    names = {name for per in found.values() for name in per}
    return {name: _config(name, info.get(name, {})) for name in sorted(names)}, found


def disagreements(document: dict[str, Any]) -> list[str]:
    """Where the browsers' outcomes differ, per configuration and vector (computed from the
    rows): 'session-unset-csrf-off form_aged (emulated): exploited in firefox, not in
    chromium'."""
    fallback = _section_browser(document)
    outcome: dict[tuple[str, str], dict[str, bool]] = {}
    aged: dict[tuple[str, str], str] = {}
    for row in rows(document, "csrf_browser"):
        key = (base(str(row.get("configuration", ""))), str(row.get("vector", "")))
        browser = browser_name(str(row.get("browser") or fallback))
        per = outcome.setdefault(key, {})
        per[browser] = per.get(browser, False) or bool(row.get("transfer_happened"))
        if row.get("aged"):
            aged[key] = str(row["aged"])
    found = []
    for (name, vector), per in sorted(outcome.items()):
        if len(per) < 2 or len(set(per.values())) == 1:
            continue
        yes = sorted(b for b, hit in per.items() if hit)
        no = sorted(b for b, hit in per.items() if not hit)
        label = f"{name} {vector}" + (
            f" ({aged[(name, vector)]})" if (name, vector) in aged else ""
        )
        found.append(f"{label}: exploited in {', '.join(yes)}, not in {', '.join(no)}")
    return found


def _config(name: str, details: dict[str, Any]) -> Config:
    variant = str(details.get("variant") or name.split("-", 1)[0])
    transport = str(details.get("transport") or ("header" if "header" in name else "cookie"))
    samesite = details.get("samesite")
    csrf = details.get("csrf")
    return Config(name, variant, transport, None if samesite is None else str(samesite), csrf)


def _describe(config: Config) -> str:
    if config.transport != "cookie":
        return f"{config.name} (in a header)"
    check = "CSRF check on" if config.csrf else "no CSRF check"
    return f"{config.name} (SameSite={config.samesite}, {check})"


def _settings_of(configs: Iterable[Config]) -> str:
    configs = list(configs)
    samesite = sorted({str(c.samesite) for c in configs})
    text = f"SameSite={'/'.join(samesite)}"
    return text + (" with no CSRF check" if all(not c.csrf for c in configs) else "")


def _sessions_rule(configs: list[Config], hit: set[str]) -> tuple[str, str]:
    sessions = [c for c in configs if c.variant == "session"]
    lost = [c for c in sessions if c.name in hit]
    if not lost:
        return "refuted", "no session configuration was exploited"
    if len(lost) == len(sessions):
        return "supported", "every session configuration was exploited"
    condition = f"the cookie's settings, not on sessions: only {_settings_of(lost)} was exploited"
    if any(c.variant == "token" and c.name in hit for c in configs):
        condition += ", and a token in a cookie with those settings was exploited alike"
    return "depends", condition


def _tokens_rule(configs: list[Config], hit: set[str]) -> tuple[str, str]:
    tokens = [c for c in configs if c.variant == "token"]
    sessions = [c for c in configs if c.variant == "session"]
    if any(c.name in hit for c in tokens if c.transport != "cookie"):
        return "refuted", "a token sent in a header was exploited"
    lost = [c for c in tokens if c.transport == "cookie" and c.name in hit]
    if lost:
        return "depends", (
            "how the token travels: in a header the browser never sends it cross-site, in a "
            f"cookie ({_settings_of(lost)}) it was exploited like a session cookie"
        )
    share_tokens = sum(c.name in hit for c in tokens) / len(tokens)
    share_sessions = sum(c.name in hit for c in sessions) / len(sessions)
    if share_sessions > share_tokens:
        return "supported", "no token configuration was exploited, some session configurations were"
    return "refuted", "sessions were exploited no more often than tokens"


def _deciding(claim_id: str, browser: str, configs: list[Config], hit: set[str]) -> list[Deciding]:
    """The shares the rules turn on: sessions exploited (refuted at none, supported at all);
    header tokens exploited (any refutes 'less risk'), cookie tokens exploited."""

    def share(chosen: list[Config]) -> float:
        return sum(c.name in hit for c in chosen) / len(chosen) if chosen else 0.0

    sessions = [c for c in configs if c.variant == "session"]
    if claim_id == SESSIONS[0]:
        value = share(sessions)
        edge = 1.0 if value > 0.5 else 0.0
        meaning = "'supported' only at every one" if edge else "'refuted' only at none"
        return [(f"{browser}: share of session configurations exploited", value, edge, meaning)]
    header = [c for c in configs if c.variant == "token" and c.transport != "cookie"]
    cookie = [c for c in configs if c.variant == "token" and c.transport == "cookie"]
    return [
        (f"{browser}: share of header-token configurations exploited", share(header), 0.0,
         "any above 0 refutes 'less risk'"),
        (f"{browser}: share of cookie-token configurations exploited", share(cookie), 0.0,
         "any above 0: it depends on how the token travels"),
    ]  # fmt: skip


def _evidence(browser: str, configs: list[Config], hit: set[str]) -> list[str]:
    lost = [c for c in configs if c.name in hit]
    safe = [c.name for c in configs if c.name not in hit]
    return [
        f"{browser}: a cross-site forged transfer succeeded against {len(lost)} of "
        f"{len(configs)} configurations: " + (", ".join(_describe(c) for c in lost) or "none"),
        f"{browser}: refused: " + (", ".join(safe) or "none"),
    ]


NOT_RUN = (
    "the browser part of the security lab: `make security`, then "
    "`authlab report RUN --security results/<security run>/security.json`"
)


def judge(document: dict[str, Any] | None) -> list[Judgement]:
    """The sessions-CSRF and tokens-CSRF judgements, in that order."""
    if not document:
        return [_not_measured(SESSIONS), _not_measured(TOKENS)]
    settings, found = exploited_by_browser(document)
    browsers = sorted(found)
    results = []
    for (id_, claim), rule, needs in (
        (SESSIONS, _sessions_rule, ("session",)),
        (TOKENS, _tokens_rule, ("session", "token")),
    ):
        per_browser: dict[str, tuple[str, str]] = {}
        evidence: list[str] = []
        deciding: list[Deciding] = []
        for browser in browsers:
            configs = [c for name, c in settings.items() if name in found[browser]]
            if not all(any(c.variant == v for c in configs) for v in needs):
                continue
            hit = {name for name, lost in found[browser].items() if lost}
            per_browser[browser] = rule(configs, hit)
            evidence += _evidence(browser, configs, hit)
            deciding += _deciding(id_, browser, configs, hit)
        if not per_browser:
            results.append(_not_measured((id_, claim)))
            continue
        judgement = _merge(id_, claim, per_browser, evidence, deciding)
        kind = "session" if id_ == SESSIONS[0] else "token"
        split = [
            line
            for line in disagreements(document)
            if settings.get(line.split(" ", 1)[0])
            and settings[line.split(" ", 1)[0]].variant == kind
        ]
        if split and judgement.verdict != "not measured":
            # The same verdict in every browser can still hide a vector they disagree on.
            judgement = Judgement(
                judgement.id, judgement.claim, judgement.verdict,
                judgement.condition + "; the browsers disagree on " + "; ".join(split),
                [*judgement.evidence, "browsers disagree: " + "; ".join(split)],
                judgement.browsers, judgement.deciding,
            )  # fmt: skip
        results.append(judgement)
    return results


def _merge(
    id_: str,
    claim: str,
    per_browser: dict[str, tuple[str, str]],
    evidence: list[str],
    deciding: list[Deciding],
) -> Judgement:
    names = tuple(sorted(per_browser))
    verdicts = {verdict for verdict, _ in per_browser.values()}
    conditions = {condition for _, condition in per_browser.values()}
    if len(verdicts) == 1 and len(conditions) == 1:
        verdict, condition = next(iter(per_browser.values()))
        held = f" (holds in {', '.join(names)})" if len(names) > 1 else f" (in {names[0]})"
        return Judgement(id_, claim, verdict, condition + held, evidence, names, deciding)
    # The browsers disagree: the browser is what it depends on, and each one's answer shows.
    parts = "; ".join(f"{b}: {v}, {c}" for b, (v, c) in sorted(per_browser.items()))
    return Judgement(
        id_, claim, "depends", f"the browser, which disagree here: {parts}", evidence, names,
        deciding,
    )  # fmt: skip


def _not_measured(what: tuple[str, str]) -> Judgement:
    return Judgement(what[0], what[1], "not measured", NOT_RUN, [f"not measured: {NOT_RUN}"])
