"""build_report on a small synthetic results folder: the page, its figures, its links."""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports.build import build_report
from reports.capacity import Assumptions, model
from reports.fmt import TIMES
from reports.load import latency_curves, load_run
from reports.sections import FIGURES
from tests.reports.synthetic import security_document, write_run


class Page(HTMLParser):
    """The parts of the page the tests look at: images, links, ids, text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.external: list[str] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "img":
            self.images.append(str(values["src"]))
        if tag == "a":
            self.links.append(str(values["href"]))
        if tag in ("script", "link", "iframe"):
            self.external.append(tag)
        for name in ("src", "href"):
            value = values.get(name) or ""
            if re.match(r"^(https?:)?//", value):
                self.external.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def built(pristine_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One report, built once, that several tests read (drawing ten figures takes a while)."""
    run = Path(shutil.copytree(pristine_run, tmp_path_factory.mktemp("built") / pristine_run.name))
    index = build_report(run)
    assert index == run / "report" / "index.html"
    return index


def test_report_page_figures_and_tables(built: Path) -> None:
    index = built
    page = Page(index.read_text(encoding="utf-8"))
    # Every figure of the run was drawn, and every image the page shows exists.
    assert sorted(page.images) == sorted(f"{spec.id}.png" for spec in FIGURES)
    for image in page.images:
        assert (index.parent / image).read_bytes().startswith(b"\x89PNG")
    # The answer first, then the claims and the figures; then, folded, the warnings, the
    # variants, the lab's own overhead, security, the 2 x 2, capacity, the run's details
    # and the raw data.
    order = [
        "answer", "claims", "figures", "warnings", "variants", "overhead", "security", "grid",
        "capacity", "details", "raw",
    ]  # fmt: skip
    text = index.read_text(encoding="utf-8")
    positions = [text.index(f'id="{name}"') for name in order]
    assert positions == sorted(positions)
    assert "claim-sessions-heavy" in page.ids and "fig-outage" in page.ids
    # Links: every local link resolves, relative to the page; nothing is fetched.
    assert page.external == []
    for link in page.links:
        if link.startswith("#"):
            assert link[1:] in page.ids, link
        else:
            assert (index.parent / link).is_file(), link
    assert "../phases.csv" in page.links and "../raw/process_samples.csv" in page.links
    # No security results: the security claims say so.
    assert page.plain.count("not measured in this run") >= 2
    assert "generator saturated" not in page.plain.lower()


def test_commands_show_as_code_and_nothing_else_becomes_markup() -> None:
    from reports.build import code_spans

    assert str(code_spans("run `make security` <script>")) == (
        "run <code>make security</code> &lt;script&gt;"
    )


def test_report_is_small(built: Path) -> None:
    index = built
    total = sum(path.stat().st_size for path in index.parent.iterdir())
    assert total < 2 * 2**20
    assert max(p.stat().st_size for p in index.parent.glob("*.png")) < 200 * 2**10


