"""Request bodies: every malformed one is a BadRequest with the right status, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.requests import Request
from starlette.types import Message

from servers.payloads import (
    AMOUNT_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    BadRequest,
    amount_field,
    password_field,
    read_body,
    read_payload,
    text_field,
    username_field,
)

LIMIT = 1024


def request(
    chunks: list[bytes], content_type: str | None = None, content_length: str | None = "auto"
) -> Request:
    """A Starlette request whose body arrives in the given chunks, as from a socket."""
    headers: list[tuple[bytes, bytes]] = []
    if content_type is not None:
        headers.append((b"content-type", content_type.encode()))
    if content_length == "auto":
        content_length = str(sum(map(len, chunks)))
    if content_length is not None:
        headers.append((b"content-length", content_length.encode()))
    pending = list(chunks) or [b""]

    async def receive() -> Message:
        body = pending.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    return Request(scope, receive)


def json_request(payload: Any, content_type: str = "application/json") -> Request:
    return request([json.dumps(payload).encode()], content_type)


async def bad(req: Request) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        await read_payload(req, LIMIT)
    return caught.value


# --- bodies -----------------------------------------------------------------


async def test_json_object() -> None:
    payload, from_form = await read_payload(json_request({"username": "alice"}), LIMIT)
    assert payload == {"username": "alice"}
    assert from_form is False


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "APPLICATION/JSON", "application/merge-patch+json"],
)
async def test_json_media_type_variants(content_type: str) -> None:
    payload, _ = await read_payload(json_request({"a": 1}, content_type), LIMIT)
    assert payload == {"a": 1}


async def test_html_form() -> None:
    req = request(
        [b"username=alice&password=p%40ss+word&empty="], "application/x-www-form-urlencoded"
    )
    payload, from_form = await read_payload(req, LIMIT)
    assert payload == {"username": "alice", "password": "p@ss word", "empty": ""}
    assert from_form is True


async def test_body_in_several_chunks() -> None:
    req = request([b'{"user', b'name": ', b'"alice"}'], "application/json")
    payload, _ = await read_payload(req, LIMIT)
    assert payload == {"username": "alice"}


@pytest.mark.parametrize("body", [b"{", b"not json", b"\xff\xfe", b""])
async def test_malformed_json(body: bytes) -> None:
    error = await bad(request([body], "application/json"))
    assert (error.status, error.error) == (400, "malformed_json")


@pytest.mark.parametrize("payload", [[1, 2], "text", 3, None])
async def test_json_that_is_no_object(payload: Any) -> None:
    error = await bad(json_request(payload))
    assert error.status == 422


async def test_form_that_is_no_utf8() -> None:
    error = await bad(request([b"username=\xff"], "application/x-www-form-urlencoded"))
    assert (error.status, error.error) == (400, "malformed_form")


async def test_form_with_too_many_fields() -> None:
    body = "&".join(f"f{number}=x" for number in range(100)).encode()
    error = await bad(request([body], "application/x-www-form-urlencoded"))
    assert (error.status, error.error) == (400, "malformed_form")


@pytest.mark.parametrize("content_type", [None, "text/plain", "multipart/form-data; boundary=x"])
async def test_unsupported_media_type(content_type: str | None) -> None:
    error = await bad(request([b"{}"], content_type))
    assert (error.status, error.error) == (415, "unsupported_media_type")


async def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    async def receive() -> Message:
        raise AssertionError("the body must not be read")

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-length", str(LIMIT + 1).encode())],
    }
    with pytest.raises(BadRequest) as caught:
        await read_body(Request(scope, receive), LIMIT)
    assert caught.value.status == 413


@pytest.mark.parametrize("declared", ["-1", "ten", "1e3", " 5"])
async def test_unreadable_content_length(declared: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await read_body(request([b"{}"], content_length=declared), LIMIT)
    assert caught.value.status == 413


async def test_streamed_body_over_the_limit() -> None:
    # No Content-Length (chunked): the limit is enforced while reading.
    chunks = [b"x" * 600, b"x" * 600]
    with pytest.raises(BadRequest) as caught:
        await read_body(request(chunks, content_length=None), LIMIT)
    assert (caught.value.status, caught.value.error) == (413, "body_too_large")


async def test_body_of_exactly_the_limit() -> None:
    assert await read_body(request([b"x" * LIMIT]), LIMIT) == b"x" * LIMIT


# --- fields -----------------------------------------------------------------


def field_error(call: Any, *args: Any) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        call(*args)
    assert caught.value.status == 422
    return caught.value


def test_text_field_bounds() -> None:
    assert text_field({"a": "abc"}, "a", 3, 3) == "abc"
    field_error(text_field, {"a": "ab"}, "a", 3, 5)
    field_error(text_field, {"a": "abcdef"}, "a", 3, 5)
    field_error(text_field, {}, "a", 3, 5)
    field_error(text_field, {"a": 123}, "a", 1, 5)
    field_error(text_field, {"a": ["abc"]}, "a", 1, 5)


@pytest.mark.parametrize("name", ["abc", "a" * 64, "Alice_1.2-3"])
def test_valid_usernames(name: str) -> None:
    assert username_field({"username": name}) == name


@pytest.mark.parametrize(
    "name", ["ab", "a" * 65, "al ice", "alice\n", "ålice", "a/b", "<script>", "", "a\x00bc"]
)
def test_invalid_usernames(name: str) -> None:
    field_error(username_field, {"username": name})


def test_username_field_of_another_name() -> None:
    assert username_field({"to": "bob"}, "to") == "bob"
    assert "'to'" in field_error(username_field, {"to": "b"}, "to").detail


def test_password_bounds() -> None:
    assert password_field({"password": "x" * PASSWORD_MIN}) == "x" * PASSWORD_MIN
    assert password_field({"password": "x" * PASSWORD_MAX}) == "x" * PASSWORD_MAX
    field_error(password_field, {"password": "x" * (PASSWORD_MIN - 1)})
    field_error(password_field, {"password": "x" * (PASSWORD_MAX + 1)})


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (AMOUNT_MAX, AMOUNT_MAX), (250, 250)])
def test_json_amounts(value: int, expected: int) -> None:
    assert amount_field({"amount": value}, from_form=False) == expected


@pytest.mark.parametrize(
    "value", [0, -1, AMOUNT_MAX + 1, True, False, 1.5, 10.0, "10", None, [1], 10**100]
)
def test_invalid_json_amounts(value: Any) -> None:
    field_error(amount_field, {"amount": value}, False)


def test_form_amount_is_parsed() -> None:
    assert amount_field({"amount": "250"}, from_form=True) == 250


@pytest.mark.parametrize(
    "value",
    ["", "-5", "+5", "1.5", "1e3", "\u0663", "\uff11\uff12", " 5", "0", "9" * 10, "9" * 5000],
)
def test_invalid_form_amounts(value: str) -> None:
    # Non-ASCII digits pass str.isdigit; long digit strings must not reach int() at all.
    field_error(amount_field, {"amount": value}, True)


def test_missing_amount() -> None:
    field_error(amount_field, {}, True)
