"""The first screen: one plain sentence on "is there a difference between session and
token?", then one line per situation a reader is in, each with the choice this run's data
supports, the figure that decides it and a link to its evidence.

Every line is assembled from the claims' verdicts and deciding figures (read through
reports.decisions) and the run's own rows; nothing is typed in. A situation the run did
not measure says so and names the command that measures it.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports import costs, csrf, decisions, fmt, xss
from reports.claim import Claim, experiment, security_command, variants_command
from reports.decisions import Deciding
from reports.load import RunData
from reports.metrics import configuration_info, number, security_rows
from reports.names import configuration_words, short_words, variant_words
from reports.rules.wording import grade


@dataclass(frozen=True)
class Situation:
    key: str
    label: str  # the reader's situation
    choice: str  # what the data supports, in words
    figure: str  # the deciding figure with its numbers ("" when not measured)
    href: str  # where its evidence is on the page

    def as_row(self) -> dict[str, str]:
        return {
            "situation": self.label,
            "choice": self.choice,
            "deciding figure": self.figure,
            "evidence": self.href,
        }


def _by_id(claims: list[Claim]) -> dict[str, Claim]:
    return {claim.id: claim for claim in claims}


def _cpu(run: RunData, variant: str) -> str:
    cost = costs.request_cost(run, variant)
    return fmt.us(cost.median if cost else None)


def _pair(run: RunData, a: str, b: str) -> str:
    return f"CPU per request, {short_words(run, a)} / {short_words(run, b)}"


def _figure(found: Deciding | None, words: str = "") -> str:
    """What it measures, its value, threshold and spread."""
    if found is None:
        return ""
    spread = f", {found.spread_text}" if found.spread_text else ""
    what = words or found.figure
    return f"{what}: {found.value_text} (threshold {found.threshold_text}{spread})"


def one_server(run: RunData, claims: list[Claim]) -> Situation:
    label = "A browser app on one server"
    found = decisions.find(claims, "sessions-heavy", "deployable defaults")
    claim = _by_id(claims).get("sessions-heavy")
    if found is None or claim is None:
        return Situation(
            "one-server", label, "not measured: run " + variants_command(*costs.PAIRS[0][:2]),
            "", "#claim-sessions-heavy",
        )  # fmt: skip
    session, token = costs.PAIRS[0][:2]
    if not found.decided:
        # The figure alone would pick a side its interval does not: say neither.
        choice = (
            f"not decided at this run's precision: {variant_words(run, session)} costs "
            f"{_cpu(run, session)} of CPU per request, {variant_words(run, token)} "
            f"{_cpu(run, token)}; the interval reaches the 'heavy' line"
        )
    elif found.value >= found.threshold:
        choice = (
            f"{variant_words(run, token)}: {variant_words(run, session)} costs "
            f"{found.value_text} its CPU per request, past the 'heavy' line"
        )
    else:
        choice = (
            f"either: {variant_words(run, session)} costs {_cpu(run, session)} of CPU per "
            f"request, {variant_words(run, token)} {_cpu(run, token)}; not heavy"
        )
    return Situation(
        "one-server", label, choice,
        _figure(found, _pair(run, session, token)), "#claim-sessions-heavy",
    )  # fmt: skip


def balancer(run: RunData, claims: list[Claim]) -> Situation:
    label = "Several instances behind a balancer"
    claim = _by_id(claims).get("memory-scalability")
    figures = decisions.deciding(claim) if claim else []
    local = [f for f in figures if f.threshold > 0.05]  # 'breaks' from (K-1)/K x BREAKS
    shared = [f for f in figures if f not in local]
    if not local:
        return Situation(
            "balancer", label, "not measured: run " + experiment("scale_out"), "",
            "#claim-memory-scalability",
        )  # fmt: skip
    broke = [f for f in local if f.value >= f.threshold]
    held = [f for f in shared if f.value < f.threshold]
    name = local[0].figure.split(":", 1)[0]
    if broke and held:
        kept = ", ".join(short_words(run, f.figure.split(":", 1)[0]) for f in held)
        choice = (
            f"sessions in a shared store ({kept}) or tokens; not sessions in one process's memory"
        )
    elif broke:
        choice = "tokens, or a store every instance shares: in-process sessions broke"
    else:
        choice = "any: in-process sessions kept working on several instances"
    figure = (
        f"requests failed without sticky routing: {short_words(run, name)} "
        f"{local[0].value_text} ('breaks' from {local[0].threshold_text})"
    )
    if held:
        figure += ", " + ", ".join(
            f"{short_words(run, f.figure.split(':', 1)[0])} {f.value_text}" for f in held
        )
    return Situation("balancer", label, choice, figure, "#claim-memory-scalability")


def third_parties(run: RunData, claims: list[Claim]) -> Situation:
    label = "An API for mobile apps or third parties"
    claim = _by_id(claims).get("tokens-transfer")
    found = decisions.headline(claim) if claim else None
    if claim is None or found is None or claim.verdict == "not measured":
        return Situation(
            "third-parties", label,
            "not measured: run " + experiment("primitives") + " and the security lab",
            "", "#claim-tokens-transfer",
        )  # fmt: skip
    alg = found.figure.split(" ", 1)[0]
    if claim.verdict == "supported":
        choice = (
            f"a JWT signed with a public-key algorithm ({alg}): a third party verifies it "
            "without asking the issuer (its claims are signed, not encrypted)"
        )
    else:
        choice = f"not settled by this run: {claim.condition}"
    return Situation(
        "third-parties", label, choice,
        _figure(found, f"CPU of one {alg} verify / of asking the issuer"),
        "#claim-tokens-transfer",
    )  # fmt: skip


def _lingering(run: RunData) -> tuple[float, float] | None:
    """After logout: (longest a credential kept working, its lifetime) among the
    configurations whose credential was not ended at once."""
    rows = [
        r
        for r in security_rows(run, "revocation")
        if r.get("event", "logout") == "logout" and r.get("bounded_by") != "immediate"
    ]
    if not rows:
        return None
    works = max(number(r.get("works_for_s")) or 0.0 for r in rows)
    lifetime = max(number(r.get("credential_lifetime_s")) or 0.0 for r in rows)
    return works, lifetime


def revocation(run: RunData, claims: list[Claim]) -> Situation:
    label = "Logout or a stolen credential must end access at once"
    found = decisions.find(claims, "tokens-better", "equal logout")
    session, token = costs.PAIRS[1][:2]
    lingering = _lingering(run)
    if found is not None:
        cheaper = session if found.value < 1 else token
        other = token if cheaper == session else session
        choice = (
            f"{variant_words(run, cheaper)} ({_cpu(run, cheaper)} per request; "
            f"{short_words(run, other)} {_cpu(run, other)})"
        )
        figure = _figure(found, _pair(run, session, token))
    else:
        choice = (
            "a session or a JWT with a deny list (their costs side by side not measured: run "
            f"{variants_command(session, token)})"
        )
        figure = ""
    if lingering is not None:
        works, lifetime = lingering
        choice += (
            f"; a JWT without one worked {works:.1f} s after logout, until its exp "
            f"({lifetime:.0f} s lifetime in the lab)"
        )
        if not figure:
            figure = f"a JWT without a deny list, after logout: worked {works:.1f} s"
    elif not security_rows(run, "revocation"):
        choice += f"; the revocation window was not measured: {security_command(run)}"
    return Situation("revocation", label, choice, figure, "#claim-tokens-better")


def outage(run: RunData, claims: list[Claim]) -> Situation:
    label = "The store goes down"
    claim = _by_id(claims).get("tokens-robust")
    figures = decisions.deciding(claim) if claim else []
    if not figures:
        return Situation(
            "outage", label, "not measured: run " + experiment("outage"), "",
            "#claim-tokens-robust",
        )  # fmt: skip
    carry = [f for f in figures if f.value >= f.threshold]
    stop = [f for f in figures if f.value < f.threshold]

    def names(chosen: list[Deciding]) -> str:
        return " and ".join(short_words(run, f.figure.split(":", 1)[0]) for f in chosen)

    if carry and stop:
        choice = (
            f"{names(carry)} {'keeps' if len(carry) == 1 else 'keep'} serving; {names(stop)} "
            f"{'stops' if len(stop) == 1 else 'stop'} until the store is back (a store that "
            "stays up, or logout that waits for exp)"
        )
    elif carry:
        choice = "every variant kept serving"
    else:
        choice = f"none kept serving: {names(stop)} all need the store"
    figure = (
        "throughput while the store was down, of normal: "
        + ", ".join(
            f"{short_words(run, f.figure.split(':', 1)[0])} {f.value_text}" for f in figures
        )
        + f" ('carries on' from {figures[0].threshold_text})"
    )
    return Situation("outage", label, choice, figure, "#claim-tokens-robust")


def _csrf_part(run: RunData) -> tuple[str, str]:
    """(choice, figure) for CSRF, counted per browser in configurations."""
    document = run.security or {}
    settings, found = csrf.exploited_by_browser(document)
    info = configuration_info(run)
    hit = sorted({name for per in found.values() for name, lost in per.items() if lost})
    counted = {}
    for browser, per in sorted(found.items()):
        cookie = [n for n in per if settings[n].transport == "cookie"]
        header = [n for n in per if settings[n].transport != "cookie"]
        counted[browser] = (
            f"{sum(per[n] for n in cookie)} of {len(cookie)} cookie configurations and "
            f"{sum(per[n] for n in header)} of {len(header)} header ones"
        )
    if len(counted) == 1:
        shown = f"{next(iter(counted.values()))} (in {next(iter(counted))})"
    elif len(set(counted.values())) == 1:
        shown = f"{next(iter(counted.values()))}, in {' and '.join(counted)} alike"
    else:
        shown = "; ".join(f"{browser}: {text}" for browser, text in counted.items())
    if hit:
        samesite = sorted({str(settings[n].samesite) for n in hit})
        checked = all(not settings[n].csrf for n in hit)
        exposed = f"SameSite={'/'.join(s.capitalize() for s in samesite)}"
        exposed += " without a CSRF check" if checked else ""
        kinds = sorted({configuration_words(info.get(n, {})).split(" cookie")[0] for n in hit})
        choice = (
            f"a header credential, or a cookie with SameSite=Lax/Strict or a CSRF check; only "
            f"{exposed} was exploited ({' and '.join(kinds)} alike)"
        )
    else:
        choice = "any: no forged cross-site transfer succeeded"
    return choice, f"forged cross-site transfers succeeded against {shown}"


def _xss_part(run: RunData) -> tuple[str, str]:
    counted = xss.counts(run)
    if counted is None:
        return "", ""
    places = ", ".join(f"{p.read} of {p.tries} in {p.name}" for p in counted.places)
    if counted.acted == counted.tries:
        choice = "no way of keeping the credential stopped an injected script acting as the user"
    elif counted.acted:
        choice = f"an injected script acted as the user in {counted.acted} of {counted.tries} tries"
    else:
        choice = "an injected script's own requests were refused"
    httponly = counted.place(xss.HTTPONLY)
    if httponly is not None and httponly.read == 0 and counted.read:
        choice += "; an HttpOnly cookie kept it from carrying the credential away"
    figure = (
        f"the script's own POST /transfer succeeded in {counted.acted} of {counted.tries} "
        f"tries (configuration x browser x storage); it read a working credential {places}"
    )
    return choice, figure


def browser_attacks(run: RunData, claims: list[Claim]) -> Situation:
    label = "CSRF and XSS exposure"
    if not csrf.rows(run.security, "csrf_browser"):
        return Situation(
            "browser-attacks", label, f"not measured: {security_command(run)}", "",
            "#claim-sessions-csrf",
        )  # fmt: skip
    choice, figure = _csrf_part(run)
    xss_choice, xss_figure = _xss_part(run)
    if xss_choice:
        choice += f". XSS: {xss_choice}"
        figure += f". XSS: {xss_figure}"
    if csrf.disagreements(run.security or {}):
        figure += " (the browsers disagree on one case: see the security table)"
    return Situation("browser-attacks", label, choice, figure, "#claim-sessions-csrf")


SITUATIONS = (one_server, balancer, third_parties, revocation, outage, browser_attacks)


def situations(run: RunData, claims: list[Claim]) -> list[Situation]:
    return [situation(run, claims) for situation in SITUATIONS]


def answer(run: RunData, claims: list[Claim]) -> str:
    """The one plain sentence: how much the credential itself weighs per request, and how
    many of the article's claims turned on something other than session vs token."""
    tally: dict[str, int] = {}
    for claim in claims:
        tally[claim.verdict] = tally.get(claim.verdict, 0) + 1
    counted = ", ".join(f"{n} {verdict}" for verdict, n in tally.items())
    found = decisions.find(claims, "sessions-heavy", "deployable defaults")
    if found is None:
        per_request = "The cost per request was not measured in this run"
    else:
        session, token = costs.PAIRS[0][:2]
        heavy = found.value >= found.threshold
        where = (
            f"{'past' if heavy else 'short of'} the {found.threshold_text} 'heavy' line"
            if found.decided
            else f"whether past the {found.threshold_text} 'heavy' line is not decided at this "
            f"run's precision ({found.spread_text})"
        )
        per_request = (
            f"Per request, {variant_words(run, session)} costs {found.value_text} the CPU of "
            f"{variant_words(run, token)}, {_cpu(run, session)} against {_cpu(run, token)}: "
            f"{grade(found.value)}{', ' if found.decided else '; '}{where}"
        )
    depends = tally.get("depends", 0)
    rest = (
        f". What decides is the situation: {depends} of the article's {len(claims)} claims "
        "depend on it"
        if depends
        else f". The article's {len(claims)} claims"
    )
    return f"{per_request}{rest} (verdicts: {counted})."
