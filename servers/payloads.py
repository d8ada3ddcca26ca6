"""Request bodies: JSON or an HTML form, bounded in size, checked field by field.

Every problem becomes a BadRequest with a status and a message a person can
act on; nothing here lets a malformed body reach a handler.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{3,64}")
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
AMOUNT_MAX = 1_000_000
_MAX_FORM_FIELDS = 16


class BadRequest(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail


def _invalid(detail: str) -> BadRequest:
    return BadRequest(422, "invalid_request", detail)


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BadRequest(413, "body_too_large", f"the body may hold at most {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(413, "body_too_large", f"the body may hold at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_payload(request: Request, limit: int) -> tuple[dict[str, Any], bool]:
    """The body as a dict, and whether it came from an HTML form."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await read_body(request, limit)
    if media_type == "application/x-www-form-urlencoded":
        try:
            fields = parse_qsl(
                body.decode("utf-8"),
                keep_blank_values=True,
                strict_parsing=False,
                max_num_fields=_MAX_FORM_FIELDS,
            )
        except (UnicodeDecodeError, ValueError) as error:
            raise BadRequest(
                400, "malformed_form", f"the form could not be read: {error}"
            ) from error
        return dict(fields), True
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            payload = json.loads(body)
        # RecursionError: a body of 64 KiB can nest arrays deeper than the parser's stack.
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise BadRequest(
                400, "malformed_json", f"the body is not valid JSON: {error}"
            ) from error
        if not isinstance(payload, dict):
            raise _invalid("the body must be a JSON object")
        return payload, False
    raise BadRequest(
        415,
        "unsupported_media_type",
        "send application/json or application/x-www-form-urlencoded",
    )


def text_field(payload: dict[str, Any], name: str, min_length: int, max_length: int) -> str:
    value = payload.get(name)
    if value is None:
        raise _invalid(f"'{name}' is required")
    if not isinstance(value, str):
        raise _invalid(f"'{name}' must be a string")
    try:
        # JSON's "\ud800" decodes to a lone surrogate, which no UTF-8 consumer
        # (argon2, Redis, the database) can encode: refuse it here, not with a 500 there.
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise _invalid(f"'{name}' must be valid Unicode text") from error
    if not min_length <= len(value) <= max_length:
        raise _invalid(f"'{name}' must be {min_length} to {max_length} characters long")
    return value


def username_field(payload: dict[str, Any], name: str = "username") -> str:
    value = text_field(payload, name, 3, 64)
    if not USERNAME_PATTERN.fullmatch(value):
        raise _invalid(f"'{name}' may hold only letters, digits, '_', '.' and '-'")
    return value


def password_field(payload: dict[str, Any], name: str = "password") -> str:
    return text_field(payload, name, PASSWORD_MIN, PASSWORD_MAX)


def amount_field(payload: dict[str, Any], from_form: bool, name: str = "amount") -> int:
    value = payload.get(name)
    if value is None:
        raise _invalid(f"'{name}' is required")
    if from_form and isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value) if len(value) <= 9 else AMOUNT_MAX + 1
    # bool is an int in Python, and JSON true is no amount of money.
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"'{name}' must be a whole number")
    if not 1 <= value <= AMOUNT_MAX:
        raise _invalid(f"'{name}' must be between 1 and {AMOUNT_MAX}")
    return value
