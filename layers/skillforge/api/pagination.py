"""Opaque cursors: base64url JSON naming the position and a hash of the query they belong to, so a cursor
replayed against another query (or another release) is refused instead of returning a wrong page."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from skillforge.encoding import b64url_decode, b64url_encode
from skillforge.errors import InvalidInput

MAX_OFFSET = 1000


def query_hash(parts: dict[str, Any]) -> str:
    text = json.dumps(sorted((k, v) for k, v in parts.items() if v is not None), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(offset: int, qhash: str) -> str:
    raw = json.dumps({"o": offset, "q": qhash}, separators=(",", ":")).encode()
    return b64url_encode(raw)


def _bad(message: str) -> InvalidInput:
    return InvalidInput(
        f"cursor is invalid: {message}", [{"field": "query.cursor", "rule": "cursor", "message": message}]
    )


def decode_cursor(cursor: str | None, qhash: str) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(b64url_decode(cursor))
        offset, owner = data["o"], data["q"]
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise _bad("not a cursor returned by this API") from exc
    if type(offset) is not int or not isinstance(owner, str):  # 1e999, true, "5": not ours
        raise _bad("not a cursor returned by this API")
    if owner != qhash:
        raise _bad("it belongs to a different query or release; start again without a cursor")
    if not 0 <= offset <= MAX_OFFSET:
        raise _bad(f"offset must be between 0 and {MAX_OFFSET}")
    return offset
