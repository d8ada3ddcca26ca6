"""build_report(run_dir) -> run_dir/report/index.html, its PNG figures beside it.

The page is drawn from the results folder alone (the raw CSV and HDR files),
so `authlab report RUN` redraws it at any time. It opens from disk with no
network: no CDN, no web font, no script; the images are local PNGs.
"""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from reports import (
    capacity,
    costs,
    decision_files,
    decisions,
    figures,
    fmt,
    matrix,
    run_facts,
    runtimes,
    sections,
    security_table,
    situations,
    takeaways,
    verdicts,
    windows,
)
from reports.bands import THRESHOLDS, spread_note
from reports.claim import NOT_MEASURED, Claim, security_gap
from reports.intervals import CONFIDENCE
from reports.load import RunData, load_run, run_duration_s, variant_order
from reports.metrics import number
from reports.sections import FIGURES as FIGURES  # notebooks/explore.ipynb imports it here
from reports.sections import FigureSpec
from reports.sections.overhead_section import overhead_rows
from results_format.limits import OVERHEAD_LIMIT

# Modest resolution: a 7-inch figure is 700 px wide, enough for a phone and a
# laptop, and keeps the whole report well under 2 MB.
DPI = 100


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


def _percentile(row: dict[str, Any], name: str) -> str:
    """A latency percentile, or why it is left out: too few samples beyond it."""
    value = number(row.get(name))
    samples = number(row.get("latency_samples"))
    if value is None and samples is not None:
        return f"n/a ({samples:,.0f} samples)"
    return fmt.ms(value)


def _summary_rows(run: RunData) -> list[dict[str, Any]]:
    rows = []
    for name in variant_order(run):
        row = run.summary_row(name)
        if row is None:
            continue
        info = run.variant_info(name)
        cost = costs.request_cost(run, name)
        mix = costs.request_cost(run, name, mixed=True)
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
                # A capacity the generator limited is a lower bound, never the server's.
                "max_rps": ("at least " if row.get("capacity_at_least") else "")
                + fmt.whole(row.get("max_throughput_rps")),
                "spread": spread,
                "p50": _percentile(row, "p50_us"),
                "p99": _percentile(row, "p99_us"),
                "p999": _percentile(row, "p999_us"),
                # One number per quantity: server + store CPU per GET /me (the claims'
                # figure), and the check above the no-auth baseline (the CPU figure's red).
                "total_us": fmt.us(cost.median if cost else None),
                "store_us": fmt.us(row.get("store_cpu_us_per_request")),
                "credential_us": fmt.us(costs.credential_us(run, name)),
                "mix_us": fmt.us(mix.median if mix else None),
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


