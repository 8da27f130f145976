"""Signed statements (xAPI 1.0.3 Data 2.6): the JWS signature attachment and its optional X.509 certificate."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from skillforge.encoding import b64url_decode
from skillforge.xapi.comparison import content_hash
from skillforge.xapi.validator import SIGNATURE_USAGE, error

_JWS_ALGORITHMS = frozenset({"RS256", "RS384", "RS512"})


def _b64url_json(segment: str) -> Any:
    return json.loads(b64url_decode(segment).decode("utf-8"))


def _x5c_problem(header: dict, signing_input: bytes, signature: bytes) -> str | None:
    """Data 2.6: when the JWS header includes an X.509 certificate, the LRS MUST validate the signature
    against it (it catches mistakes; trusting the signer is outside xAPI)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    chain = header["x5c"]
    if not isinstance(chain, list) or not chain or not all(isinstance(c, str) for c in chain):
        return "x5c must be a non-empty array of base64 DER certificates"
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (ValueError, binascii.Error):
        return "x5c[0] is not a base64 DER X.509 certificate"
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return "the x5c certificate's key is not an RSA key (RS256/384/512 need one)"
    digests: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
        "RS256": hashes.SHA256,
        "RS384": hashes.SHA384,
        "RS512": hashes.SHA512,
    }
    digest = digests[header["alg"]]()
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), digest)
    except InvalidSignature:
        return "the JWS signature does not verify against the certificate in x5c"
    return None


def signature_errors(statement: dict, attachments: Mapping[str, bytes]) -> list[dict]:
    """xAPI 1.0.3 Data 2.6: a signature attachment whose data was sent must be a JWS (compact serialization)
    signed with RS256, RS384 or RS512 whose payload is this statement as it was before the signature was
    added, and when its header carries an X.509 certificate (`x5c`) the signature must verify against it;
    anything else is a malformed signature, which the LRS MUST reject. Without `x5c` there is no key to
    verify with (who signed is outside xAPI): see docs/xapi.md."""
    errors = []
    for i, attachment in enumerate(statement.get("attachments") or []):
        if attachment.get("usageType") != SIGNATURE_USAGE:
            continue
        data = attachments.get(attachment["sha2"].lower())
        if data is None:  # sent by fileUrl only: nothing to check
            continue
        path = f"$.attachments[{i}]"
        try:
            header_segment, payload_segment, signature_segment = data.decode("ascii").strip().split(".")
            header = _b64url_json(header_segment)
            payload = _b64url_json(payload_segment)
            signature = b64url_decode(signature_segment)
            if not signature:
                raise ValueError("empty signature")
        except (UnicodeDecodeError, ValueError, binascii.Error):
            errors.append(
                error(
                    path,
                    "signature.jws",
                    "the signature attachment is not a JWS in compact "
                    "serialization (header.payload.signature, base64url JSON)",
                )
            )
            continue
        if not isinstance(header, dict) or header.get("alg") not in _JWS_ALGORITHMS:
            alg = header.get("alg") if isinstance(header, dict) else None
            errors.append(
                error(
                    path,
                    "signature.algorithm",
                    f"the JWS algorithm must be RS256, RS384 or RS512, got {alg!r}",
                )
            )
        elif "x5c" in header:
            problem = _x5c_problem(header, f"{header_segment}.{payload_segment}".encode("ascii"), signature)
            if problem:
                errors.append(error(path, "signature.x509", problem))
        if not isinstance(payload, dict):
            errors.append(
                error(path, "signature.payload", "the JWS payload is not a statement (a JSON object)")
            )
            continue
        unsigned = {
            **statement,
            "attachments": [a for a in statement["attachments"] if a.get("usageType") != SIGNATURE_USAGE],
        }
        same_id = str(payload.get("id", statement["id"])).lower() == statement["id"].lower()
        if not same_id or content_hash(payload) != content_hash(unsigned):
            errors.append(
                error(
                    path,
                    "signature.payload",
                    "the JWS payload does not match the statement (it must be the statement as it was "
                    "before the signature was added)",
                )
            )
    return errors
