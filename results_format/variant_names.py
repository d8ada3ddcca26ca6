"""Names of servers that are another's copy with one setting changed: "<base>@<what>".

The security lab starts such copies ("token-header@ttl4": the same configuration with a
four-second token) beside each configuration; a copy counts for its base wherever the
report groups by configuration.
"""

from __future__ import annotations

COPY_MARK = "@"


def copy_name(base: str, what: str) -> str:
    """'token-header', 'ttl4' -> 'token-header@ttl4'."""
    return f"{base}{COPY_MARK}{what}"


def base_name(name: str) -> str:
    """'token-header@ttl4' -> 'token-header'; a name without a copy mark is its own base."""
    return name.split(COPY_MARK, 1)[0]


def is_copy(name: str) -> bool:
    """Whether the name is a copy of another server with one setting changed."""
    return COPY_MARK in name
