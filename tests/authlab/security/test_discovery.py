"""Finding the browsers the way users have them (discovery.py), with fake executables.

Every source is a folder of this test's own: PATH is two temporary folders, the macOS
applications a temporary /Applications and HOME, Playwright's cache a temporary
PLAYWRIGHT_BROWSERS_PATH (Playwright itself says where in it Chromium would be). A fake
browser that exits at once stands for one that is found but cannot start.
"""

from __future__ import annotations

import pytest

from authlab.security.browser import BrowserDidNotStart, BrowserUnavailable, first_error_lines
from authlab.security.discovery import (
    FoundBrowser,
    browser_missing,
    find_browser,
    open_browser,
    playwright_chromium,
)
from tests.authlab.security.conftest import Places, fake

BROKEN_LIBRARY = (
    "chromium: error while loading shared libraries: libnss3.so: cannot open shared object "
    "file: No such file or directory"
)


def test_nothing_found_says_where_it_looked_and_how_to_get_one(places: Places) -> None:
    with pytest.raises(BrowserUnavailable) as chromium:
        find_browser("chromium")
    message = str(chromium.value)
    assert message.startswith("no Chromium found")
    for part in (
        "AUTHLAB_CHROMIUM", "chromium-browser", "google-chrome-stable", "Playwright's cache",
        "sudo apt-get install chromium", "sudo snap install chromium",
        "sudo dnf install chromium", "brew install --cask chromium",
        "playwright install chromium", "make browsers",
    ):  # fmt: skip
        assert part in message, part
    firefox = browser_missing("firefox")
    assert firefox is not None
    assert firefox.startswith("no Firefox found")
    assert "sudo apt-get install firefox-esr" in firefox
    assert "sudo dnf install firefox" in firefox


def test_each_source_in_order(places: Places, monkeypatch: pytest.MonkeyPatch) -> None:
    """All four sources hold a Chromium; taking each away in turn reveals the next."""
    cache = playwright_chromium()
    assert cache is not None
    assert cache.is_relative_to(places.playwright_cache)  # Playwright honours the variable
    in_cache = fake(cache)
    in_applications = fake(places.applications / "Chromium.app/Contents/MacOS/Chromium")
    on_path = fake(places.second_on_path / "chromium-browser")
    chosen = fake(places.first_on_path / "my-chromium")
    monkeypatch.setenv("AUTHLAB_CHROMIUM", str(chosen))

    assert find_browser("chromium") == FoundBrowser("chromium", chosen, "AUTHLAB_CHROMIUM")
    monkeypatch.delenv("AUTHLAB_CHROMIUM")
    assert find_browser("chromium") == FoundBrowser("chromium", on_path, "PATH (chromium-browser)")
    on_path.unlink()
    assert find_browser("chromium") == FoundBrowser(
        "chromium", in_applications, "macOS applications"
    )
    in_applications.unlink()
    found = find_browser("chromium")
    assert (found.path, found.name) == (in_cache, "chromium")
    assert found.found_by.startswith("Playwright's cache")
    in_cache.unlink()
    with pytest.raises(BrowserUnavailable, match="no Chromium found"):
        find_browser("chromium")


def test_the_usual_names_on_path_in_their_order(places: Places) -> None:
    for name in ("google-chrome-stable", "google-chrome", "chromium-browser", "chromium"):
        fake(places.second_on_path / name)
        assert find_browser("chromium").path == places.second_on_path / name
    fake(places.second_on_path / "firefox")
    assert find_browser("firefox").found_by == "PATH (firefox)"
    fake(places.second_on_path / "firefox-esr")
    assert find_browser("firefox").found_by == "PATH (firefox-esr)"


