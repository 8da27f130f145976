"""The strict multipart/mixed parser: what RFC 2046 allows is read, crafted headers and bodies are fast clear
errors naming the header or part (the standard library's email parser raised RecursionError on "(" * 5000
and UnicodeEncodeError on non-Latin-1 text, both 500s)."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from skillforge.xapi.multipart import (
    MAX_PARTS,
    MultipartError,
    parse_multipart,
)
from tests.xapi.test_api import call, event, multipart, with_attachment

MB = 1024 * 1024
STATEMENT = {"actor": {"mbox": "mailto:a@example.com"}}


def part(headers: str, data: bytes) -> bytes:
    return headers.replace("\n", "\r\n").encode() + b"\r\n\r\n" + data


def body_of(parts: list[bytes], boundary: str = "b0", preamble: bytes = b"", epilogue: bytes = b"") -> bytes:
    delimiter = b"--" + boundary.encode()
    return (
        preamble + b"".join(delimiter + b"\r\n" + p + b"\r\n" for p in parts) + delimiter + b"--" + epilogue
    )


def attachment(data: bytes, hash_header: str | None = None, encoding: str = "binary") -> bytes:
    claimed = hash_header if hash_header is not None else hashlib.sha256(data).hexdigest()
    return part(
        f"Content-Type: application/octet-stream\nContent-Transfer-Encoding: {encoding}\n"
        f"X-Experience-API-Hash: {claimed}",
        data,
    )


JSON_PART = part("Content-Type: application/json; charset=utf-8", json.dumps(STATEMENT).encode())


def test_reads_statements_and_attachments_with_preamble_epilogue_and_boundary_lookalikes():
    # Not delimiters: the boundary followed by other text, by whitespace then text, or after a bare LF.
    data = b"\x00\xffbinary\r\n--b0x not a delimiter\r\n--b0 \x00text\n--b0--\r\nstill content"
    body = body_of(
        [JSON_PART, attachment(data)], preamble=b"ignored preamble\r\n", epilogue=b"\r\nignored epilogue"
    )
    statements, attachments = parse_multipart(body, 'Multipart/Mixed ; boundary="b0" ; x-other=1')
    assert json.loads(statements) == STATEMENT
    assert attachments == {hashlib.sha256(data).hexdigest(): data}


def test_transport_padding_after_a_boundary_and_quoted_boundaries_with_escapes():
    body = body_of([JSON_PART], boundary="a'b c(d)")
    body = body.replace(b"--a'b c(d)\r\n", b"--a'b c(d) \t\r\n")
    statements, _ = parse_multipart(body, r'multipart/mixed; boundary="a\'b c\(d)"')
    assert json.loads(statements) == STATEMENT


@pytest.mark.parametrize(
    "content_type, field, message",
    [
        ("multipart/mixed", "header.Content-Type", "needs a boundary"),
        ("multipart/mixed; boundary=", "header.Content-Type", "not a token"),
        ('multipart/mixed; boundary=""', "header.Content-Type", "1-70"),
        ("multipart/mixed; boundary=" + "a" * 71, "header.Content-Type", "1-70"),
        ('multipart/mixed; boundary="ends with space "', "header.Content-Type", "1-70"),
        ('multipart/mixed; boundary="a<b"', "header.Content-Type", "1-70"),
        ("multipart/mixed; boundary=a; boundary=b", "header.Content-Type", "appears twice"),
        ('multipart/mixed; boundary="open', "header.Content-Type", "not closed"),
        ("multipart/mixed; boundary=a b", "header.Content-Type", "not a token"),
        ("multipart/mixed; boundary", "header.Content-Type", "has no value"),
        ("multipart/mixed; boundary=b0 x", "header.Content-Type", "not a token"),
        ("multipart/mixed; boundary=b0 ; (comment)", "header.Content-Type", "has no value"),
        ("multipart/mixed; " + "(" * 900, "header.Content-Type", "has no value"),
        ("multipart/mixed; boundary=" + "(" * 5000, "header.Content-Type", "limit is 1000"),
        ("multipart/mixed; boundary=b0; name=Łódź", "header.Content-Type", "ASCII"),
        ("multipart/mixed; boundary=\udcff", "header.Content-Type", "ASCII"),
        ("multipart/related; boundary=b0", "header.Content-Type", "not multipart/mixed"),
    ],
)
def test_crafted_content_types_are_clear_errors(content_type, field, message):
    with pytest.raises(MultipartError, match=message) as raised:
        parse_multipart(body_of([JSON_PART]), content_type)
    assert raised.value.field == field


@pytest.mark.parametrize(
    "parts, message",
    [
        ([part("Content-Type: text/plain", b"{}")], "first part must be application/json"),
        ([part("X-Other: 1", b"{}")], "part 1 Content-Type"),
        ([part("Content-Type: application/json\nContent-Transfer-Encoding: base64", b"e30=")], "send it as"),
        ([part("Content-Type: application/json; " + "(" * 5000, b"{}")], "limit is 1000"),
        ([part("Content-Type: application/json\n" + "X-(((: 1", b"{}")], "is not a 'Name: value'"),
        ([part("Content-Type: application/json\n folded", b"{}")], "folded"),
        ([part("Content-Type: application/json\nContent-Type: text/plain", b"{}")], "appears twice"),
        ([part("Content-Type: application/json\nX-A: caf\u00e9", b"{}")], "non-ASCII"),
        ([part("Content-Type: application/json\nX-A: a\x00b", b"{}")], "non-printable"),
        ([part("Content-Type: application/json\n" + "X-A: 1\n" * 40, b"{}")], "limit is 32"),
        ([(b"X-A: " + b"(" * MB)], "do not end with an empty line"),
        ([JSON_PART, attachment(b"x", hash_header="")], "no X-Experience-API-Hash"),
        ([JSON_PART, attachment(b"x", encoding="base64")], "Content-Transfer-Encoding: binary"),
        ([JSON_PART, attachment(b"x", hash_header="z" * 64)], "not a SHA-2 hex digest"),
        ([JSON_PART, attachment(b"x", hash_header="a" * 63)], "not a SHA-2 hex digest"),
        ([JSON_PART, attachment(b"x", hash_header=hashlib.sha256(b"y").hexdigest())], "does not match"),
    ],
)
def test_crafted_parts_are_clear_errors_naming_the_part(parts, message):
    with pytest.raises(MultipartError, match=message):
        parse_multipart(body_of(parts), "multipart/mixed; boundary=b0")


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "does not start a part"),
        (b"no boundary at all" * 1000, "does not start a part"),
        (b"--b0\r\n" + JSON_PART, "truncated"),
        (b"--b0\r\n" + JSON_PART + b"\r\n--b0", "truncated"),
        (b"--b0--", "no parts"),
        (b"--b0x\r\n" + JSON_PART + b"\r\n--b0--", "no parts"),  # all preamble
    ],
)
def test_malformed_bodies_are_clear_errors(body, message):
    with pytest.raises(MultipartError, match=message):
        parse_multipart(body, "multipart/mixed; boundary=b0")


def test_too_many_parts():
    parts = [JSON_PART] + [attachment(b"x")] * (MAX_PARTS + 1)
    with pytest.raises(MultipartError, match=f"more than {MAX_PARTS} parts"):
        parse_multipart(body_of(parts), "multipart/mixed; boundary=b0")


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "body",
    [
        b"--b0\r\n" + JSON_PART + b"\r\n--b0" * (MB // 6),  # a near-delimiter every few bytes
        b"--b0\r\n" + JSON_PART + b"\r\n--b0 " * (MB // 7),
        b"--b0\r\n" + JSON_PART + b"\r\n" * (MB // 2),
        b"--b0\r\n" + b"X-A: 1\r\n" * (MB // 8),
        b"\r\n--" * (MB // 4),
    ],
)
def test_megabyte_hostile_bodies_fail_fast(body):
    started = time.perf_counter()
    with pytest.raises(MultipartError):
        parse_multipart(body, "multipart/mixed; boundary=b0")
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/mixed; boundary=" + "(" * 5000,
        "multipart/mixed; " + "(" * 5000,
        "multipart/mixed; boundary=b0; name=\u0141\u00f3d\u017a",
    ],
)
def test_crafted_content_type_is_a_400_naming_the_header(db_env, content_type):
    body, _ = multipart(with_attachment(b"abc"), [(b"abc", hashlib.sha256(b"abc").hexdigest())])
    status, response, _ = call(event(body, content_type=content_type, base64_body=True))
    assert status == 400, response
    (detail,) = response["error"]["details"]
    assert detail["field"] == "header.Content-Type" and detail["rule"] == "multipart"


def test_crafted_part_header_is_a_400(db_env):
    body, content_type = multipart(with_attachment(b"abc"), [(b"abc", hashlib.sha256(b"abc").hexdigest())])
    body = body.replace(b"Content-Type: application/octet-stream", b"Content-Type: x/y; " + b"(" * 5000)
    body = body.replace(b"Content-Transfer-Encoding: binary", b"Content-Transfer-Encoding: " + b"(" * 5000)
    status, response, _ = call(event(body, content_type=content_type, base64_body=True))
    assert status == 400 and response["error"]["details"][0]["rule"] == "multipart"
    status, response, _ = call(
        event(
            body.replace(b"X-Experience-API-Hash", "X-\u00c9".encode()),
            content_type=content_type,
            base64_body=True,
        )
    )
    assert status == 400 and response["error"]["details"][0]["rule"] == "multipart"
