"""xAPI `multipart/mixed` requests: the first part is the statement(s) as application/json, each further
part is one attachment's raw data with `X-Experience-API-Hash` (its SHA-2) and
`Content-Transfer-Encoding: binary`. Every part's content is hashed and must match its header.
"""

from __future__ import annotations

import hashlib
from email import policy
from email.parser import BytesParser

from skillforge.xapi.payload import PayloadError

_DIGESTS = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


def parse_multipart(body: bytes, content_type: str) -> tuple[bytes, dict[str, bytes]]:
    """(statements JSON bytes, {sha2: data}) or PayloadError naming the part and the problem."""
    if "boundary=" not in content_type.lower():
        raise PayloadError("multipart/mixed needs a boundary parameter in Content-Type")
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise PayloadError("the body is not a multipart/mixed document")
    parts = list(message.iter_parts())
    if not parts:
        raise PayloadError("the multipart body has no parts")
    first = parts[0]
    if first.get_content_type() != "application/json":
        raise PayloadError(
            f"the first part must be application/json statements, got {first.get_content_type()}"
        )
    statements = first.get_payload(decode=True) or b""
    attachments: dict[str, bytes] = {}
    for number, part in enumerate(parts[1:], start=2):
        claimed = (part.get("X-Experience-API-Hash") or "").strip().lower()
        if not claimed:
            raise PayloadError(f"part {number} has no X-Experience-API-Hash header")
        encoding = (part.get("Content-Transfer-Encoding") or "").strip().lower()
        if encoding != "binary":
            raise PayloadError(f"part {number} must have Content-Transfer-Encoding: binary")
        digest = _DIGESTS.get(len(claimed))
        if digest is None:
            raise PayloadError(f"part {number}: X-Experience-API-Hash is not a SHA-2 hex digest")
        data = part.get_payload(decode=True) or b""
        if digest(data).hexdigest() != claimed:
            raise PayloadError(f"part {number}: its content does not match X-Experience-API-Hash {claimed}")
        attachments[claimed] = data
    return statements, attachments


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