def test_the_environment_variable_wins_over_path(
    places: Places, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake(places.first_on_path / "chromium")
    fake(places.first_on_path / "firefox-esr")
    elsewhere = fake(places.home / "browsers" / "chrome")
    firefox = fake(places.home / "browsers" / "firefox")
    monkeypatch.setenv("AUTHLAB_CHROMIUM", str(elsewhere))
    monkeypatch.setenv("AUTHLAB_FIREFOX", str(firefox))
    assert find_browser("chromium").path == elsewhere
    assert find_browser("firefox") == FoundBrowser("firefox", firefox, "AUTHLAB_FIREFOX")
    # A command name is looked up on PATH.
    monkeypatch.setenv("AUTHLAB_CHROMIUM", "chromium")
    assert find_browser("chromium").path == places.first_on_path / "chromium"


def test_a_variable_that_names_nothing_runnable_is_an_error_not_a_fallback(
    places: Places, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake(places.first_on_path / "chromium")  # would be found without the variable
    not_runnable = fake(places.home / "chrome", executable=False)
    for value in (str(not_runnable), str(places.home / "absent"), str(places.home)):
        monkeypatch.setenv("AUTHLAB_CHROMIUM", value)
        with pytest.raises(BrowserUnavailable, match=f"AUTHLAB_CHROMIUM={value} is not an"):
            find_browser("chromium")


def test_a_file_without_the_execute_bit_is_skipped(places: Places) -> None:
    fake(places.first_on_path / "chromium", executable=False)
    fake(places.applications / "Firefox.app/Contents/MacOS/firefox", executable=False)
    runnable = fake(places.second_on_path / "chromium")
    assert find_browser("chromium").path == runnable  # the same name further down PATH
    with pytest.raises(BrowserUnavailable, match="no Firefox found"):
        find_browser("firefox")
    # The same in Playwright's cache.
    runnable.unlink()
    cache = playwright_chromium()
    assert cache is not None
    fake(cache, executable=False)
    with pytest.raises(BrowserUnavailable, match="no Chromium found"):
        find_browser("chromium")


def test_macos_applications_in_the_home_folder(places: Places) -> None:
    chrome = fake(places.home / "Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
    firefox = fake(places.home / "Applications/Firefox.app/Contents/MacOS/firefox")
    assert find_browser("chromium").path == chrome
    assert find_browser("firefox").path == firefox


def test_playwrights_cache_holds_no_firefox_the_lab_can_drive(places: Places) -> None:
    cache = playwright_chromium()
    assert cache is not None
    fake(cache)
    assert find_browser("chromium").path == cache
    with pytest.raises(BrowserUnavailable, match="no Firefox found"):
        find_browser("firefox")


@pytest.mark.parametrize("name", ["chromium", "firefox"])
def test_a_browser_that_exits_at_once_gives_its_path_and_first_lines(
    places: Places, name: str
) -> None:
    script = f"echo '{BROKEN_LIBRARY}' >&2\necho 'second line' >&2\nexit 127"
    broken = fake(places.first_on_path / ("chromium" if name == "chromium" else "firefox"), script)
    found = find_browser(name)  # type: ignore[arg-type]
    assert found.path == broken
    with pytest.raises(BrowserDidNotStart) as error, open_browser(found):
        pass
    assert str(error.value) == (
        f"the browser at {broken} did not start: {BROKEN_LIBRARY} / second line"
    )
    assert error.value.path == broken


def test_a_browser_that_prints_nothing_says_so(places: Places) -> None:
    silent = fake(places.first_on_path / "firefox", "exit 1")
    opened = open_browser(find_browser("firefox"))
    with pytest.raises(BrowserDidNotStart, match=f"at {silent} did not start: it printed nothing"):
        opened.__enter__()


def test_first_error_lines_from_playwrights_launch_error() -> None:
    message = (
        "BrowserType.launch: Target page, context or browser has been closed\n"
        "Browser logs:\n\n<launching> /x/chromium --headless --no-sandbox\n<launched> pid=1\n"
        f"[pid=1][err] {BROKEN_LIBRARY}\nCall log:\n  - <launching> /x/chromium --headless\n"
        f"  - [pid=1][err] {BROKEN_LIBRARY}\n  - [pid=1] <process did exit: exitCode=127>\n"
    )
    assert first_error_lines(message) == [BROKEN_LIBRARY]
    assert first_error_lines("a\n\nb\nc\nd\n") == ["a", "b", "c"]
