"""base64url (RFC 4648 section 5) without padding, strictly: the one helper for cursors, JWS segments and tokens.

Decoding refuses padding, whitespace and characters outside the URL-safe alphabet (Python's decoder would skip
or accept them), so two different strings never decode to the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import re

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Bytes of an unpadded base64url string; ValueError when it is not one."""
    if not isinstance(text, str) or not _ALPHABET.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url text")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not unpadded base64url text") from exc
    if b64url_encode(data) != text:  # non-zero trailing bits: another string encodes these bytes
        raise ValueError("not canonical base64url text")
    return data
