"""build_report(run_dir) -> run_dir/report/index.html, its PNG figures beside it.

The page is drawn from the results folder alone (the raw CSV and HDR files),
so `authlab report RUN` redraws it at any time. It opens from disk with no
network: no CDN, no web font, no script; the images are local PNGs.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import pandas as pd
from matplotlib.axes import Axes

from reports import (
    capacity,
    cloud_figures,
    costs,
    figures,
    fmt,
    headline,
    matrix,
    takeaways,
    verdicts,
)
from reports.load import RunData, latency_curves, load_run, run_duration_s, variant_order
from reports.metrics import (
    cpu_split,
    credential_check_parts,
    credential_check_us,
    login_costs,
    number,
    outage_stats,
)

# Modest resolution: a 7-inch figure is 700 px wide, enough for a phone and a
# laptop, and keeps the whole report well under 2 MB.
DPI = 100


@dataclass(frozen=True)
class FigureSpec:
    id: str
    title: str
    caption: str  # what to read from it, in one line
    draw: Callable[[RunData, Axes], bool]
    tall: bool = False  # one bar per variant: grows with the number of variants


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "latency",
        "Latency percentiles at a fixed arrival rate (GET /me alone where the run has it)",
        "Lower is better; the right-hand end is the tail (99.9%) that stalls show in, since each "
        "request is timed from when it was due, not from when it was sent.",
        lambda run, ax: figures.latency_percentiles(latency_curves(run), ax, run.palette),
    ),
    FigureSpec(
        "throughput",
        "Maximum throughput",
        "Longer is better; the whisker spans the repetitions, a hatched bar means the load "
        "generator, not the server, was the limit.",
        lambda run, ax: figures.max_throughput(run.summary, ax, run.palette),
        tall=True,
    ),
    FigureSpec(
        "cpu",
        "Server CPU per authenticated request, split",
        "The red part is what checking the credential costs (session: unsign + store lookup; "
        "token: signature verify); the gap to the baseline's bar is all the auth costs.",
        lambda run, ax: figures.cpu_per_request(cpu_split(run), ax),
        tall=True,
    ),
    FigureSpec(
        "login",
        "A login against an authenticated request",
        "On a log scale: hashing the password at login costs orders of magnitude more than "
        "checking a session or a token afterwards.",
        lambda run, ax: figures.login_vs_request(login_costs(run), ax),
    ),
    FigureSpec(
        "memory",
        "Largest server RSS and Redis memory of each variant",
        "One row per variant (the timeline is in raw/process_samples.csv and "
        "raw/redis_samples.csv): Redis holds the sessions, refresh families or deny list.",
        lambda run, ax: figures.memory_over_time(
            run.process_samples, run.redis_samples, ax, run.palette
        ),
    ),
    FigureSpec(
        "store-ops",
        "Store operations per second, per variant",
        "The bar is the median while the store was busy, the tick its peak (the timeline is "
        "in raw/redis_samples.csv).",
        lambda run, ax: figures.store_operations(run.redis_samples, ax, run.palette),
    ),
    FigureSpec(
        "sessions",
        "Memory for N live sessions, per store",
        "Both axes logarithmic: parallel lines mean a fixed cost per session; the flat black "
        "line is what a stateless token server keeps (nothing).",
        lambda run, ax: figures.session_memory(run.sessions_at_scale, ax),
    ),
    FigureSpec(
        "bytes",
        "Bytes per request on the wire",
        "The GET /me request carries the credential on every call: a JWT makes each request "
        "larger than a signed session id does.",
        lambda run, ax: figures.bytes_per_request(run.wire, ax),
        tall=True,
    ),
    FigureSpec(
        "scale-out",
        "Scale-out with no sticky routing",
        "Sessions kept in one process's memory fail as often as a request lands on another "
        "instance (the diamond); a shared store or a token does not.",
        lambda run, ax: figures.scale_out_failures(run.scale_out, ax, run.palette),
    ),
    FigureSpec(
        "outage",
        "Store outage: success per second while Redis is frozen",
        "Where the grey band is, the store answers nothing: a line that stays at 100% with its "
        "dotted throughput line does not need the store.",
        lambda run, ax: figures.outage_timeline(run.outage, ax, run.palette),
    ),
)
# The cloud topology's figures, drawn where a run has its experiments (the cloud profile).
CLOUD_FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "cloud-sticky-kill",
        "Behind HAProxy with sticky routing: one instance SIGKILLed",
        "Requests OK per second; HAProxy's health checks take the dead instance out. Sessions "
        "in its memory are gone: its users log in again (cloud_sticky_kill.csv counts them).",
        lambda run, ax: cloud_figures.success_through_failure(
            run.cloud_sticky_kill_seconds, ax, "the kill"
        ),
    ),
    FigureSpec(
        "cloud-failover",
        "The store's primary SIGKILLed: Sentinel promotes the replica",
        "Requests OK per second under mixed load (browsing, logins, refreshes, logouts); the "
        "servers follow the new primary without a restart.",
        lambda run, ax: cloud_figures.success_through_failure(
            run.cloud_failover_seconds, ax, "the kill"
        ),
    ),
    FigureSpec(
        "cloud-store-down",
        "The store down longer than an access token lives",
        "Requests OK per second: a stateless token serves until it expires, then refresh and "
        "login need the store like sessions do.",
        lambda run, ax: cloud_figures.success_through_failure(
            run.cloud_store_down_seconds, ax, "the store went down"
        ),
    ),
)


def figures_of(run: RunData) -> tuple[FigureSpec, ...]:
    """The figures a run's report draws: the cloud topology's where it has them."""
    cloud = tuple(
        spec
        for spec in CLOUD_FIGURES
        if not getattr(run, spec.id.replace("-", "_") + "_seconds").empty
    )
    return FIGURES + cloud


@dataclass(frozen=True)
class DrawnFigure:
    spec: FigureSpec
    image: str | None  # file name beside index.html; None: not measured in this run
    takeaway: str = ""  # this run's one-line reading, computed from the figure's data


def _draw(spec: FigureSpec, run: RunData, directory: Path, variants: int) -> str | None:
    """Draw one figure to directory/<id>.png; None when the run lacks its data."""
    height = max(3.2, 0.38 * variants + 1.4) if spec.tall else 3.8
    figure, ax = figures.new_figure(7.0, height)
    path = directory / f"{spec.id}.png"
    if not spec.draw(run, ax):
        path.unlink(missing_ok=True)
        return None
    figure.savefig(path, dpi=DPI)
    return path.name


def _summary_rows(run: RunData) -> list[dict[str, Any]]:
    rows = []
    for name in variant_order(run):
        row = run.summary_row(name)
        if row is None:
            continue
        info = run.variant_info(name)
        low, high = (
            number(row.get("max_throughput_rps_min")),
            number(row.get("max_throughput_rps_max")),
        )
        spread = f"{fmt.whole(low)}-{fmt.whole(high)}" if low is not None and low != high else ""
        rows.append(
            {
                "name": name,
                "description": info.get("description", ""),
                "state": info.get("state", ""),
                "transport": info.get("transport", ""),
                "max_rps": fmt.whole(row.get("max_throughput_rps")),
                "spread": spread,
                "p50": fmt.ms(row.get("p50_us")),
                "p99": fmt.ms(row.get("p99_us")),
                "p999": fmt.ms(row.get("p999_us")),
                "server_us": fmt.us(row.get("server_cpu_us_per_request")),
                "credential_us": fmt.us(costs.credential_server_us(run, name)),
                # The same check's building blocks timed alone, in-process (primitives.csv).
                "check_us": fmt.us(credential_check_us(run, name))
                if credential_check_parts(run, name)
                else "",
                "mix_us": fmt.us(row.get("mix_server_cpu_us_per_request")),
                "store_us": fmt.us(row.get("store_cpu_us_per_request")),
                "login_rps": "-"
                if number(row.get("login_rps")) is None
                else f"{number(row.get('login_rps')):,.1f}",
                "login_us": fmt.us(row.get("login_server_cpu_us")),
                "errors": f"{int(number(row.get('errors')) or 0):,}",
                "requests": f"{int(number(row.get('requests')) or 0):,}",
                "saturated": bool(row.get("generator_saturated")),
            }
        )
    return rows


# The lean-servers target: authlab's cost per GET /me within this of a plain server's.
OVERHEAD_LIMIT = 1.15


def _overhead_rows(run: RunData) -> list[dict[str, Any]]:
    """overhead.csv (CPU) and instructions.csv (callgrind): each variant beside its plain
    twin server, each ratio flagged above the limit."""
    cpu = _by_variant(run.overhead, "ratio")
    counted = _by_variant(run.instructions, "instruction_ratio")
    rows = []
    for variant in dict.fromkeys([*cpu, *counted]):
        row, instr = cpu.get(variant, {}), counted.get(variant, {})
        ratio = number(row.get("ratio"))
        low, high = number(row.get("ratio_min")), number(row.get("ratio_max"))
        instr_ratio = number(instr.get("instruction_ratio"))
        rows.append(
            {
                "variant": variant,
                "plain": fmt.us(row.get("plain_us")),
                "authlab": fmt.us(row.get("authlab_us")),
                "ratio": "-" if ratio is None else f"{fmt.TIMES}{ratio:.2f}",
                "spread": ""
                if low is None or high is None
                else f"{fmt.TIMES}{low:.2f}-{fmt.TIMES}{high:.2f}",
                "repetitions": fmt.whole(row.get("repetitions")),
                "flagged": ratio is not None and ratio > OVERHEAD_LIMIT,
                "instructions": "-" if instr_ratio is None else f"{fmt.TIMES}{instr_ratio:.2f}",
                "instruction_counts": ""
                if instr_ratio is None
                else f"{fmt.count(instr.get('plain_instructions'))} → "
                f"{fmt.count(instr.get('authlab_instructions'))}",
                "instructions_flagged": instr_ratio is not None and instr_ratio > OVERHEAD_LIMIT,
            }
        )
    return rows


def _by_variant(table: pd.DataFrame, column: str) -> dict[str, dict[str, Any]]:
    if table.empty or column not in table:
        return {}
    return {str(row["variant"]): dict(row) for _, row in table.iterrows()}


def _saturated_phases(run: RunData) -> list[str]:
    phases = run.phases
    if phases.empty or "generator_saturated" not in phases:
        return []
    flagged = phases[phases["generator_saturated"].astype(str).str.lower() == "true"]
    return [
        f"{r['variant']} {r['phase']} (rep {int(r.get('repetition', 0)) + 1}, generator at "
        f"{fmt.pct(r.get('generator_busy'))} of a core)"
        for _, r in flagged.iterrows()
    ]


def _verification_failures(run: RunData) -> list[str]:
    table = run.verification
    if table.empty or "ok" not in table:
        return []
    failed = table[table["ok"].astype(str).str.lower() != "true"]
    return [f"{r['variant']}: {r.get('detail', '')}" for _, r in failed.iterrows()]


def _capacity_tables(run: RunData, assumptions: capacity.Assumptions) -> list[dict[str, Any]]:
    frame = capacity.model(run, assumptions)
    tables = []
    for users in assumptions.users:
        rows = []
        for _, row in frame[frame["users"] == users].iterrows():
            bits = number(row["network_bits_per_s"])
            rows.append(
                {
                    "variant": row["variant"],
                    "requests": fmt.count(row["requests_per_s"]),
                    "server_cores": fmt.count(row["server_cores"]),
                    "login_cores": fmt.count(row["login_cores"]),
                    "store_cores": fmt.count(row["store_cores"]),
                    "store_memory": fmt.size(row["store_memory_bytes"]),
                    "store_ops": fmt.count(row["store_ops_per_s"]),
                    "network": "-" if bits is None else f"{bits / 1e9:,.2f} Gbit/s",
                }
            )
        tables.append({"users": fmt.count(users), "rows": rows})
    return tables


def _browsers_line(document: dict[str, Any]) -> str | None:
    """The browsers the lab drove: its own line (one per browser), else the older
    environment's Chromium version."""
    section = document.get("csrf_browser")
    if isinstance(section, dict) and section.get("browser"):
        return str(section["browser"])
    chromium = (document.get("environment") or {}).get("chromium")
    return f"Chromium {chromium}" if chromium else None


