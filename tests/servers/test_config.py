"""Settings: the JSON hand-over to worker processes, and the defaults that follow the variant."""

from __future__ import annotations

import dataclasses

import pytest

from servers.config import SETTINGS_ENV, Argon2Params, Settings


def test_json_round_trip_of_the_defaults() -> None:
    assert Settings.from_json(Settings().to_json()) == Settings()


def test_json_round_trip_of_every_field_changed() -> None:
    settings = Settings(
        variant="token",
        host="::1",
        port=9123,
        workers=3,
        database_url="postgresql://postgres@127.0.0.1:5432/test",
        redis_url="redis://127.0.0.1:6380/2",
        redis_prefix="lab-2:",
        key_dir="/tmp/keys",
        store="sql",
        session_ttl=60,
        session_absolute_ttl=600,
        alg="EdDSA",
        revocation="denylist",
        access_ttl=30,
        refresh_ttl=3600,
        issuer="iss",
        audience="aud",
        client_id="client",
        transport="cookie",
        cookie_samesite="none",
        cookie_secure=True,
        csrf=False,
        argon2=Argon2Params(memory_kib=2048, time_cost=3, parallelism=2),
        login_max_failures=9,
        login_failure_window=30,
        max_body_bytes=1000,
    )
    # Guard against a new field that this test forgets to change.
    defaults = Settings()
    unchanged = [
        field.name
        for field in dataclasses.fields(Settings)
        if getattr(settings, field.name) == getattr(defaults, field.name)
    ]
    assert unchanged == []
    restored = Settings.from_json(settings.to_json())
    assert restored == settings
    assert isinstance(restored.argon2, Argon2Params)


def test_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(variant="token", alg="ES256", port=8123)
    monkeypatch.setenv(SETTINGS_ENV, settings.to_json())
    assert Settings.from_environment() == settings
    monkeypatch.delenv(SETTINGS_ENV)
    assert Settings.from_environment() == Settings()


def test_replace_returns_a_new_object() -> None:
    settings = Settings()
    changed = settings.replace(port=1234)
    assert changed.port == 1234
    assert settings.port == 8000


@pytest.mark.parametrize(
    ("variant", "transport", "expected"),
    [
        ("session", None, "cookie"),
        ("token", None, "header"),
        ("baseline", None, "header"),
        ("session", "header", "header"),
        ("token", "cookie", "cookie"),
    ],
)
def test_effective_transport(variant: str, transport: str | None, expected: str) -> None:
    settings = Settings().replace(variant=variant, transport=transport)
    assert settings.effective_transport == expected


@pytest.mark.parametrize(
    ("variant", "transport", "csrf", "expected"),
    [
        # The default follows the transport, not the variant: cookies need CSRF defence.
        ("session", None, None, True),
        ("token", None, None, False),
        ("session", "header", None, False),
        ("token", "cookie", None, True),
        # An explicit choice wins (the lab measures the weak configurations too).
        ("session", None, False, False),
        ("token", None, True, True),
    ],
)
def test_effective_csrf(
    variant: str, transport: str | None, csrf: bool | None, expected: bool
) -> None:
    settings = Settings().replace(variant=variant, transport=transport, csrf=csrf)
    assert settings.effective_csrf is expected


@pytest.mark.parametrize(
    ("variant", "store", "revocation", "expected"),
    [
        ("session", "redis", "none", True),
        ("session", "memory", "none", False),
        ("session", "sql", "none", False),
        # Refresh token families live in Redis even without a deny list.
        ("token", "redis", "none", True),
        ("token", "memory", "denylist", True),
        ("baseline", "redis", "none", False),
    ],
)
def test_needs_redis(variant: str, store: str, revocation: str, expected: bool) -> None:
    settings = Settings().replace(variant=variant, store=store, revocation=revocation)
    assert settings.needs_redis is expected


def test_argon2_default_is_owasp() -> None:
    assert Argon2Params() == Argon2Params(memory_kib=19 * 1024, time_cost=2, parallelism=1)
    assert Argon2Params().describe() == "argon2id m=19456KiB t=2 p=1"
