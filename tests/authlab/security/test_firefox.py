"""Firefox over WebDriver BiDi (firefox.py, bidi.py), one real Firefox for the module.

What the lab relies on: the app's page is served by interception at the app's own
origin (no server listens there), each tab is a fresh profile, a script error is a
clear Python error, and nothing of Firefox outlives the lab.
"""

from __future__ import annotations

from collections.abc import Iterator

import psutil
import pytest

from authlab.ports import free_port
from authlab.security.browser import APP_PAGE
from authlab.security.firefox import Firefox
from tests.conftest import browser_or_skip

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def firefox() -> Iterator[Firefox]:
    with Firefox(browser_or_skip("firefox").path) as browser:
        yield browser


@pytest.fixture
def origin() -> str:
    return f"http://localhost:{free_port()}"  # nothing listens there


def test_it_is_firefox_over_bidi(firefox: Firefox) -> None:
    assert firefox.version.startswith("Firefox ")
    assert "BiDi" in firefox.driver


def test_the_app_page_is_served_at_the_apps_origin(firefox: Firefox, origin: str) -> None:
    with firefox.app_tab(origin, "memory") as tab:
        tab.open_app()
        assert tab.url() == f"{origin}{APP_PAGE}"
        assert tab.evaluate("() => [document.title, location.origin]") == ["authlab app", origin]
        assert tab.evaluate("() => typeof appLogin") == "function"
        # The page's code runs with the storage setting it was given.
        assert tab.storage == "memory"


def test_each_tab_is_a_fresh_profile(firefox: Firefox, origin: str) -> None:
    with firefox.app_tab(origin, "localStorage") as first:
        first.open_app()
        first.evaluate("() => { localStorage.setItem('k', 'v'); document.cookie = 'c=1'; }")
        assert first.evaluate("() => [localStorage.getItem('k'), document.cookie]") == ["v", "c=1"]
        assert [cookie["name"] for cookie in first.cookies()] == ["c"]
        with firefox.app_tab(origin, "localStorage") as second:
            second.open_app()
            assert second.evaluate("() => [localStorage.getItem('k'), document.cookie]") == [
                None,
                "",
            ]
            assert second.cookies() == []


def test_a_script_error_is_a_clear_error(firefox: Firefox, origin: str) -> None:
    with firefox.app_tab(origin, "cookie") as tab:
        tab.open_app()
        with pytest.raises(RuntimeError, match=r"firefox: .*no_such_thing"):
            tab.evaluate("() => no_such_thing()")
        assert tab.evaluate("(x) => x + 1", 41) == 42  # and the tab still works


def test_wait_for_gives_up_with_a_reason(firefox: Firefox, origin: str) -> None:
    with firefox.app_tab(origin, "cookie") as tab:
        tab.open_app()
        with pytest.raises(TimeoutError, match="never"):
            tab.wait_for("window.never === true", timeout=0.5)


def test_nothing_of_firefox_is_left_after_exit() -> None:
    browser = Firefox(browser_or_skip("firefox").path)
    with browser:
        main = psutil.Process(browser._instance(True).process.pid)
        family = [main, *main.children(recursive=True)]
        assert len(family) > 1  # Firefox runs content processes beside the main one
        profile = browser._instance(True).profile
    _gone, alive = psutil.wait_procs(family, timeout=15)
    assert alive == []
    assert not profile.exists()
