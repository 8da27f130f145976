"""xAPI `multipart/mixed` requests: the first part is the statement(s) as application/json, each further
part is one attachment's raw data with `X-Experience-API-Hash` (its SHA-2) and
`Content-Transfer-Encoding: binary`. Every part's content is hashed and must match its header.

A small strict parser (RFC 2046 section 5.1, RFC 7230 header syntax) instead of the standard library's
`email` package: `email` folds, decodes and recovers from anything, and on crafted input it recurses without
bound (a Content-Type or part header of 5,000 "(" raised RecursionError) or fails on non-Latin-1 text.
Here every step is a bounded scan: headers are length-limited and split on ":" and ";", parameter values
are tokens or quoted strings read character by character, and parts are found with `bytes.find`, so the
work is linear in the body whatever it holds. python-multipart and similar libraries only parse
multipart/form-data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from skillforge.xapi.payload import PayloadError

_DIGESTS = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}

MAX_CONTENT_TYPE_CHARS = 1000
MAX_PART_HEADER_BYTES = 8192
MAX_PART_HEADERS = 32
MAX_PARTS = 1001  # the statements part and up to 1,000 attachments

_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# RFC 2046 bchars: boundaries are 1-70 of these and do not end with a space.
_BOUNDARY_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")


class MultipartError(PayloadError):
    """A malformed multipart request; `field` names the header or the body."""

    def __init__(self, message: str, field: str = "body") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MediaType:
    type: str  # "type/subtype", lower case
    parameters: dict[str, str]  # names lower case


def parse_media_type(value: str, field: str) -> MediaType:
    """`type/subtype *( ";" name "=" (token / quoted-string) )`, or MultipartError naming `field`."""
    if len(value) > MAX_CONTENT_TYPE_CHARS:
        raise MultipartError(
            f"{field} is {len(value)} characters; the limit is {MAX_CONTENT_TYPE_CHARS}", field
        )
    if not value.isascii():
        raise MultipartError(f"{field} must be ASCII", field)
    head, _, rest = value.partition(";")
    media = head.strip().lower()
    kind, slash, subtype = media.partition("/")
    if not slash or not _is_token(kind) or not _is_token(subtype):
        raise MultipartError(f"{field} {head.strip()!r} is not a type/subtype media type", field)
    parameters: dict[str, str] = {}
    position = 0
    while position < len(rest):
        position = _skip_spaces(rest, position)
        if position == len(rest):
            break
        equals = rest.find("=", position)
        if equals < 0:
            raise MultipartError(f"{field}: parameter {rest[position:][:40]!r} has no value", field)
        name = rest[position:equals].strip().lower()
        if not _is_token(name):
            raise MultipartError(f"{field}: parameter name {name[:40]!r} is not a token", field)
        value_start = _skip_spaces(rest, equals + 1)
        if rest.startswith('"', value_start):
            parameter, position = _quoted_string(rest, value_start, field)
        else:
            end = rest.find(";", value_start)
            end = len(rest) if end < 0 else end
            parameter, position = rest[value_start:end].strip(), end
            if not _is_token(parameter):
                raise MultipartError(
                    f"{field}: parameter {name} has value {parameter[:40]!r}, not a token", field
                )
        if name in parameters:
            raise MultipartError(f"{field}: parameter {name} appears twice", field)
        parameters[name] = parameter
        position = _skip_spaces(rest, position)
        if position < len(rest):
            if rest[position] != ";":
                raise MultipartError(f"{field}: expected ';' after parameter {name}", field)
            position += 1
    return MediaType(media, parameters)


def parse_multipart(body: bytes, content_type: str) -> tuple[bytes, dict[str, bytes]]:
    """(statements JSON bytes, {sha2: data}) or MultipartError naming the part and the problem."""
    media = parse_media_type(content_type, "header.Content-Type")
    if media.type != "multipart/mixed":
        raise MultipartError(f"Content-Type {media.type} is not multipart/mixed", "header.Content-Type")
    boundary = media.parameters.get("boundary")
    if boundary is None:
        raise MultipartError(
            "multipart/mixed needs a boundary parameter in Content-Type", "header.Content-Type"
        )
    if not 1 <= len(boundary) <= 70 or boundary.endswith(" ") or not set(boundary) <= _BOUNDARY_CHARS:
        raise MultipartError(
            "the boundary must be 1-70 of the RFC 2046 boundary characters, not ending with a space",
            "header.Content-Type",
        )
    parts = _split(body, b"--" + boundary.encode("ascii"))
    if not parts:
        raise MultipartError("the multipart body has no parts")
    statements = _statements_part(parts[0])
    attachments: dict[str, bytes] = {}
    for number, raw in enumerate(parts[1:], start=2):
        headers, data = _part(raw, number)
        claimed = headers.get("x-experience-api-hash", "").strip().lower()
        if not claimed:
            raise MultipartError(f"part {number} has no X-Experience-API-Hash header")
        if headers.get("content-transfer-encoding", "").strip().lower() != "binary":
            raise MultipartError(f"part {number} must have Content-Transfer-Encoding: binary")
        digest = _DIGESTS.get(len(claimed))
        if digest is None or not _is_hex(claimed):
            raise MultipartError(f"part {number}: X-Experience-API-Hash is not a SHA-2 hex digest")
        if digest(data).hexdigest() != claimed:
            raise MultipartError(f"part {number}: its content does not match X-Experience-API-Hash {claimed}")
        attachments[claimed] = data
    return statements, attachments


def _split(body: bytes, dash_boundary: bytes) -> list[bytes]:
    """The parts between `--boundary` delimiter lines, up to the `--boundary--` close delimiter."""
    found = _next_delimiter(body, b"\r\n" + dash_boundary, 0, at_start=dash_boundary)
    if found is None:
        raise MultipartError("the body does not start a part with the boundary from Content-Type")
    parts: list[bytes] = []
    delimiter = b"\r\n" + dash_boundary
    _, start = found
    while start is not None:
        found = _next_delimiter(body, delimiter, start)
        if found is None:
            raise MultipartError(
                f"part {len(parts) + 1} is not closed by the boundary (the body is truncated)"
            )
        end, next_start = found
        parts.append(body[start:end])
        if len(parts) > MAX_PARTS:
            raise MultipartError(f"more than {MAX_PARTS} parts; the limit is {MAX_PARTS}")
        start = next_start
    return parts


def _next_delimiter(
    body: bytes, delimiter: bytes, start: int, at_start: bytes | None = None
) -> tuple[int, int | None] | None:
    """(where the next delimiter line starts, where the part after it starts, or None after the close
    delimiter). A delimiter line is the delimiter then "--" (close) or optional whitespace and CRLF; the
    boundary string followed by anything else is content. `at_start`: the body may begin with it (no
    preamble)."""
    candidates = []
    if at_start is not None and body.startswith(at_start):
        candidates.append((0, len(at_start)))
    position = body.find(delimiter, start)
    while candidates or position >= 0:
        if candidates:
            begin, after = candidates.pop()
        else:
            begin, after = position, position + len(delimiter)
            position = body.find(delimiter, position + 1)
        if body.startswith(b"--", after):
            return begin, None
        padding_end = after
        while body[padding_end : padding_end + 1] in (b" ", b"\t"):
            padding_end += 1
        if body.startswith(b"\r\n", padding_end):
            return begin, padding_end + 2
    return None


def _part(raw: bytes, number: int) -> tuple[dict[str, str], bytes]:
    """({lower-case header name: value}, content) of one part."""
    if raw.startswith(b"\r\n"):
        return {}, raw[2:]
    end = raw.find(b"\r\n\r\n", 0, MAX_PART_HEADER_BYTES + 4)
    if end < 0:
        raise MultipartError(
            f"part {number}: its headers do not end with an empty line within {MAX_PART_HEADER_BYTES} bytes"
        )
    lines = raw[:end].split(b"\r\n")
    if len(lines) > MAX_PART_HEADERS:
        raise MultipartError(f"part {number} has {len(lines)} headers; the limit is {MAX_PART_HEADERS}")
    headers: dict[str, str] = {}
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            raise MultipartError(f"part {number}: folded header lines are not accepted")
        name, colon, value = line.partition(b":")
        text_name = name.decode("ascii", "replace")
        if not colon or not _is_token(text_name):
            raise MultipartError(f"part {number}: {line[:40]!r} is not a 'Name: value' header")
        if not value.isascii() or any(byte < 0x20 and byte != 0x09 for byte in value) or b"\x7f" in value:
            raise MultipartError(f"part {number}: header {text_name} has a non-printable or non-ASCII value")
        key = text_name.lower()
        if key in headers:
            raise MultipartError(f"part {number}: header {text_name} appears twice")
        headers[key] = value.decode("ascii").strip()
    return headers, raw[end + 4 :]


def _statements_part(raw: bytes) -> bytes:
    headers, data = _part(raw, 1)
    media = parse_media_type(headers.get("content-type", ""), "part 1 Content-Type")
    if media.type != "application/json":
        raise MultipartError(f"the first part must be application/json statements, got {media.type}")
    encoding = headers.get("content-transfer-encoding", "binary").lower()
    if encoding not in ("binary", "8bit", "7bit"):
        raise MultipartError(f"the first part has Content-Transfer-Encoding {encoding}: send it as binary")
    return data


def _is_token(text: str) -> bool:
    return bool(text) and all(char in _TOKEN_CHARS for char in text)


def _is_hex(text: str) -> bool:
    return all(char in "0123456789abcdef" for char in text)


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t":
        position += 1
    return position


def _quoted_string(text: str, start: int, field: str) -> tuple[str, int]:
    """The unescaped content of the quoted-string at `start` and the position after its closing quote."""
    chars: list[str] = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == '"':
            return "".join(chars), position + 1
        if char == "\\":
            position += 1
            if position == len(text):
                break
            char = text[position]
        chars.append(char)
        position += 1
    raise MultipartError(f"{field}: a quoted parameter value is not closed", field)


def referenced_hashes(statements: list) -> set[str]:
    """sha2 of every attachment the statements declare (including SubStatements')."""
    found = set()
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        blocks = [statement.get("attachments")]
        obj = statement.get("object")
        if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
            blocks.append(obj.get("attachments"))
        for block in blocks:
            for attachment in block if isinstance(block, list) else []:
                if isinstance(attachment, dict) and isinstance(attachment.get("sha2"), str):
                    found.add(attachment["sha2"].lower())
    return found
