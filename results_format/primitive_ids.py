"""The building blocks' labels in primitives.csv: built by the bench, found by the report.

A label is a name and, after it, what exactly was timed in parentheses
("JWT verify HS256 (PyJWT + header checks)"). The report finds a primitive by its name
alone (`matches`), so that a change of the words in parentheses keeps it found.
"""

from __future__ import annotations

# Credential checks and store lookups, each with what was timed.
UNSIGN_SESSION_ID = "itsdangerous unsign"
REDIS_GET_SYNC = "Redis GET, sync"
REDIS_GET_ASYNC = "Redis GET, asyncio"
SQLITE_SESSION_LOOKUP = "SQLite session lookup"
_JWT_VERIFY = "JWT verify"
_JWT_SIGN = "JWT sign"

UNSIGN_DETAIL = "session id"
REDIS_DETAIL = "redis-py + hiredis"
JWT_VERIFY_DETAIL = "PyJWT + header checks"


def label(name: str, detail: str | None = None) -> str:
    """'Redis GET, asyncio' + 'redis-py + hiredis' -> 'Redis GET, asyncio (redis-py + hiredis)'."""
    return f"{name} ({detail})" if detail else name


def jwt_verify(alg: str) -> str:
    """The name of a JWT verify with `alg`: 'JWT verify HS256'."""
    return f"{_JWT_VERIFY} {alg}"


def jwt_sign(alg: str) -> str:
    return f"{_JWT_SIGN} {alg}"


def matches(primitive_label: str, name: str) -> bool:
    """Whether a primitives.csv label is the primitive `name` (whatever its parentheses
    say): 'JWT verify HS256 (PyJWT ...)' matches 'JWT verify HS256', not 'JWT verify HS2'."""
    return primitive_label == name or primitive_label.startswith(f"{name} ")


def verified_algorithm(primitive_label: str) -> str | None:
    """The algorithm of a JWT verify label ('JWT verify ES256 (...)' -> 'ES256'), else None."""
    words = primitive_label.split()
    if primitive_label.startswith(f"{_JWT_VERIFY} ") and len(words) > 2:
        return words[2]
    return None
