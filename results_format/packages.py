"""Which packages' versions a run records in its manifest, and which of them a request goes
through."""

from __future__ import annotations

# A run made with another version of one of these is not the same experiment, whatever its
# figures say (`authlab compare` warns).
REQUEST_PATH: tuple[str, ...] = (
    "starlette",
    "uvicorn",
    "httptools",
    "uvloop",
    "python-multipart",
    "prometheus-client",
    "pyjwt",
    "cryptography",
    "itsdangerous",
    "redis",
    "hiredis",
    "argon2-cffi",
    "asyncpg",
)
# The lab's own tools: they shape how a run is measured and drawn, not the request.
LAB_TOOLS: tuple[str, ...] = ("locust", "pandas", "matplotlib", "psutil", "playwright")
RECORDED: tuple[str, ...] = (*REQUEST_PATH, *LAB_TOOLS)