def _security_view(run: RunData) -> dict[str, Any] | None:
    if not run.security:
        return None
    summary = run.security.get("summary") or {}
    counts = []
    for section in ("attacks", "csrf_browser", "xss", "revocation"):
        part = summary.get(section) or {}
        if part.get("total"):
            counts.append(
                f"{section.replace('_', ' ')}: {part.get('passed')} of {part.get('total')} as "
                "expected"
            )
    columns = [
        "configuration",
        "browser",
        "samesite",
        "csrf",
        "attacks",
        "csrf_form",
        "csrf_fetch",
        "csrf_form_aged",
        "xss",
        "revoke_logout",
        "revoke_password_change",
        "revoke_account_disabled",
    ]
    matrix_rows = summary.get("matrix") or []
    present = [c for c in columns if any(c in row for row in matrix_rows)]
    return {
        "run_id": run.security.get("run_id", ""),
        "created_at": run.security.get("created_at", ""),
        "browsers": _browsers_line(run.security),
        "counts": counts,
        "columns": present,
        "rows": [[row.get(c, "") for c in present] for row in matrix_rows],
        "notes": ((run.security.get("csrf_browser") or {}).get("notes") or []),
    }


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        path.unlink(missing_ok=True)
        return
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _raw_links(run: RunData, report: Path) -> list[dict[str, str]]:
    links = []
    for path in sorted(run.directory.glob("*.csv")) + sorted((run.directory / "raw").glob("*.csv")):
        links.append(
            {"href": "../" + path.relative_to(run.directory).as_posix(), "name": path.name}
        )
    for name in ("manifest.json", "status.json", "topology.json"):
        if (run.directory / name).is_file():
            links.append({"href": f"../{name}", "name": name})
    for name in ("claims.csv", "capacity.csv"):
        if (report / name).is_file():
            links.append({"href": name, "name": f"{name} (this report)"})
    return links


