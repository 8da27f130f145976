"""`POST /v1/xapi/statements`: the LRS statement resource for psychometric providers (Powertools resolver).

- `X-Experience-API-Version: 1.0.x` is required; the response carries `X-Experience-API-Version: 1.0.3`.
- Body: one statement or an array (application/json), or `multipart/mixed` with attachment parts
  whose `X-Experience-API-Hash` must match their content and be referenced by a statement.
- All or nothing (LRS rule): 200 with the statement ids in order (ids already stored with the same
  content count as stored); 400 when any statement is invalid, naming each path and rule; 409 when an id
  is already stored with different content. Errors use `{"error": {"code", "message", "details"}}`.
- Callers: partner administrators (statements are stored under their partner) and platform administrators.

The xAPI Lambda (`skillforge.api.statements`) serves this router alone; the local whole API
(`skillforge.api.app`) mounts it beside the career routes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from skillforge.api import request
from skillforge.api.errors import ERRORS, error_response
from skillforge.config import get_settings
from skillforge.errors import BadRequest, Conflict, Forbidden, SkillforgeError, detail
from skillforge.observability import count, logger

XAPI_VERSION = "1.0.3"
_VERSION_HEADER = re.compile(r"^1\.0(\.[0-9]+)?$")
ROLES = ("partner_admin", "platform_admin")

router = APIGatewayRouter()


def _bad(message: str, field: str, rule: str) -> BadRequest:
    return BadRequest(message, [detail(field, rule, message)])


def _lrs_headers() -> dict[str, str]:
    # Intake is synchronous: everything stored so far is consistent now.
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"X-Experience-API-Version": XAPI_VERSION, "X-Experience-API-Consistent-Through": now}


def _response(status: int, body: Any) -> Response:
    return Response(
        status_code=status, content_type="application/json", body=json.dumps(body), headers=_lrs_headers()
    )


def _body_bytes(event: dict) -> bytes:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _bad("the body is not valid base64", "body", "base64") from exc
    return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)


def _details(outcomes, batch: bool) -> list[dict]:
    details = []
    for outcome in outcomes:
        prefix = f"$[{outcome.index}]" if batch else "$"
        for error in outcome.errors:
            details.append(
                {
                    "field": "body" + (prefix + error["path"][1:])[1:],
                    "rule": error["rule"],
                    "message": error["message"],
                }
            )
    return details


def post_statements(event: dict) -> Response:
    """The route's work, independent of the resolver (tests and the local server call it too)."""
    from skillforge.api.auth import require_principal
    from skillforge.xapi.multipart import MultipartError, parse_multipart, referenced_hashes
    from skillforge.xapi.payload import PayloadError, parse_statements
    from skillforge.xapi.service import run_intake

    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    version = (headers.get("x-experience-api-version") or "").strip()
    if not version:
        raise _bad(
            "the X-Experience-API-Version header is required (1.0.3)",
            "header.X-Experience-API-Version",
            "required",
        )
    if not _VERSION_HEADER.match(version):
        raise _bad(
            f"X-Experience-API-Version {version!r} is not supported: use 1.0.x",
            "header.X-Experience-API-Version",
            "version",
        )
    principal = require_principal(event, roles=ROLES)
    partner_code = principal.partner_code if principal.role == "partner_admin" else None

    body = _body_bytes(event)
    settings = get_settings()
    if len(body) > settings.xapi_max_body_bytes:
        raise _bad(
            f"the body is {len(body)} bytes; the limit is {settings.xapi_max_body_bytes}", "body", "max_size"
        )
    if not body.strip():
        raise _bad("the body is empty: send a statement or an array of statements", "body", "required")
    content_type = headers.get("content-type") or "application/json"
    media_type = content_type.split(";")[0].strip().lower()
    attachments = None
    try:
        if media_type == "multipart/mixed":
            body, attachments = parse_multipart(body, content_type)
        elif media_type != "application/json":
            raise _bad(
                f"Content-Type {media_type} is not accepted: use application/json or multipart/mixed",
                "header.Content-Type",
                "media_type",
            )
        statements, batch = parse_statements(body, allow_json_lines=False)
    except MultipartError as exc:
        raise _bad(str(exc), exc.field, "multipart") from exc
    except PayloadError as exc:
        raise _bad(str(exc), "body", "malformed") from exc
    if batch and not statements:
        raise _bad("the array holds no statements", "body", "required")
    if len(statements) > settings.xapi_max_statements:
        raise _bad(
            f"{len(statements)} statements in one request; the limit is {settings.xapi_max_statements}",
            "body",
            "max_items",
        )
    if attachments is not None:
        unreferenced = sorted(set(attachments) - referenced_hashes(statements))
        if unreferenced:
            raise _bad(
                f"attachment part {unreferenced[0]} is not declared by any statement", "body", "attachment"
            )

    result = run_intake(
        statements, channel="http", partner_code=partner_code, atomic=True, attachment_hashes=attachments
    )
    if result.conflicts:
        ids = ", ".join(o.statement_id for o in result.conflicts if o.statement_id)  # a conflict has an id
        raise Conflict(f"already stored with different content: {ids}", _details(result.conflicts, batch))
    failures = [o for o in result.outcomes if o.errors]
    forbidden = [o for o in failures if any(e["rule"] == "voiding.forbidden" for e in o.errors)]
    if forbidden:
        raise Forbidden(
            "a voiding statement targets a statement this caller may not void; nothing was stored",
            _details(forbidden, batch),
        )
    if failures:
        logger.info(
            "xAPI statements rejected",
            extra={
                "rejected": len(failures),
                "received": len(statements),
                "rules": sorted({e["rule"] for o in failures for e in o.errors}),
            },
        )
        count("XapiStatementsRejected", len(failures))
        raise BadRequest(
            f"{len(failures)} of {len(statements)} statement(s) are invalid; nothing was stored",
            _details(failures, batch),
            code="invalid_statement",
        )
    logger.info(
        "xAPI statements accepted",
        extra={
            "received": len(statements),
            "partner_code": partner_code,
            "statuses": {
                s: sum(o.status == s for o in result.outcomes) for s in {o.status for o in result.outcomes}
            },
        },
    )
    count("XapiStatementsAccepted", len(statements))
    return _response(200, result.ids)


RESPONSES: dict[int, OpenAPIResponse] = {
    200: {
        "description": "The statement ids, in the order sent",
        "content": {"application/json": {"model": list[str]}},
    },
    **ERRORS,
    409: {"description": "An id is stored with other content", "content": ERRORS[400]["content"]},
}


# The route returns its own error responses (they carry the LRS headers), so its return type names no model for
# the resolver to validate an error body against; RESPONSES documents the 200 body instead.
@router.post(
    "/xapi/statements",
    summary="Store xAPI statements (LRS statement resource, all or nothing)",
    tags=["xapi"],
    security=[{"bearerAuth": []}],
    responses=RESPONSES,
)
def statements_route():
    try:
        return post_statements(request.raw_event())
    except SkillforgeError as exc:
        return error_response(exc, _lrs_headers())