def test_claims_and_capacity_are_written_as_csv(built: Path) -> None:
    report = built.parent
    with open(report / "claims.csv") as handle:
        claims = list(csv.DictReader(handle))
    assert len(claims) == 8
    assert {row["verdict"] for row in claims} <= {"supported", "refuted", "depends", "not measured"}
    with open(report / "capacity.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 3  # three variants, three user counts


def test_saturated_generator_is_flagged_at_the_top(tmp_path: Path) -> None:
    run = write_run(tmp_path, saturated=True)
    text = build_report(run).read_text(encoding="utf-8")
    # One line on the first screen, before the claims, linking the list.
    line = text[text.index('id="warning-line"') : text.index('id="claims-section"')]
    assert "load generator" in line and 'href="#warnings"' in line
    # The list numbers repetitions as phases.csv does (from 0).
    folded = Page(text[text.index('id="warnings"') : text.index('id="variants"')]).plain
    assert "baseline step 0" in folded
    assert "(generator saturated)" in text


def test_security_results_from_a_separate_run_are_used_and_copied(
    synthetic_run: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "security-run" / "security.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text(json.dumps(security_document()))
    index = build_report(synthetic_run, elsewhere)
    page = Page(index.read_text(encoding="utf-8"))
    assert (index.parent / "security.json").read_text() == elsewhere.read_text()
    assert "security.json" in page.links
    assert "session-none-csrf-off" in page.plain
    with open(index.parent / "claims.csv") as handle:
        verdicts = {row["id"]: row["verdict"] for row in csv.DictReader(handle)}
    assert verdicts["sessions-csrf"] == verdicts["tokens-csrf"] == "depends"


def test_a_redraw_keeps_the_security_results_it_was_first_given(
    synthetic_run: Path, tmp_path: Path
) -> None:
    # `authlab bench --security FILE` copies FILE into report/; `authlab report RUN` later,
    # without --security, must give the same CSRF verdicts from the folder alone.
    elsewhere = tmp_path / "security.json"
    elsewhere.write_text(json.dumps(security_document()))
    first = build_report(synthetic_run, elsewhere).parent
    before = (first / "claims.csv").read_text()
    elsewhere.unlink()
    again = build_report(synthetic_run).parent
    assert (again / "claims.csv").read_text() == before
    assert "sessions-csrf,Sessions are vulnerable to CSRF.,depends" in before


def test_the_committed_sample_redraws_from_its_folder_alone(tmp_path: Path) -> None:
    sample = Path(__file__).parents[2] / "docs" / "sample-report"
    copy = Path(shutil.copytree(sample, tmp_path / "sample"))
    shutil.rmtree(copy / "report" / "__pycache__", ignore_errors=True)
    for image in (copy / "report").glob("*.png"):
        image.unlink()
    index = build_report(copy)
    page = Page(index.read_text(encoding="utf-8"))
    # Every figure is drawn again, from the committed CSVs (no HDR file is committed).
    assert sorted(page.images) == sorted(f"{spec.id}.png" for spec in FIGURES)
    with open(index.parent / "claims.csv") as handle:
        verdicts = {row["id"]: row["verdict"] for row in csv.DictReader(handle)}
    assert "not measured" not in verdicts.values(), verdicts


def test_the_first_screen_answers_from_the_verdicts(synthetic_run_with_security: Path) -> None:
    text = build_report(synthetic_run_with_security).read_text(encoding="utf-8")
    answer = text[text.index('id="answer"') : text.index('id="claims-section"')]
    plain = Page(answer).plain
    # One sentence, in words, with the GET /me figures of summary.csv (210 and 152 µs).
    assert answer.count('class="answer"') == 1
    assert (
        f"a session in Redis costs {TIMES}1.38 the CPU of a JWT (HS256), 210 µs against 152 "
        f"µs: modestly higher, short of the {TIMES}1.50 'heavy' line" in plain
    )
    # One line per situation, each linking its claim.
    assert answer.count('id="situation-') == 6
    assert "session in process memory 50% ('breaks' from 25%), session in Redis 0%" in plain
    assert "session in Redis 0%, JWT (HS256) 100%" in plain
    assert "the script's own POST /transfer succeeded in 5 of 5 tries" in plain
    assert "2 of 3 cookie configurations and 0 of 2 header ones (in chromium)" in plain
    # Configurations in words, not lab ids (a command that measures a gap names them).
    words = Page(re.sub(r"<code>.*?</code>", "", answer)).plain
    assert "session-redis" not in words and "token-hs256" not in words
    with open(synthetic_run_with_security / "report" / "situations.csv") as handle:
        assert len(list(csv.DictReader(handle))) == 7


def test_every_figure_has_a_takeaway_from_its_data(built: Path) -> None:
    page = built.read_text(encoding="utf-8")
    assert page.count("<figcaption><strong>") == len(FIGURES)
    assert "<figcaption><strong></strong>" not in page
    plain = Page(page).plain
    # The throughput figure's line quotes summary.csv's GET-only maximum (me-closed).
    assert "From 4,505 req/s (session-redis) to 9,005 req/s (baseline)" in plain
    assert "Failed without sticky routing: session-memory 50%, session-redis 0%." in plain


def test_variant_numbers_agree_with_summary_csv(built: Path) -> None:
    run = load_run(built.parent.parent)
    page = Page(built.read_text(encoding="utf-8")).plain
    for _, row in run.summary.iterrows():
        store, mix_store = (
            row.get(c) or 0.0 for c in ("store_cpu_us_per_request", "mix_store_cpu_us_per_request")
        )
        store = 0.0 if store != store else store  # NaN: no store
        mix_store = 0.0 if mix_store != mix_store else mix_store
        assert f"{row['max_throughput_rps']:,.0f}" in page
        assert f"{row['p99_us'] / 1000:,.2f} ms" in page
        assert f"{row['server_cpu_us_per_request'] + store:,.0f} µs" in page
        assert f"{row['mix_server_cpu_us_per_request'] + mix_store:,.0f} µs" in page


def test_the_credential_check_is_one_number_wherever_it_is_shown(built: Path) -> None:
    from reports.costs import credential_us

    run = load_run(built.parent.parent)
    text = built.read_text(encoding="utf-8")
    variants = Page(text[text.index('id="variants"') : text.index('id="overhead"')]).plain
    figure = Page(text[text.index('id="fig-cpu"') : text.index("</figure>")]).plain
    # session-redis: 150 µs above the baseline in the variants table, the CPU figure's
    # line and the claims, never another figure for the same quantity.
    check = credential_us(run, "session-redis")
    assert check == pytest.approx(150.0)
    assert "150 µs" in variants and "adds 92 µs (token-hs256) to 150 µs (session-redis)" in figure


def test_the_lab_overhead_table_flags_ratios_above_the_limit(built: Path) -> None:
    text = built.read_text(encoding="utf-8")
    table = text[
        text.index('id="overhead-table"') : text.index(
            "</table>", text.index('id="overhead-table"')
        )
    ]
    rows = re.findall(r"<tr( class=\"flagged\")?><td>([\w-]+)", table)
    assert [(name, bool(flag)) for flag, name in rows] == [
        ("baseline", False), ("session-redis", False), ("token-hs256", True),
    ]  # fmt: skip
    assert f"{TIMES}1.25" in table
    line = Page(text[text.index('id="warning-line"') : text.index('id="claims-section"')])
    assert f"the lab's own code above {TIMES}1.15 a plain server for 1 variant(s)" in line.plain
    folded = Page(text[text.index('id="warnings"') : text.index('id="variants"')])
    assert f"a plain server for token-hs256 ({TIMES}1.25 CPU)" in folded.plain


def test_the_benchs_own_overhead_lines_are_not_counted_again(
    pristine_run: Path, tmp_path: Path
) -> None:
    # The bench warns once per variant above the limit (status.json); the page's one overhead
    # warning already names each of them, so the bench's lines are not a second warning.
    run = Path(shutil.copytree(pristine_run, tmp_path / pristine_run.name))
    status = json.loads((run / "status.json").read_text())
    status["warnings"] = [
        "token-hs256 costs 1.25x its plain twin per GET /me (limit 1.15): the lab's own cost "
        "is in its figures"
    ]
    (run / "status.json").write_text(json.dumps(status))
    text = build_report(run).read_text(encoding="utf-8")
    line = Page(text[text.index('id="warning-line"') : text.index('id="claims-section"')])
    assert "1 warning" in line.plain and "its plain twin" not in line.plain
    assert f"the lab's own code above {TIMES}1.15 a plain server for 1 variant(s)" in line.plain


def test_instruction_counts_join_the_overhead_table_and_flag_on_their_own(
    synthetic_run: Path,
) -> None:
    from authlab.bench.growing_csv import Table

    counted = Table(synthetic_run / "instructions.csv")
    for variant, plain, ratio in (("baseline", 230_000, 1.10), ("session-redis", 560_000, 1.20)):
        counted.add(
            {"variant": variant, "plain_instructions": plain,
             "authlab_instructions": round(plain * ratio), "instruction_ratio": ratio,
             "requests": 200}
        )  # fmt: skip
    text = build_report(synthetic_run).read_text(encoding="utf-8")
    table = text[
        text.index('id="overhead-table"') : text.index(
            "</table>", text.index('id="overhead-table"')
        )
    ]
    assert "instructions per request" in table
    assert "230k → 253k" in table and f"{TIMES}1.20" in table
    rows = re.findall(r"<tr( class=\"flagged\")?><td>([\w-]+)", table)
    # session-redis: CPU within the limit (x1.10) but its instructions above it (x1.20).
    assert [(name, bool(flag)) for flag, name in rows] == [
        ("baseline", False), ("session-redis", True), ("token-hs256", True),
    ]  # fmt: skip
    assert f"session-redis ({TIMES}1.20 instructions)" in Page(text).plain


def test_without_instruction_counts_the_overhead_table_has_no_such_column(built: Path) -> None:
    assert "instructions per request" not in built.read_text(encoding="utf-8")


def test_the_run_folders_own_security_results_are_read(synthetic_run_with_security: Path) -> None:
    index = build_report(synthetic_run_with_security)
    page = Page(index.read_text(encoding="utf-8"))
    assert "../security.json" in page.links
    assert not (index.parent / "security.json").exists()
    assert "exploited in 1 of 2 configurations: session-none-csrf-off" in page.plain


def test_a_missing_security_file_is_an_error(synthetic_run: Path) -> None:
    with pytest.raises(FileNotFoundError):
        build_report(synthetic_run, synthetic_run / "nope.json")


def test_an_interrupted_run_with_only_some_files_still_renders(synthetic_run: Path) -> None:
    # What Ctrl-C early in a run leaves: the manifest and a few phases, no experiments.
    for name in ("sessions_at_scale", "scale_out", "outage", "primitives", "wire", "summary"):
        (synthetic_run / f"{name}.csv").unlink()
    shutil.rmtree(synthetic_run / "raw")
    (synthetic_run / "status.json").write_text(json.dumps({"interrupted": True, "warnings": []}))
    index = build_report(synthetic_run)
    page = Page(index.read_text(encoding="utf-8"))
    # Without the raw HDR files the latency figure is drawn from latency.csv alone.
    assert page.images == ["latency.png"]
    assert "yes: the results hold what was measured until then" in page.plain
    assert page.plain.count("not measured in this run") >= 10
    assert [p.name for p in index.parent.glob("*.png")] == ["latency.png"]


def test_rebuilding_drops_figures_whose_data_is_gone(synthetic_run: Path) -> None:
    report = build_report(synthetic_run).parent
    assert (report / "outage.png").is_file()
    (synthetic_run / "outage.csv").unlink()
    build_report(synthetic_run)
    assert not (report / "outage.png").exists()


def test_latency_curves_merge_every_repetition(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    curves = latency_curves(run)
    assert list(dict.fromkeys(curves["variant"])) == ["baseline", "session-redis", "token-hs256"]
    for _, rows in curves.groupby("variant"):
        assert rows["percentile"].is_monotonic_increasing
        assert rows["latency_us"].is_monotonic_increasing
    # Corrected latency (from when due) is never below the service time at the median.
    service = latency_curves(run, kind="service")
    median = curves[curves["percentile"] == 50.0].set_index("variant")["latency_us"]
    assert (
        median >= service[service["percentile"] == 50.0].set_index("variant")["latency_us"]
    ).all()


def test_capacity_model_scales_with_users_and_prints_its_assumptions(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    assumptions = Assumptions(users=(1_000_000, 2_000_000), requests_per_user_per_s=0.1)
    frame = model(run, assumptions).set_index(["variant", "users"])
    session = frame.loc[("session-redis", 1_000_000)]
    # 100k requests/s at 450 µs of server CPU each, with cores at 60%: 75 cores.
    assert session["requests_per_s"] == pytest.approx(100_000)
    assert session["server_cores"] == pytest.approx(100_000 * 450e-6 / 0.6)
    assert session["store_memory_bytes"] == pytest.approx(880 * 1_000_000)
    assert session["store_ops_per_s"] == pytest.approx(100_000)
    assert frame.loc[("session-redis", 2_000_000)]["server_cores"] == pytest.approx(
        2 * session["server_cores"]
    )
    # The token server keeps its refresh families; the baseline keeps nothing.
    assert frame.loc[("token-hs256", 1_000_000)]["store_memory_bytes"] == pytest.approx(520e6)
    assert frame.loc[("baseline", 1_000_000)]["store_memory_bytes"] == 0
    lines = assumptions.lines()
    assert any("6 authenticated request(s) a minute" in line for line in lines)
    assert any("60%" in line for line in lines)


def test_the_page_says_why_the_browser_part_is_missing(synthetic_run: Path) -> None:
    """The bench's word (no Chromium found, and how to get one) in the security section."""
    reason = "no Chromium found (looked at AUTHLAB_CHROMIUM); to get one: Fedora: `dnf x`"
    status = {"interrupted": False, "warnings": [], "security": {
        "measured": False, "reason": reason, "command": "make security",
        "then": "authlab report RUN --security results/<its run-id>/security.json",
    }}  # fmt: skip
    (synthetic_run / "status.json").write_text(json.dumps(status))
    html = build_report(synthetic_run).read_text(encoding="utf-8")
    assert "CSRF and XSS: not measured: no Chromium found" in Page(html).plain
    assert "Fedora: <code>dnf x</code>" in html


def test_a_percentile_beyond_its_sample_reads_n_a_with_the_sample_count(built: Path) -> None:
    run = load_run(built.parent.parent)
    page = Page(built.read_text(encoding="utf-8")).plain
    for _, row in run.summary.iterrows():
        # 1,200 latencies a repetition carry a p99 but not a p99.9 (10 beyond it).
        assert row["p999_us"] != row["p999_us"]  # NaN: left out of summary.csv's figures
        assert f"n/a ({row['latency_samples']:,.0f} samples)" in page


def test_the_page_states_each_phase_s_length_window_and_samples(built: Path) -> None:
    page = Page(built.read_text(encoding="utf-8")).plain
    assert "What the figures rest on, per load phase" in page
    assert "me-rate" in page and "latency samples" in page
    claims = json.loads((built.parent.parent / "decisions.json").read_text())
    assert [c["id"] for c in claims["claims"]][:1] == ["sessions-heavy"]


def test_each_claim_opens_with_its_plain_sentence(synthetic_run_with_security: Path) -> None:
    text = build_report(synthetic_run_with_security).read_text(encoding="utf-8")
    claims = text[text.index('id="claims-section"') : text.index('id="figures"')]
    sentences = [Page(s).plain for s in re.findall(r'<p class="sentence">(.*?)</p>', claims)]
    # The cost, memory and outage claims each say their answer in one sentence, above
    # the conditions, with the figure that decides it.
    assert any(s.startswith("Per authenticated request") and "session-redis costs" in s
               for s in sentences), sentences  # fmt: skip
    assert any("session-memory 50% failed" in s for s in sentences), sentences
    assert any("serves 0%" in s and "100% of its normal throughput" in s for s in sentences)
