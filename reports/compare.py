"""Two runs side by side, as `asv compare` and `pytest-benchmark compare` show theirs: each
claim's verdict in both, its deciding figures with their spread, what changed and whether
the change is larger than the spread; each variant's headline figures likewise; and what
differs in how the two were made (the versions of the packages on the request path, the
machine, the profile), since a change there explains a change in the figures.

A change counts only when the two spreads do not overlap (each figure's interval where the
rules give one, else the range of its repetitions): inside them, another run could have
given either number. Without a spread nothing is said to have changed beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reports import decisions, fmt, verdicts
from reports.load import RunData, load_run, variant_order
from reports.metrics import Measure, total_cpu
from results_format.packages import REQUEST_PATH

Mark = Literal["higher", "lower", "within the spread", "no spread"]


def mark(a: float, a_spread: tuple[float, float] | None, b: float,
         b_spread: tuple[float, float] | None) -> Mark:  # fmt: skip
    """Whether b moved from a by more than their spreads: their ranges (each widened to
    hold its own value) do not overlap."""
    if a_spread is None or b_spread is None:
        return "no spread"
    a_low, a_high = min(a_spread[0], a), max(a_spread[1], a)
    b_low, b_high = min(b_spread[0], b), max(b_spread[1], b)
    if b_low > a_high:
        return "higher"
    if b_high < a_low:
        return "lower"
    return "within the spread"


@dataclass(frozen=True)
class FigureChange:
    figure: str
    a: decisions.Deciding | None
    b: decisions.Deciding | None

    @property
    def change(self) -> Mark | None:
        if self.a is None or self.b is None:
            return None
        return mark(self.a.value, _spread(self.a), self.b.value, _spread(self.b))

    @property
    def ratio(self) -> float | None:
        if self.a is None or self.b is None or not self.a.value:
            return None
        return self.b.value / self.a.value

    @property
    def crossed(self) -> bool:
        """The figure moved to the other side of its threshold."""
        if self.a is None or self.b is None:
            return False
        return (self.a.value >= self.a.threshold) != (self.b.value >= self.b.threshold)


def _spread(figure: decisions.Deciding) -> tuple[float, float] | None:
    if figure.low is None or figure.high is None:
        return None
    return figure.low, figure.high


@dataclass(frozen=True)
class ClaimChange:
    id: str
    claim: str
    verdict_a: str
    verdict_b: str
    figures: list[FigureChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.verdict_a != self.verdict_b


@dataclass(frozen=True)
class VariantChange:
    variant: str
    quantity: str
    unit: str
    a: Measure | None
    b: Measure | None

    @property
    def change(self) -> Mark | None:
        if self.a is None or self.b is None:
            return None
        a_spread = None if self.a.low == self.a.high else (self.a.low, self.a.high)
        b_spread = None if self.b.low == self.b.high else (self.b.low, self.b.high)
        return mark(self.a.median, a_spread, self.b.median, b_spread)

    @property
    def ratio(self) -> float | None:
        if self.a is None or self.b is None or not self.a.median:
            return None
        return self.b.median / self.a.median


@dataclass(frozen=True)
class Comparison:
    a: str  # run ids
    b: str
    a_path: Path
    b_path: Path
    claims: list[ClaimChange]
    variants: list[VariantChange]
    versions: list[tuple[str, str, str]]  # request-path packages whose versions differ
    made: list[tuple[str, str, str]]  # machine and profile facts that differ


def _claim_changes(run_a: RunData, run_b: RunData) -> list[ClaimChange]:
    found = []
    claims_b = {claim.id: claim for claim in verdicts.claims(run_b)}
    for claim_a in verdicts.claims(run_a):
        claim_b = claims_b.get(claim_a.id)
        figures_a = {f.figure: f for f in decisions.deciding(claim_a)}
        figures_b = {f.figure: f for f in decisions.deciding(claim_b)} if claim_b else {}
        names = list(dict.fromkeys([*figures_a, *figures_b]))
        found.append(
            ClaimChange(
                claim_a.id,
                claim_a.claim,
                claim_a.verdict,
                claim_b.verdict if claim_b else "not in this run",
                [FigureChange(n, figures_a.get(n), figures_b.get(n)) for n in names],
            )
        )
    return found


def _throughput(run: RunData, variant: str) -> Measure | None:
    return Measure.of(run.summary_row(variant), "max_throughput_rps")


def _variant_changes(run_a: RunData, run_b: RunData) -> list[VariantChange]:
    found = []
    for variant in dict.fromkeys([*variant_order(run_a), *variant_order(run_b)]):
        for quantity, unit, read in (
            ("CPU per GET /me (server + store)", "us", total_cpu),
            ("maximum throughput", "rps", _throughput),
        ):
            a, b = read(run_a, variant), read(run_b, variant)
            if a is not None or b is not None:
                found.append(VariantChange(variant, quantity, unit, a, b))
    return found


def _versions(run_a: RunData, run_b: RunData) -> list[tuple[str, str, str]]:
    """The request path's packages whose recorded versions differ (or one run did not
    record)."""
    a = run_a.manifest.get("versions") or {}
    b = run_b.manifest.get("versions") or {}
    found = []
    for name in REQUEST_PATH:
        if name not in a and name not in b:
            continue
        va, vb = str(a.get(name, "not recorded")), str(b.get(name, "not recorded"))
        if va != vb:
            found.append((name, va, vb))
    return found


def _facts(run: RunData) -> dict[str, str]:
    machine = run.manifest.get("machine") or {}
    configuration = run.manifest.get("configuration") or {}
    profile = configuration.get("profile") or {}
    return {
        "CPU model": str(machine.get("cpu_model") or "not recorded"),
        "cores": str(machine.get("cpu_count_logical") or "not recorded"),
        "profile": str(profile.get("name") or "not recorded"),
        "repetitions": str(profile.get("repetitions") or "not recorded"),
        "Python": str(machine.get("python") or "not recorded"),
        "redis-server": str((run.manifest.get("versions") or {}).get("redis-server") or "-"),
        "installed from the lock": _lock(run),
    }


def _lock(run: RunData) -> str:
    lock = run.manifest.get("lock")
    if not isinstance(lock, dict):
        return "not recorded"
    return "yes" if lock.get("matched") else "no"


def compare_runs(a: Path, b: Path) -> Comparison:
    run_a, run_b = load_run(a), load_run(b)
    facts_a, facts_b = _facts(run_a), _facts(run_b)
    return Comparison(
        run_a.run_id,
        run_b.run_id,
        Path(a),
        Path(b),
        _claim_changes(run_a, run_b),
        _variant_changes(run_a, run_b),
        _versions(run_a, run_b),
        [(k, facts_a[k], facts_b[k]) for k in facts_a if facts_a[k] != facts_b[k]],
    )


# --- how a figure reads ----------------------------------------------------------------


def figure_text(figure: decisions.Deciding | None) -> str:
    if figure is None:
        return "-"
    spread = _spread(figure)
    if spread is None:
        return figure.value_text
    return f"{figure.value_text} ({figure.show(spread[0])}-{figure.show(spread[1])})"


def measure_text(measure: Measure | None, unit: str) -> str:
    if measure is None:
        return "-"
    show = fmt.us if unit == "us" else fmt.whole
    if measure.low == measure.high:
        return show(measure.median)
    return f"{show(measure.median)} ({show(measure.low)}-{show(measure.high)})"


def change_text(change: Mark | None, ratio: float | None) -> str:
    """asv's marks in words: how far it moved and whether beyond the spread."""
    if change is None:
        return "only in one run"
    moved = "" if ratio is None else f"{fmt.TIMES}{ratio:.2f}, "
    if change in ("higher", "lower"):
        return f"{moved}{change}, beyond the spread"
    return f"{moved}{change}"


