"""Settings <-> the command line of `authlab serve VARIANT`, both ways, from Settings' fields.

Each field of servers.config.Settings (and of a dataclass inside it, as `argon2`) becomes one
option of every serve command, described by the OnCommandLine in its metadata
(servers/command_line.py): its flag, help, limits, and where it is listed. The same list
gives the argv that makes a server with exactly given Settings (serve_argv, what the fleet
launches) and reads one back (settings_from_argv). A new field is added to Settings alone.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_type_hints

import typer

from servers.command_line import METADATA_KEY, OnCommandLine
from servers.config import Settings, Variant

# The serve command itself, not an option of it.
VARIANT_FIELD = "variant"
VARIANTS: tuple[Variant, ...] = get_args(Variant)
PLAIN_TWIN_FLAG = "--plain-twin"

# What a serve command does with the Settings it read: (settings, plain_twin).
Run = Callable[[Settings, bool], None]


@dataclass(frozen=True)
class SettingOption:
    """One field of Settings (path: ("argon2", "memory_kib") for a nested one) as an option."""

    path: tuple[str, ...]
    annotation: Any
    default: Any
    described: OnCommandLine

    @property
    def name(self) -> str:
        return "_".join(self.path)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def is_flag(self) -> bool:
        return self.annotation is bool

    def default_for(self, variant: str) -> Any:
        """What the serve command of this variant takes when the option is not given."""
        return self.described.by_variant.get(variant, self.default)

    def value_in(self, settings: Any) -> Any:
        for name in self.path:
            settings = getattr(settings, name)
        return settings

    def text(self, value: Any) -> str:
        return self.described.show(value) if self.described.show else str(value)


def options_of(cls: type[Any], prefix: tuple[str, ...] = ()) -> list[SettingOption]:
    hints = get_type_hints(cls)
    defaults = cls()
    options: list[SettingOption] = []
    for field in dataclasses.fields(cls):
        if field.name == VARIANT_FIELD and not prefix:
            continue
        annotation = hints[field.name]
        if dataclasses.is_dataclass(annotation):
            options += options_of(annotation, (*prefix, field.name))  # type: ignore[arg-type]
            continue
        # A field that says nothing of the command line is still accepted, hidden.
        described = field.metadata.get(METADATA_KEY, OnCommandLine())
        default = getattr(defaults, field.name)
        options.append(SettingOption((*prefix, field.name), annotation, default, described))
    return options


OPTIONS: tuple[SettingOption, ...] = tuple(options_of(Settings))


# --- argv -> Settings: the serve commands ---------------------------------------------------


def checked(parse: Callable[[str], Any]) -> Callable[[str | None], Any]:
    """A click callback: the text becomes the field's value, or a usage error (exit 2)."""

    def callback(value: str | None) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from error

    return callback


def _option_settings(option: SettingOption, hidden: bool) -> dict[str, Any]:
    """typer.Option's keywords for the field: its help, limits and check."""
    described = option.described
    settings: dict[str, Any] = {"help": described.help or None, "hidden": hidden}
    if described.minimum is not None:
        settings["min"] = described.minimum
    if described.maximum is not None:
        settings["max"] = described.maximum
    if described.parse is not None:
        settings["callback"] = checked(described.parse)
    return settings


def _parameter(option: SettingOption, variant: str) -> inspect.Parameter:
    described = option.described
    default = option.default_for(variant)
    settings = _option_settings(option, hidden=variant not in described.listed_in)
    annotation = option.annotation
    declarations = [option.flag]
    if described.parse is not None:
        # The option takes text, which the field's parse turns into its value.
        annotation = str | None
        default = None if default is None else option.text(default)
    elif option.is_flag and default:
        declarations = [f"{option.flag}/--no-{option.flag[2:]}"]
    return inspect.Parameter(
        option.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[annotation, typer.Option(*declarations, **settings)],
    )


def field_option(name: str) -> Any:
    """The typer.Option of a command outside `serve` that takes one of Settings' fields
    (`authlab users add --database-url`): described as the serve commands describe it."""
    (option,) = (option for option in OPTIONS if option.name == name)
    return typer.Option(option.flag, **_option_settings(option, hidden=False))


# The benchmark's yardstick (servers/plain.py): hidden, since it must never be deployed.
_PLAIN_TWIN = inspect.Parameter(
    "plain_twin",
    inspect.Parameter.KEYWORD_ONLY,
    default=False,
    annotation=Annotated[bool, typer.Option(PLAIN_TWIN_FLAG, hidden=True)],
)


def settings_from_options(variant: Variant, values: dict[str, Any]) -> Settings:
    """The Settings that a serve command's parsed options (by SettingOption.name) say."""
    nested: dict[str, Any] = {VARIANT_FIELD: variant}
    for option in OPTIONS:
        *outer, last = option.path
        place = nested
        for name in outer:
            place = place.setdefault(name, {})
        place[last] = values[option.name]
    return Settings.from_dict(nested)


def serve_command(variant: Variant, run: Run, summary: str) -> Callable[..., None]:
    """The function behind `authlab serve VARIANT`, with one parameter per SettingOption
    (typer reads the signature)."""

    def command(**values: Any) -> None:
        plain_twin = values.pop("plain_twin")
        run(settings_from_options(variant, values), plain_twin)

    parameters = [_parameter(option, variant) for option in OPTIONS]
    # typer builds the command from inspect.signature, which honours __signature__.
    command.__signature__ = inspect.Signature([*parameters, _PLAIN_TWIN])  # type: ignore[attr-defined]
    command.__name__ = f"serve_{variant}"
    command.__doc__ = summary
    return command


def settings_from_argv(argv: Sequence[str]) -> tuple[Settings, bool]:
    """`serve VARIANT ...` -> (Settings, plain_twin), read by the serve commands' own options;
    a bad value raises click's usage error."""
    read: list[tuple[Settings, bool]] = []
    app = typer.Typer()
    serve = typer.Typer()
    app.add_typer(serve, name="serve")
    for variant in VARIANTS:
        capture = serve_command(variant, lambda *got: read.append(got), variant)
        serve.command(variant)(capture)
    typer.main.get_command(app).main(list(argv), prog_name="authlab", standalone_mode=False)
    ((settings, plain_twin),) = read
    return settings, plain_twin


# --- Settings -> argv: what a launcher runs --------------------------------------------------


def serve_argv(settings: Settings, plain_twin: bool = False) -> list[str]:
    """`authlab serve ...` arguments that make a server with exactly these settings: the
    options whose value differs from the command's default. None, where it is the field's
    own default (transport, csrf), means the variant's natural choice, which is what the
    command takes by default."""
    argv = ["serve", settings.variant]
    for option in OPTIONS:
        value = option.value_in(settings)
        default = option.default_for(settings.variant)
        if value == default or (value is None and option.default is None):
            continue
        if value is None:
            raise ValueError(f"{option.flag}: None cannot be said on the command line")
        if option.is_flag:
            argv.append(option.flag if value else f"--no-{option.flag[2:]}")
        else:
            argv += [option.flag, option.text(value)]
    if plain_twin:
        argv.append(PLAIN_TWIN_FLAG)
    return argv
