"""reports/notebook.py: the run the notebook opens, one variant against another, and the
figures behind each claim; on the synthetic results folder and on the sample report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports import notebook
from reports.load import load_run, variant_order
from reports.sections import FIGURES
from tests.reports.synthetic import security_document, write_run

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "sample-report"


def _finished_run(root: Path, name: str) -> Path:
    run = root / name
    run.mkdir(parents=True)
    (run / "status.json").write_text(json.dumps({"interrupted": False}))
    return run


def test_pick_run_prefers_authlab_run_then_the_newest_finished_bench_run_then_the_sample(
    tmp_path: Path,
) -> None:
    results = tmp_path / "results"
    results.mkdir()
    environ = {"AUTHLAB_RESULTS": str(results)}
    assert notebook.pick_run(environ)[0] == notebook.SAMPLE_RUN
    assert (notebook.SAMPLE_RUN / "summary.csv").is_file()

    _finished_run(results, "20261101-120000-bench-aaaa")
    newest = _finished_run(results, "20261102-120000-bench-bbbb")
    _finished_run(results, "20261103-120000-security-cccc")  # not a bench run
    (results / "20261104-120000-bench-dddd").mkdir()  # under way: no status.json yet
    assert notebook.pick_run(environ) == (newest, f"the newest bench run under {results}")

    chosen = tmp_path / "elsewhere"
    assert notebook.pick_run({**environ, "AUTHLAB_RUN": str(chosen)}) == (chosen, "AUTHLAB_RUN")


def test_a_relative_results_root_is_the_repository_s_whatever_the_working_directory() -> None:
    assert notebook.results_root({}) == notebook.REPO / "results"
    assert notebook.results_root({"AUTHLAB_RESULTS": "/srv/r"}) == Path("/srv/r")


def test_only_keeps_the_two_variants_in_every_per_variant_table(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    assert set(variant_order(run)) == {"baseline", "session-redis", "token-hs256"}
    pair = notebook.only(run, ["session-redis", "token-hs256"])

    assert variant_order(pair) == ["session-redis", "token-hs256"]
    for table in ("phases", "latency", "summary", "wire", "outage", "verification"):
        frame = getattr(pair, table)
        assert not frame.empty, table
        assert set(frame["variant"]) == {"session-redis", "token-hs256"}, table
    assert set(pair.scale_out["variant"]) == {"session-redis"}  # session-memory left out
    assert set(pair.process_samples["name"]) == {"server-session-redis", "server-token-hs256"}
    assert set(pair.redis_samples["name"]) == {"session-redis", "token-hs256"}
    # Per store: Redis sessions, and what a token server without a deny list keeps.
    assert set(pair.sessions_at_scale["store"]) == {
        "redis",
        "token refresh families (redis)",
        "token access (no deny list)",
    }
    assert pair.primitives.equals(run.primitives)  # not per variant: kept whole
    assert set(variant_order(run)) == {"baseline", "session-redis", "token-hs256"}  # untouched


def test_only_tells_which_variants_a_run_has(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    with pytest.raises(ValueError, match=r"session-sqlite not in run .*it has: baseline"):
        notebook.only(run, ["session-sqlite", "token-hs256"])


def test_scale_out_instances_stay_with_their_variant(tmp_path: Path) -> None:
    run = load_run(write_run(tmp_path))
    samples = run.process_samples.copy()
    samples.loc[0, "name"] = "server-session-redis-1"  # the second instance in scale-out
    run.process_samples = samples
    kept = set(notebook.only(run, ["session-redis"]).process_samples["name"])
    assert kept == {"server-session-redis", "server-session-redis-1"}


def test_every_figure_draws_the_pair_of_the_sample_run() -> None:
    run = load_run(SAMPLE)
    pair = notebook.only(run, ["session-redis", "token-hs256-denylist"])
    assert "token deny list (redis)" in set(pair.sessions_at_scale["store"])
    drawn = {spec.id: notebook.draw(spec, pair) for spec in FIGURES}
    # Every figure is drawn from the folder alone (latency from latency.csv, no HDR files).
    assert [fid for fid, image in drawn.items() if image is None] == []
    assert all(image is not None and image.startswith(b"\x89PNG") for image in drawn.values())


def test_each_claim_names_figures_the_notebook_can_draw(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    claims = notebook.claims_table(run)
    assert "Sessions put a heavy load on the server." in set(claims["claim"])
    named = [fid for _, row in claims.iterrows() for fid in notebook.figure_ids(row)]
    assert named
    for figure_id in named:
        assert figure_id == "security" or notebook.figure_spec(figure_id) is not None, figure_id
    assert notebook.figure_ids({"figures": ["cpu", "login"]}) == ["cpu", "login"]
    assert notebook.figure_ids({"figures": ""}) == []


def test_the_security_matrix_is_the_lab_s_when_the_run_has_it(synthetic_run: Path) -> None:
    assert notebook.security_matrix(load_run(synthetic_run)).empty
    (synthetic_run / "security.json").write_text(json.dumps(security_document()))
    with_lab = notebook.security_matrix(load_run(synthetic_run))
    assert not with_lab.empty and "configuration" in with_lab