def _saturated_phases(run: RunData) -> list[dict[str, str]]:
    """The phases whose load generator was above 90% of a core, numbered as phases.csv
    numbers its repetitions (from 0)."""
    phases = run.phases
    if phases.empty or "generator_saturated" not in phases:
        return []
    flagged = phases[phases["generator_saturated"].astype(str).str.lower() == "true"]
    return [
        {
            "variant": str(r["variant"]),
            "phase": str(r["phase"]),
            "repetition": fmt.whole(r.get("repetition")),
            "busy": fmt.pct(r.get("generator_busy")),
        }
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
    drawn = security_table.table(run)
    return {
        "run_id": run.security.get("run_id", ""),
        "created_at": run.security.get("created_at", ""),
        "browsers": _browsers_line(run.security),
        "columns": drawn.columns if drawn else [],
        "rows": drawn.rows if drawn else [],
        "notes": ((run.security.get("csrf_browser") or {}).get("notes") or []),
    }


@dataclass(frozen=True)
class ClaimRow:
    """One claim on one row: its verdict, its headline deciding figure and margin; the
    reasoning (every deciding figure, the evidence) folded beneath."""

    claim: Claim
    headline: decisions.Deciding | None
    figures: list[decisions.Deciding]
    evidence: list[str]
    shared: list[str]  # claims whose evidence this one shares, named instead of repeated
    undecided: bool


def _claim_rows(claims: list[Claim]) -> list[ClaimRow]:
    """Each evidence line once on the page: a line an earlier claim already shows is
    named by that claim instead of repeated (the two CSRF claims share theirs)."""
    seen: dict[str, str] = {}
    rows = []
    for number_, claim in enumerate(claims, start=1):
        fresh, shared = [], []
        for line in claim.evidence:
            if line in seen:
                shared.append(seen[line])
            else:
                seen[line] = f"claim {number_}"
                fresh.append(line)
        rows.append(
            ClaimRow(
                claim,
                decisions.headline(claim),
                decisions.deciding(claim),
                fresh,
                list(dict.fromkeys(shared)),
                decisions.undecided(claim),
            )
        )
    return rows


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
    for name in ("situations.csv", "claims.csv", "capacity.csv"):
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


def environment() -> jinja2.Environment:
    """The report's templates (the page, and `authlab compare`'s)."""
    found = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    found.filters["code"] = code_spans
    return found


def _template() -> jinja2.Template:
    return environment().get_template("index.html.j2")


@dataclass(frozen=True)
class RunWarning:
    topic: str  # a few words for the first screen's one line
    text: str  # the whole warning, in the folded list


def _repeat_view(directory: Path) -> dict[str, Any]:
    """repeat.json with each run's deciding figure as text, for the verdicts-across-runs table."""
    repeat = decision_files.read_agreement(directory)
    for claim in repeat.get("claims") or []:
        claim["deciding_texts"] = [
            decision_files.deciding_text(f) for f in claim.get("deciding") or []
        ]
    return repeat


def _warnings(run: RunData) -> list[RunWarning]:
    """Every warning of the run, each once: the bench's own (status.json), the saturated
    phases, the variants that failed verification, the lab's own overhead."""
    saturated = _saturated_phases(run)
    flagged = [r for r in overhead_rows(run) if r["flagged"] or r["instructions_flagged"]]
    found = []
    for text in run.status.get("warnings") or []:
        if flagged and "its plain twin per GET /me" in str(text):
            continue  # the bench's line per variant: the overhead warning below holds them all
        topic = str(text).split(":", 1)[0]
        if "load generator" in str(text) and saturated:
            topic = f"the load generator was saturated in {len(saturated)} phases"
        found.append(RunWarning(topic, str(text)))
    if saturated and not any("load generator" in w.text for w in found):
        topic = f"the load generator was saturated in {len(saturated)} phases"
        found.append(RunWarning(topic, f"{topic}: their throughput is its limit, not the server's"))
    failures = _verification_failures(run)
    if failures:
        found += [
            RunWarning(f"{len(failures)} variant(s) failed verification", f"not loaded: {f}")
            for f in failures
        ]
    if flagged:
        found.append(
            RunWarning(
                f"the lab's own code above {fmt.TIMES}{OVERHEAD_LIMIT:.2f} a plain server for "
                f"{len(flagged)} variant(s)",
                f"the lab's own code costs above {fmt.TIMES}{OVERHEAD_LIMIT:.2f} a plain server "
                "for "
                + ", ".join(
                    f"{r['variant']} ("
                    + ", ".join(
                        [f"{r['ratio']} CPU"] * r["flagged"]
                        + [f"{r['instructions']} instructions"] * r["instructions_flagged"]
                    )
                    + ")"
                    for r in flagged
                ),
            )
        )
    return found


def build_report(run_dir: Path, security: Path | None = None) -> Path:
    """Write run_dir/report/index.html and its figures; return the page's path."""
    run = load_run(run_dir, security)
    report = Path(run_dir) / "report"
    report.mkdir(exist_ok=True)
    variants = len(variant_order(run))
    for dropped in ("memory.png", "store-ops.png"):  # figures that said nothing, since dropped
        (report / dropped).unlink(missing_ok=True)
    drawn = [
        DrawnFigure(spec, image, takeaways.takeaway(spec.id, run) if image else "")
        for spec in sections.figures_of(run)
        for image in [_draw(spec, run, report, variants)]
    ]
    claims = verdicts.claims(run)
    _write_csv(report / "claims.csv", [claim.as_row() for claim in claims])
    answer = situations.answer(run, claims)
    lines = situations.situations(run, claims)
    _write_csv(
        report / "situations.csv",
        [{"situation": "the question", "choice": answer, "deciding figure": "", "evidence": ""}]
        + [line.as_row() for line in lines],
    )
    decision_files.write_decisions(Path(run_dir), run.run_id, claims)
    assumptions = capacity.Assumptions()
    model = capacity.model(run, assumptions)
    _write_csv(report / "capacity.csv", model.to_dict("records"))
    across = runtimes.view(run)
    if across is not None:
        _write_csv(report / "runtimes.csv", runtimes.csv_rows(across))
    configuration = run.manifest.get("configuration") or {}
    profile = configuration.get("profile") or {}
    duration = run_duration_s(run)
    page = _template().render(
        run=run,
        run_id=run.run_id,
        manifest=run.manifest,
        status=run.status,
        facts=run_facts.facts(run),
        machine=run.manifest.get("machine") or {},
        versions=run.manifest.get("versions") or {},
        profile=profile,
        configuration=configuration,
        duration=None if duration is None else f"{int(duration // 60)} min {duration % 60:.0f} s",
        warnings=_warnings(run),
        saturated=_saturated_phases(run),
        variants=_summary_rows(run),
        claims=_claim_rows(claims),
        answer=answer,
        situations=lines,
        cost_source=costs.source_text(run),
        matched_load=(run.status.get("matched_load") or {}).get("from"),
        phase_rows=windows.phase_rows(run),
        repeat=_repeat_view(Path(run_dir)),
        confidence=f"{CONFIDENCE:.0%}",
        thresholds=THRESHOLDS,
        spreads=spread_note(run),
        cells=matrix.two_by_two(run),
        states=matrix.STATES,
        transports=matrix.TRANSPORTS,
        capacity_tables=_capacity_tables(run, assumptions),
        assumptions=assumptions.lines() + capacity.topology_lines(run),
        figures=[d for d in drawn if d.image],
        missing_figures=[d for d in drawn if not d.image],
        figure_ids={d.spec.id for d in drawn if d.image},
        security=_security_view(run),
        security_link=_security_link(run, report),
        security_gap=security_gap(run),
        raw_links=_raw_links(run, report),
        not_measured=NOT_MEASURED,
        runtimes=across,
        **sections.page_rows(run),
    )
    index = report / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