def _security_link(run: RunData, report: Path) -> str | None:
    """Where the page links the security results: a file from another run is copied in."""
    if run.security_path is None:
        return None
    source = run.security_path.resolve()
    if source.parent == run.directory.resolve():
        return "../security.json"
    if source != (report / "security.json").resolve():
        shutil.copyfile(source, report / "security.json")
    return "security.json"


def code_spans(text: str) -> markupsafe.Markup:
    """Escape text, then show its `command` spans as <code>: the commands that fill a
    gap read as commands on the page and as backticks in claims.csv."""
    escaped = str(markupsafe.escape(text))
    # Safe: the text is escaped above; the only markup is the <code> tags added here.
    return markupsafe.Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))  # noqa: S704


def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["code"] = code_spans
    return environment.get_template("index.html.j2")


def build_report(run_dir: Path, security: Path | None = None) -> Path:
    """Write run_dir/report/index.html and its figures; return the page's path."""
    run = load_run(run_dir, security)
    report = Path(run_dir) / "report"
    report.mkdir(exist_ok=True)
    variants = len(variant_order(run))
    drawn = [
        DrawnFigure(spec, image, takeaways.takeaway(spec.id, run) if image else "")
        for spec in figures_of(run)
        for image in [_draw(spec, run, report, variants)]
    ]
    claims = verdicts.claims(run)
    _write_csv(report / "claims.csv", [claim.as_row() for claim in claims])
    assumptions = capacity.Assumptions()
    model = capacity.model(run, assumptions)
    _write_csv(report / "capacity.csv", model.to_dict("records"))
    configuration = run.manifest.get("configuration") or {}
    profile = configuration.get("profile") or {}
    duration = run_duration_s(run)
    page = _template().render(
        run=run,
        run_id=run.run_id,
        manifest=run.manifest,
        status=run.status,
        machine=run.manifest.get("machine") or {},
        versions=run.manifest.get("versions") or {},
        profile=profile,
        configuration=configuration,
        duration=None if duration is None else f"{duration:,.0f} s",
        warnings=list(run.status.get("warnings") or []),
        saturated=_saturated_phases(run),
        verification_failures=_verification_failures(run),
        variants=_summary_rows(run),
        claims=claims,
        answer=headline.sentences(run, claims),
        cost_source=costs.source_text(run),
        overhead=_overhead_rows(run),
        overhead_shared_store=bool(
            "shared_store" in run.overhead and run.overhead["shared_store"].fillna(False).any()
        ),
        overhead_instructions=not run.instructions.empty,
        overhead_limit=OVERHEAD_LIMIT,
        overhead_command=verdicts.experiment("overhead"),
        thresholds=verdicts.THRESHOLDS,
        spreads=verdicts.spread_note(run),
        cells=matrix.two_by_two(run),
        states=matrix.STATES,
        transports=matrix.TRANSPORTS,
        capacity_tables=_capacity_tables(run, assumptions),
        assumptions=assumptions.lines() + capacity.topology_lines(run),
        figures=drawn,
        figure_ids={d.spec.id for d in drawn if d.image},
        security=_security_view(run),
        security_link=_security_link(run, report),
        outage=figures.outage_summary_text(outage_stats(run)),
        raw_links=_raw_links(run, report),
        not_measured=verdicts.NOT_MEASURED,
    )
    index = report / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
