"""How a Settings field is said on `authlab serve`'s command line: data on the field itself.

Settings' fields carry an OnCommandLine in their metadata (`field(metadata=option(...))`),
so that the options of the three serve commands, the argv that makes a server and the
JSON hand-over are all derived from the one dataclass (authlab/settings_argv.py reads
it): a new field is added once. The flag is the field's name with dashes (a nested
dataclass's fields are prefixed with its name: `argon2.memory_kib` is
`--argon2-memory-kib`); choices come from the field's Literal type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlparse

METADATA_KEY = "command_line"
# The serve commands, one per variant; the groups of them that list an option in --help.
EVERY_SERVER = ("session", "token", "baseline")
CREDENTIAL_SERVERS = ("session", "token")


@dataclass(frozen=True)
class OnCommandLine:
    """One field as an option of `authlab serve VARIANT`.

    Every serve command accepts every field; `listed_in` names the commands whose --help
    shows it. The rest are the lab's own knobs (a Redis key prefix, login throttling),
    hidden as --plain-twin is, so that a launcher can hand any Settings to a server.
    """

    help: str = ""
    listed_in: frozenset[str] = frozenset()
    minimum: int | None = None
    maximum: int | None = None
    # A command's default where it is not the field's (the transport a variant starts with).
    by_variant: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # The text on the command line -> the field's value (ValueError says what is wrong),
    # and back; None: the field's type is the option's type.
    parse: Callable[[str], Any] | None = None
    show: Callable[[Any], str] | None = None


def option(
    help: str = "",
    listed_in: Iterable[str] = (),
    minimum: int | None = None,
    maximum: int | None = None,
    by_variant: Mapping[str, Any] | None = None,
    parse: Callable[[str], Any] | None = None,
    show: Callable[[Any], str] | None = None,
) -> dict[str, OnCommandLine]:
    """A field's metadata: `field(default=..., metadata=option(...))`."""
    described = OnCommandLine(
        help=help,
        listed_in=frozenset(listed_in),
        minimum=minimum,
        maximum=maximum,
        by_variant=MappingProxyType(dict(by_variant or {})),
        parse=parse,
        show=show,
    )
    return {METADATA_KEY: described}


def on_off(text: str) -> bool:
    if text not in ("on", "off"):
        raise ValueError(f"{text!r}: say on or off")
    return text == "on"


def show_on_off(value: bool) -> str:
    return "on" if value else "off"


# URLs are checked on the command line, before any process starts: a bad one found later,
# in a uvicorn worker or deep in a store, would surface as a traceback.
def database_url(url: str) -> str:
    if url.startswith("sqlite:///") or urlparse(url).scheme in ("postgresql", "postgres"):
        return url
    raise ValueError(f"{url!r}: use sqlite:///PATH or postgresql://user@host/db")


def redis_url(url: str) -> str:
    scheme = urlparse(url).scheme
    if scheme in ("redis", "rediss", "unix"):
        return url
    if scheme == "redis+sentinel":
        from servers.redis_client import parse_sentinel_url

        parse_sentinel_url(url)  # ValueError with the reason
        return url
    raise ValueError(
        f"{url!r}: use redis://host:port/db, rediss://..., unix://... or "
        "redis+sentinel://host:port[,host:port...]/service[/db]"
    )
