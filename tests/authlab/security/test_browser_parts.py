"""The browser experiments' small parts, without a browser: what each browser is expected
to send, where browsers disagree, the per-browser matrix rows and the options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from authlab.cli import app
from authlab.security.browser import app_page
from authlab.security.configs import BY_NAME
from authlab.security.csrf_browser import expected_cookie_sent
from authlab.security.lab import parse_choice
from authlab.security.printed_matrix import browser_rows, disagreements
from authlab.security.xss_lab import storage_for


class _Server:
    """What expected_cookie_sent and storage_for read of a LabServer."""

    def __init__(self, name: str) -> None:
        self.config = BY_NAME[name]


def _sent(name: str, vector: str, age: float, browser: Any, grace: bool = True) -> bool:
    return expected_cookie_sent(_Server(name), vector, age, browser, lax_grace=grace)  # type: ignore[arg-type]


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_both_browsers_agree_where_samesite_is_explicit(browser: str) -> None:
    assert _sent("session-none-csrf-off", "form", 1, browser)
    for name in ("session-lax-csrf-off", "session-strict-csrf-off"):
        assert not _sent(name, "form", 1, browser)
    for name in ("session-none-csrf-off", "token-cookie-none-csrf-off"):
        assert not _sent(name, "fetch", 1, browser)  # third-party cookies blocked/partitioned
    for name in ("token-header", "session-header"):
        assert not _sent(name, "form", 1, browser)


def test_a_cookie_without_samesite_differs_between_browsers() -> None:
    name = "session-unset-csrf-off"
    # Chromium: sent while younger than two minutes, then Lax; never without the grace.
    assert _sent(name, "form", 10, "chromium")
    assert not _sent(name, "form", 125, "chromium")
    assert not _sent(name, "form_aged", 10, "chromium", grace=False)
    # Firefox: not Lax by default, sent at any age, with or without the grace.
    assert _sent(name, "form", 10, "firefox")
    assert _sent(name, "form_aged", 125, "firefox")
    assert _sent(name, "form_aged", 10, "firefox", grace=False)


def _csrf_row(configuration: str, browser: str, vector: str, **fields: Any) -> dict[str, Any]:
    row = {
        "configuration": configuration,
        "browser": browser,
        "vector": vector,
        "aged": None,
        "transfer_happened": False,
        "cookie_sent": False,
        "server_saw": {"status": 401},
        "passed": True,
    }
    row.update(fields)
    return row


def test_disagreements_name_only_differing_outcomes() -> None:
    rows = [
        _csrf_row("session-unset-csrf-off", "chromium", "form_aged", aged="emulated"),
        _csrf_row("session-unset-csrf-off", "firefox", "form_aged", aged="emulated",
                  transfer_happened=True, cookie_sent=True, server_saw={"status": 200}),
        # Same outcome, different status code: not a disagreement.
        _csrf_row("session-lax-csrf-off", "chromium", "form", server_saw={"status": 401}),
        _csrf_row("session-lax-csrf-off", "firefox", "form", server_saw={"status": 403}),
        # Only one browser ran it: nothing to compare.
        _csrf_row("session-none-csrf-off", "chromium", "form", transfer_happened=True),
    ]  # fmt: skip
    assert disagreements(rows) == [
        {
            "configuration": "session-unset-csrf-off",
            "vector": "form_aged",
            "chromium": "cookie withheld (401), emulated",
            "firefox": "EXPLOITED, emulated",
        }
    ]


def test_matrix_rows_split_per_browser() -> None:
    document: dict[str, Any] = {
        "attacks": [{"configuration": "session-header", "passed": True}],
        "revocation": [{"configuration": "session-header", "passed": True}],
        "csrf_browser": {
            "results": [
                _csrf_row("session-header", "chromium", "form"),
                _csrf_row("session-header", "firefox", "form", passed=False),
            ]
        },
        "xss": [
            {"configuration": "session-header", "browser": browser, "storage": storage,
             "token_in_local_storage": storage == "localStorage",
             "token_captured_in_flight": storage == "memory",
             "stolen_access_token_me_status": 200, "passed": True}
            for browser in ("chromium", "firefox") for storage in ("localStorage", "memory")
        ],
        "summary": {"matrix": [{"configuration": "session-header", "csrf_form": "x",
                                "xss": "y", "attacks": "1/1", "passed": False}]},
    }  # fmt: skip
    rows = browser_rows(document)
    assert [row["browser"] for row in rows] == ["chromium", "firefox"]
    assert [row["passed"] for row in rows] == [True, False]
    assert all(row["attacks"] == "1/1" for row in rows)
    assert rows[0]["xss"] == (
        "localStorage: token stolen (/me 200); memory: token stolen in flight (/me 200)"
    )


def test_storage_setting_applies_to_header_credentials_only() -> None:
    assert storage_for(_Server("token-header"), "memory") == "memory"  # type: ignore[arg-type]
    assert storage_for(_Server("session-header"), "localStorage") == "localStorage"  # type: ignore[arg-type]
    assert storage_for(_Server("session-lax-csrf-on"), "memory") == "cookie"  # type: ignore[arg-type]
    assert 'const STORAGE = "memory";' in app_page("memory")


def test_choices_of_browsers_and_storages() -> None:
    assert parse_choice("firefox", ("chromium", "firefox")) == ("firefox",)
    assert parse_choice(" firefox,chromium ", ("chromium", "firefox")) == ("chromium", "firefox")
    with pytest.raises(ValueError, match="unknown: safari"):
        parse_choice("safari,firefox", ("chromium", "firefox"))
    with pytest.raises(ValueError, match="none named"):
        parse_choice(",", ("chromium", "firefox"))


@pytest.mark.parametrize(
    ("option", "value"), [("--browsers", "safari"), ("--storage", "sessionStorage")]
)
def test_cli_refuses_unknown_choices(option: str, value: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["security", "--out", str(tmp_path), option, value])
    assert result.exit_code == 2
    assert value in result.output
    assert list(tmp_path.iterdir()) == []  # refused before anything started