def changed_count(comparison: Comparison) -> tuple[int, int, int]:
    """(verdicts that changed, figures that moved beyond their spread, figures in both runs
    of which one run gives no spread to judge by)."""
    verdicts_changed = sum(c.changed for c in comparison.claims)
    changes = [f.change for c in comparison.claims for f in c.figures]
    changes += [v.change for v in comparison.variants]
    moved = sum(change in ("higher", "lower") for change in changes)
    unjudged = sum(change == "no spread" for change in changes)
    return verdicts_changed, moved, unjudged


def verdict_line(comparison: Comparison) -> str:
    verdicts_changed, moved, unjudged = changed_count(comparison)
    text = f"{verdicts_changed} verdict(s) changed; {moved} figure(s) moved beyond their spread"
    if unjudged:
        text += (
            f"; {unjudged} figure(s) without a spread in one of the runs (a single repetition): "
            "whether they moved beyond the noise cannot be said"
        )
    return text + "."


def as_text(comparison: Comparison) -> str:
    """The terminal's view: plain aligned columns, one claim per block."""
    lines = [
        f"A: {comparison.a}  ({comparison.a_path})",
        f"B: {comparison.b}  ({comparison.b_path})",
    ]
    if comparison.versions:
        lines.append("")
        lines.append(
            "WARNING: packages on the request path differ (the runs are not like for like):"
        )
        lines += [f"  {name}: {a} -> {b}" for name, a, b in comparison.versions]
    if comparison.made:
        lines.append("")
        lines.append("made differently:")
        lines += [f"  {name}: {a} -> {b}" for name, a, b in comparison.made]
    lines.append("")
    lines.append("claims (deciding figures: value (spread) in A -> in B; change):")
    for number_, claim in enumerate(comparison.claims, start=1):
        verdict = (
            f"{claim.verdict_a} -> {claim.verdict_b}  CHANGED"
            if claim.changed
            else f"{claim.verdict_a} in both"
        )
        lines.append(f"{number_}. {claim.claim}  [{verdict}]")
        for figure in claim.figures:
            crossed = "  crossed its threshold" if figure.crossed else ""
            lines.append(
                f"     {figure.figure}: {figure_text(figure.a)} -> {figure_text(figure.b)}; "
                f"{change_text(figure.change, figure.ratio)}{crossed}"
            )
    lines.append("")
    lines.append("variants (median (min-max over repetitions) in A -> in B; change):")
    width = max((len(v.variant) for v in comparison.variants), default=10)
    for change in comparison.variants:
        lines.append(
            f"  {change.variant:<{width}}  {change.quantity}: "
            f"{measure_text(change.a, change.unit)} -> {measure_text(change.b, change.unit)}; "
            f"{change_text(change.change, change.ratio)}"
        )
    lines.append("")
    lines.append(verdict_line(comparison))
    lines.append(
        "Absolute µs move with the machine; ratios measured within each run travel better."
    )
    return "\n".join(lines) + "\n"


def as_html(comparison: Comparison) -> str:
    from reports.build import environment

    return (
        environment()
        .get_template("compare.html.j2")
        .render(
            c=comparison,
            verdict_line=verdict_line(comparison),
            figure_text=figure_text,
            measure_text=measure_text,
            change_text=change_text,
        )
    )


def write(comparison: Comparison, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(as_html(comparison), encoding="utf-8")
    return path


def default_page(comparison: Comparison) -> Path:
    """Beside B's report: B is the run being held against A."""
    return comparison.b_path / "report" / f"compare-{comparison.a}.html"
