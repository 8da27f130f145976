"""The career API resolver: routes, error shape, observability, OpenAPI and Swagger UI.

Heavy modules (psycopg, numpy, the matching code) are imported inside the routes that need them, so a
cold start only pays for Powertools and pydantic.
"""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from skillforge.api.errors import ApiError, NotModified, Unauthorized, error_body, validation_details
from skillforge.api.observability import logger, metrics, tracer
from skillforge.api.routes import matching, reference
from skillforge.xapi import api as xapi_api

TITLE = "SkillForge career API"
VERSION = "1.0.0"
DESCRIPTION = (
    "O*NET occupations, skills and matching. Reference routes are public and cacheable "
    '(ETag keyed by release); every error is `{"error": {"code", "message", "details"}}`. '
    "Contains information from O*NET 29.0 by USDOL/ETA, used under CC BY 4.0."
)

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500)


app.include_router(reference.router, prefix="/v1")
app.include_router(matching.router, prefix="/v1")
# The xAPI statement resource: its own Lambda in AWS (infra routes it there), mounted here as well so that
# `skillforge serve` and the OpenAPI document cover the whole API with the same route code.
app.include_router(xapi_api.router, prefix="/v1")


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body, default=str),
        headers=headers or {},
    )


@app.exception_handler(RequestValidationError)
def _validation_error(exc: RequestValidationError) -> Response:
    details = validation_details(list(exc.errors()))
    fields = ", ".join(d["field"] for d in details if d["field"]) or "the request"
    return _json(422, error_body("validation_error", f"invalid input: {fields}", details))


@app.exception_handler(RequestUnsupportedContentType)
def _unsupported_media_type(exc: RequestUnsupportedContentType | None) -> Response:
    return _json(
        415,
        error_body(
            "unsupported_media_type",
            "send the body as application/json",
            [{"field": "header.Content-Type", "rule": "media_type", "message": "expected application/json"}],
        ),
    )


@app.exception_handler(ResponseValidationError)
def _response_validation_error(exc: ResponseValidationError) -> Response:
    logger.error("response failed its schema", extra={"errors": validation_details(list(exc.errors()))})
    return _json(
        500, error_body("internal_error", "the response did not match its schema; it has been logged")
    )


@app.exception_handler(NotModified)
def _not_modified(exc: NotModified) -> Response:
    return Response(status_code=304, headers=exc.headers, body="")


@app.exception_handler(ApiError)
def _api_error(exc: ApiError) -> Response:
    if exc.status >= 500:
        logger.error("service error", extra={"code": exc.code, "error_message": exc.message})
    return _json(exc.status, exc.body(), exc.headers)


@app.not_found
def _not_found(exc: NotFoundError) -> Response:
    return _json(
        404, error_body("not_found", f"no route for {app.current_event.http_method} {app.current_event.path}")
    )


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response:
    logger.exception("unhandled error")
    _count("UnhandledErrors")
    return _json(
        500,
        error_body(
            "internal_error",
            "unexpected error; it has been logged",
            [
                {
                    "field": None,
                    "rule": "request_id",
                    "message": app.lambda_context.aws_request_id if app.lambda_context else "",
                }
            ],
        ),
    )


@app.get(
    "/v1/me", summary="Who the bearer token says the caller is", tags=["auth"], security=[{"bearerAuth": []}]
)
def whoami() -> dict:
    from skillforge.api.auth import require_principal

    principal = require_principal(app.current_event.raw_event)
    return {
        "sub": principal.sub,
        "role": principal.role,
        "partner_code": principal.partner_code,
        "tenant": principal.tenant,
    }


@app.get("/docs", include_in_schema=False)
def swagger_ui():
    """Swagger UI over the generated document (built on request: the OpenAPI models stay out of cold starts)."""
    from pathlib import Path

    from aws_lambda_powertools import event_handler
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    spec = json.dumps(openapi_document()).replace("</", "<\\/")
    if (app.current_event.query_string_parameters or {}).get("format") == "json":
        return Response(200, "application/json", spec)
    assets = Path(event_handler.__file__).parent / "openapi" / "swagger_ui"
    html = generate_swagger_html(
        spec,
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
        True,
    )
    return Response(200, "text/html", html, headers={"Cache-Control": "public, max-age=3600"})


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document (committed as docs/openapi.json; a test keeps it current)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

    text = app.get_openapi_json_schema(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        servers=[Server(url="/")],
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
    )
    return json.loads(text)


# With metrics disabled Powertools warns on every request that there is nothing to publish.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def _count(name: str) -> None:
    # With metrics disabled (local server, tests, benchmarks) Powertools would still buffer every value and
    # print a batch each 100 of them; skip them instead.
    if not is_metrics_disabled():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


# Routes that parse other media types themselves (xAPI statements with attachments: multipart/mixed).
OWN_MEDIA_TYPES_PREFIXES = ("/v1/xapi/",)


def _reject_non_json_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Bodies are JSON: anything else is a 415 before Powertools tries to parse it (a multipart body without
    a boundary would otherwise fail inside the parser)."""
    if event.get("httpMethod") not in ("POST", "PUT", "PATCH") or not event.get("body"):
        return None
    if str(event.get("path") or "").startswith(OWN_MEDIA_TYPES_PREFIXES):
        return None
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    media_type = (headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        raw = event["body"]
        try:
            if event.get("isBase64Encoded"):
                base64.b64decode(raw).decode("utf-8")
            return None
        except (ValueError, UnicodeDecodeError):
            body = error_body(
                "validation_error",
                "the body is not UTF-8 JSON",
                [{"field": "body", "rule": "json_invalid", "message": "not UTF-8 text"}],
            )
            return {
                "statusCode": 422,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(body),
                "isBase64Encoded": False,
            }
    body = error_body(
        "unsupported_media_type",
        "send the body as application/json",
        [{"field": "header.Content-Type", "rule": "media_type", "message": "expected application/json"}],
    )
    return {
        "statusCode": 415,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = _reject_non_json_body(event) or app.resolve(event, context)
    _count("Requests")
    if response.get("statusCode", 500) >= 500:
        _count("ServerErrors")
    return response


_handle = metrics.log_metrics(capture_cold_start_metric=not is_metrics_disabled())(_handle)
if tracer is not None:
    _handle = tracer.capture_lambda_handler(capture_response=False)(_handle)
lambda_handler = logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False
)(_handle)


__all__ = ["Unauthorized", "app", "lambda_handler", "openapi_document"]
