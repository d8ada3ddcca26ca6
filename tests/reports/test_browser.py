"""The rendered report in headless Chromium: no console error, every image loaded, the
claims table present, nothing fetched from the network, readable at phone width."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from reports.build import build_report
from reports.sections import FIGURES

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def report(pristine_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.reports.synthetic import security_document

    run = Path(shutil.copytree(pristine_run, tmp_path_factory.mktemp("page") / pristine_run.name))
    security = run.parent / "security.json"
    import json

    security.write_text(json.dumps(security_document()))
    return build_report(run, security)


def open_page(browser: Any, report: Path, width: int, height: int) -> tuple[Any, dict[str, list]]:
    page = browser.new_page(viewport={"width": width, "height": height})
    seen: dict[str, list] = {"errors": [], "requests": []}
    page.on(
        "console",
        lambda message: seen["errors"].append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("requestfailed", lambda request: seen["errors"].append(f"failed: {request.url}"))
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.goto(report.as_uri(), wait_until="load")
    return page, seen


def test_the_page_renders_without_errors_and_every_image_loads(browser: Any, report: Path) -> None:
    page, seen = open_page(browser, report, 1200, 900)
    try:
        assert seen["errors"] == []
        images = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])"
        )
        assert len(images) == len(FIGURES)
        for source, complete, width in images:
            assert complete and width > 0, source
        # Opens from disk: nothing but the page and its own files is requested.
        assert all(url.startswith("file://") for url in seen["requests"]), seen["requests"]
        rows = page.locator("table#claims tbody tr")
        assert rows.count() == 8
        verdicts = page.locator("table#claims .verdict").all_inner_texts()
        verdicts = [v for v in verdicts if v != "not decided at this run's precision"]
        assert set(verdicts) <= {"supported", "refuted", "depends", "not measured"}
        assert "depends" in verdicts
    finally:
        page.close()


def test_the_page_is_readable_at_phone_width(browser: Any, report: Path) -> None:
    page, seen = open_page(browser, report, 390, 844)
    try:
        assert seen["errors"] == []
        # Wide tables scroll inside their own box: the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.clientWidth)")
        assert widths and max(widths) <= 390
        # The claims table becomes one card per claim, its verdict readable without scrolling.
        first = page.locator("table#claims tbody tr").first
        assert first.bounding_box()["width"] <= 390
        assert first.locator(".verdict").is_visible()
    finally:
        page.close()
