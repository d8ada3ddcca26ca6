"""notebooks/explore.ipynb: executed by nbclient against a small results folder; kept
without outputs in git."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from reports.load import load_run
from reports.notebook import claims_table, draw, figure_ids, figure_spec, only
from reports.sections import FIGURES

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"


def test_the_notebook_is_stored_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.e2e  # a real Jupyter kernel
def test_the_notebook_runs_against_a_results_folder(
    synthetic_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kernel inherits the environment: that is how the notebook is pointed at a run.
    monkeypatch.setenv("AUTHLAB_RUN", str(synthetic_run))
    monkeypatch.delenv("AUTHLAB_SECURITY", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert synthetic_run.name in text  # it read the folder it was given
    assert "comparing session-redis against token-hs256" in text  # A and B at the top
    # What the report's functions can draw from this run: the notebook must show all of it.
    run = load_run(synthetic_run)
    pair = only(run, ["session-redis", "token-hs256"])
    drawable = [spec.title for spec in FIGURES if draw(spec, pair) is not None]
    assert len(drawable) >= 5
    claims = claims_table(run)
    deciding = sum(
        1
        for _, row in claims.iterrows()
        for fid in figure_ids(row)
        if (spec := figure_spec(fid)) is not None and draw(spec, run) is not None
    )
    markdown = [o.get("data", {}).get("text/markdown", "") for o in outputs]
    pair_titles = [m for m in markdown if "session-redis against token-hs256:" in m]
    assert len(pair_titles) == len(drawable)  # the pair on every figure it has data for
    assert all(any(title in m for m in pair_titles) for title in drawable)
    claim_headings = [m for m in markdown if m.startswith("### ")]
    assert any("Sessions put a heavy load on the server." in m for m in claim_headings)
    # Every claim, each with its verdict and evidence (however many the rules make).
    assert len(claim_headings) == len(claims)
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    # The pair's figures, each claim's deciding figures, and the one drawn by hand below.
    assert len(images) == len(drawable) + deciding + 1
    tables = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Sessions put a heavy load on the server." in tables
    assert "token-hs256" in tables
