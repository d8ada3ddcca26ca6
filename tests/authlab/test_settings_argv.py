"""Settings <-> `authlab serve` argv, both ways: every field round-trips, for every variant;
the command lines of before still read as the Settings they made; a new field needs no
more than its declaration."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import pytest

from authlab.settings_argv import (
    OPTIONS,
    VARIANTS,
    SettingOption,
    options_of,
    serve_argv,
    settings_from_argv,
)
from servers import command_line
from servers.config import Argon2Params, Settings

# Values a check on the command line accepts, for the fields that have one.
VALID_TEXT = {
    "database_url": "postgresql://postgres@127.0.0.1:5432/test",
    "redis_url": "redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/lab/2",
}


# A Settings-like dataclass with a field the lab does not have (module level, so that its
# annotations resolve).
@dataclass(frozen=True)
class Inner:
    depth: int = 3


@dataclass(frozen=True)
class Knobs:
    variant: str = "session"
    new_knob: Literal["a", "b"] = field(
        default="a", metadata=command_line.option("a knob", ["token"], by_variant={"baseline": "b"})
    )
    inner: Inner = field(default_factory=Inner)


def _other_value(option: SettingOption, variant: str) -> Any:
    """A value the serve command of `variant` does not take by default."""
    default = option.default_for(variant)
    if option.name in VALID_TEXT:
        return VALID_TEXT[option.name]
    choices = [
        choice
        for member in (get_args(option.annotation) or (option.annotation,))
        for choice in (get_args(member) or (member,))
        if choice is not type(None)
    ]
    if choices and all(isinstance(choice, str) for choice in choices) and len(choices) > 1:
        return next(choice for choice in choices if choice != default)
    if option.annotation is bool or choices == [bool]:
        return not default
    if option.annotation is int:
        return default + 1
    return f"{default}-changed"


def _changed(variant: str, names: set[str] | None = None) -> Settings:
    """Settings of `variant` with every field (or those named) off its command's default."""
    nested: dict[str, Any] = {"variant": variant}
    for option in OPTIONS:
        value = _other_value(option, variant) if names is None or option.name in names else None
        if value is None:
            value = option.default_for(variant)
        *outer, last = option.path
        place = nested
        for name in outer:
            place = place.setdefault(name, {})
        place[last] = value
    return Settings.from_dict(nested)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", [option.name for option in OPTIONS])
def test_each_field_round_trips_alone(variant: str, name: str) -> None:
    settings = _changed(variant, {name})
    argv = serve_argv(settings)
    assert settings_from_argv(argv) == (settings, False)
    # argv -> Settings -> argv: the same line again.
    assert serve_argv(settings_from_argv(argv)[0]) == argv


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_field_changed_at_once_round_trips(variant: str) -> None:
    settings = _changed(variant)
    defaults = settings_from_argv(["serve", variant])[0]
    # Guard: a new field that _other_value cannot change fails here, not silently.
    unchanged = [
        option.name for option in OPTIONS if option.value_in(settings) == option.value_in(defaults)
    ]
    assert unchanged == []
    argv = serve_argv(settings, plain_twin=True)
    assert settings_from_argv(argv) == (settings, True)
    assert serve_argv(*settings_from_argv(argv)) == argv


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["serve", "session"], Settings(variant="session", transport="cookie")),
        (["serve", "token"], Settings(variant="token", transport="header")),
        (["serve", "baseline"], Settings(variant="baseline", transport="header", csrf=False)),
        # As the fleet wrote them before: every option spelled out.
        (
            ["serve", "session", "--store", "sql", "--session-ttl", "60",
             "--session-absolute-ttl", "600", "--host", "127.0.0.2", "--port", "9001",
             "--database-url", "sqlite:///u.db", "--workers", "2", "--argon2-memory-kib", "1024",
             "--argon2-time-cost", "1", "--transport", "header", "--key-dir", "/tmp/k",
             "--cookie-samesite", "unset", "--csrf", "off", "--cookie-secure",
             "--redis-url", "redis://127.0.0.1:1/0", "--plain-twin"],
            Settings(
                variant="session", store="sql", session_ttl=60, session_absolute_ttl=600,
                host="127.0.0.2", port=9001, database_url="sqlite:///u.db", workers=2,
                argon2=Argon2Params(memory_kib=1024, time_cost=1), transport="header",
                key_dir="/tmp/k", cookie_samesite="unset", csrf=False, cookie_secure=True,
                redis_url="redis://127.0.0.1:1/0",
            ),
        ),
        (
            ["serve", "token", "--alg", "EdDSA", "--revocation", "denylist", "--access-ttl", "7",
             "--refresh-ttl", "70", "--client-id", "c", "--transport", "cookie", "--csrf", "on"],
            Settings(
                variant="token", alg="EdDSA", revocation="denylist", access_ttl=7,
                refresh_ttl=70, client_id="c", transport="cookie", csrf=True,
            ),
        ),
    ],
    ids=["session", "token", "baseline", "session-spelled-out", "token-cookie"],
)  # fmt: skip
def test_the_command_lines_of_before_make_the_same_settings(
    argv: list[str], expected: Settings
) -> None:
    settings, plain_twin = settings_from_argv(argv)
    assert settings == expected
    assert plain_twin is ("--plain-twin" in argv)
    # Written again, only what differs from the command's defaults is said.
    assert settings_from_argv(serve_argv(settings, plain_twin)) == (settings, plain_twin)


def test_none_leaves_the_variants_natural_choice_to_the_command() -> None:
    natural = Settings(variant="session", transport=None, csrf=None)
    assert serve_argv(natural) == ["serve", "session"]
    settings, _ = settings_from_argv(serve_argv(natural))
    assert (settings.effective_transport, settings.effective_csrf) == ("cookie", True)


def test_a_new_field_is_an_option_by_its_declaration_alone() -> None:
    found = {option.flag: option for option in options_of(Knobs)}
    assert set(found) == {"--new-knob", "--inner-depth"}
    knob = found["--new-knob"]
    assert knob.described.help == "a knob"
    assert knob.described.listed_in == {"token"}
    assert (knob.default_for("session"), knob.default_for("baseline")) == ("a", "b")
    # Without a word about the command line, a field is still accepted (hidden).
    assert found["--inner-depth"].described.listed_in == frozenset()
    assert found["--inner-depth"].default == 3


def test_every_settings_field_is_an_option() -> None:
    flat = {option.path[0] for option in OPTIONS}
    assert flat == {f.name for f in dataclasses.fields(Settings)} - {"variant"}


def test_a_value_the_command_line_cannot_say_is_an_error_not_a_silent_default() -> None:
    unsayable = Settings().replace(redis_prefix=None)
    with pytest.raises(ValueError, match="--redis-prefix"):
        serve_argv(unsayable)
