"""Secret material on disk: made on first use, kept as a list oldest first for rotation.

Every worker and every server instance that shares a key directory signs and
verifies with the same keys, which is what lets K processes serve one user
without sticky routing.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

SECRET_BYTES = 64  # HMAC secrets: well above RFC 7518's 32-byte minimum for HS256


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only; concurrent writers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def new_key_name(suffix: str) -> str:
    """A sortable name: creation time first, then a random key id."""
    return f"{time.time_ns():020d}-{secrets.token_hex(8)}{suffix}"


def key_files(directory: Path, suffix: str) -> list[Path]:
    """Key files oldest first (names start with their creation time)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.endswith(suffix) and p.name[0] != ".")


def key_id(path: Path, suffix: str) -> str:
    return path.name[: -len(suffix)].split("-", 1)[1]


def load_or_create_secrets(directory: Path) -> list[bytes]:
    """Random secrets, oldest first; one is made when there is none."""
    files = key_files(directory, ".secret")
    if not files:
        write_private(directory / new_key_name(".secret"), secrets.token_bytes(SECRET_BYTES))
        files = key_files(directory, ".secret")
    return [path.read_bytes() for path in files]
