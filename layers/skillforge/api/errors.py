"""The HTTP edge of the domain errors: every error leaves the API as `{"error": {"code", "message", "details"}}`
(DESIGN.md), with the status code its class means.

Domain code raises `skillforge.errors` exceptions; `register_error_handlers` (one function, used by every
resolver: the career API, the xAPI Lambda and the local whole API) turns them, Powertools' request validation
errors and anything unexpected into that shape.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field

from skillforge import errors
from skillforge.observability import count, logger

STATUS: dict[type[errors.SkillforgeError], int] = {
    errors.BadRequest: 400,
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.TooManyRequests: 429,
    errors.Unavailable: 503,
}


class ErrorDetail(BaseModel):
    field: str | None = Field(None, description="Where the problem is: 'query.limit', 'body.skills.0.level'")
    rule: str | None = Field(
        None, description="The rule that failed, e.g. 'less_than_equal', 'unknown_skill'"
    )
    message: str


class ErrorBody(BaseModel):
    code: str = Field(..., description="Stable machine code: not_found, validation_error, unauthorized, ...")
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    error: ErrorBody


# The error responses every route documents in OpenAPI.
ERRORS: dict[int, OpenAPIResponse] = {
    400: {"description": "Bad request", "content": {"application/json": {"model": ErrorResponse}}},
    404: {"description": "Not found", "content": {"application/json": {"model": ErrorResponse}}},
    422: {"description": "Invalid input", "content": {"application/json": {"model": ErrorResponse}}},
}


class NotModified(Exception):
    """Not an error: the client's cached copy is current (304). Raised so the empty body skips response
    validation."""

    def __init__(self, headers: dict[str, str]):
        super().__init__("not modified")
        self.headers = headers


def status_of(exc: errors.SkillforgeError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_headers(exc: errors.SkillforgeError) -> dict[str, str]:
    if isinstance(exc, errors.Unauthenticated):
        return {"WWW-Authenticate": 'Bearer realm="skillforge"'}
    if isinstance(exc, errors.TooManyRequests):
        return {"Retry-After": str(exc.retry_after_s)}
    return {}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body, default=str),
        headers=headers or {},
    )


def error_response(exc: errors.SkillforgeError, headers: dict[str, str] | None = None) -> Response:
    status = status_of(exc)
    if status >= 500:
        logger.error("service error", extra={"code": exc.code, "error_message": exc.message})
    return json_response(
        status, error_body(exc.code, exc.message, exc.details), {**error_headers(exc), **(headers or {})}
    )


def validation_details(errs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Powertools/pydantic validation errors -> details naming the field and the rule."""
    details = []
    for err in errs:
        loc = [str(part) for part in err.get("loc", ()) if part != "__root__"]
        details.append(
            {
                "field": ".".join(loc) or None,
                "rule": err.get("type"),
                "message": str(err.get("msg", "invalid value")),
            }
        )
    return details


UNSUPPORTED_MEDIA_TYPE = error_body(
    "unsupported_media_type",
    "send the body as application/json",
    [{"field": "header.Content-Type", "rule": "media_type", "message": "expected application/json"}],
)


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    """The one error mapping of every SkillForge resolver (career API, xAPI Lambda, the local whole API)."""

    @app.exception_handler(RequestValidationError)
    def _validation_error(exc: RequestValidationError) -> Response:
        details = validation_details(list(exc.errors()))
        fields = ", ".join(d["field"] for d in details if d["field"]) or "the request"
        return json_response(422, error_body("validation_error", f"invalid input: {fields}", details))

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported_media_type(exc: RequestUnsupportedContentType | None) -> Response:
        return json_response(415, UNSUPPORTED_MEDIA_TYPE)

    @app.exception_handler(ResponseValidationError)
    def _response_validation_error(exc: ResponseValidationError) -> Response:
        logger.error("response failed its schema", extra={"errors": validation_details(list(exc.errors()))})
        return json_response(
            500, error_body("internal_error", "the response did not match its schema; it has been logged")
        )

    @app.exception_handler(NotModified)
    def _not_modified(exc: NotModified) -> Response:
        return Response(status_code=304, headers=exc.headers, body="")

    @app.exception_handler(errors.SkillforgeError)
    def _domain_error(exc: errors.SkillforgeError) -> Response:
        return error_response(exc)

    @app.not_found
    def _not_found(exc: NotFoundError) -> Response:
        event = app.current_event
        return json_response(404, error_body("not_found", f"no route for {event.http_method} {event.path}"))

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        count("UnhandledErrors")
        request_id = app.lambda_context.aws_request_id if app.lambda_context else ""
        return json_response(
            500,
            error_body(
                "internal_error",
                "unexpected error; it has been logged",
                [{"field": None, "rule": "request_id", "message": request_id}],
            ),
        )
