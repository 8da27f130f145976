"""Building a SkillForge resolver and its Lambda entry point: the same for the career API, the xAPI Lambda and
the local whole API, so every one of them has the same error shape, body checks, metrics and logging.

Heavy modules (psycopg, numpy, the matching code) are imported inside the routes that need them, so a cold start
only pays for Powertools and pydantic.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.logging import correlation_paths

from skillforge.api.errors import UNSUPPORTED_MEDIA_TYPE, error_body, register_error_handlers
from skillforge.api.request import bind_request
from skillforge.observability import count, lambda_entry

TITLE = "SkillForge API"
VERSION = "1.0.0"
PREFIX = "/v1"
# Routes that parse other media types themselves (xAPI statements with attachments: multipart/mixed).
OWN_MEDIA_TYPES_PREFIXES = ("/v1/xapi/",)
JSON_HEADERS = {"Content-Type": "application/json"}


def json_body(text: str) -> Any:
    """Request bodies as JSON: nesting too deep for the parser is invalid JSON (a 422 naming the body), not a
    RecursionError (a 500)."""
    import json

    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text[:64], 0) from None


def build_resolver(routers: Iterable[APIGatewayRouter]) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(
        enable_validation=True, response_validation_error_http_code=500, json_body_deserializer=json_body
    )
    for router in routers:
        app.include_router(router, prefix=PREFIX)
    app.use([bind_request])
    register_error_handlers(app)
    return app


def _proxy_error(status: int, body: dict[str, Any]) -> dict[str, Any]:
    import json

    return {"statusCode": status, "headers": JSON_HEADERS, "body": json.dumps(body), "isBase64Encoded": False}


def reject_non_json_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Bodies are JSON: anything else is a 415 before Powertools tries to parse it (a multipart body without a
    boundary would otherwise fail inside the parser); a body that is not UTF-8 is a 422."""
    if event.get("httpMethod") not in ("POST", "PUT", "PATCH") or not event.get("body"):
        return None
    if str(event.get("path") or "").startswith(OWN_MEDIA_TYPES_PREFIXES):
        return None
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    media_type = str(headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            if event.get("isBase64Encoded"):
                base64.b64decode(event["body"]).decode("utf-8")
            return None
        except (ValueError, UnicodeDecodeError):
            return _proxy_error(
                422,
                error_body(
                    "validation_error",
                    "the body is not UTF-8 JSON",
                    [{"field": "body", "rule": "json_invalid", "message": "not UTF-8 text"}],
                ),
            )
    return _proxy_error(415, UNSUPPORTED_MEDIA_TYPE)


def lambda_handler_for(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point of a resolver (API Gateway REST proxy events), with request metrics."""

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response = reject_non_json_body(event) or app.resolve(event, context)
        count("Requests")
        if response.get("statusCode", 500) >= 500:
            count("ServerErrors")
        return response

    return lambda_entry(handle, correlation_id_path=correlation_paths.API_GATEWAY_REST)
