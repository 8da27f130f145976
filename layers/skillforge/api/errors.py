"""Every error leaves the API as `{"error": {"code", "message", "details"}}` (DESIGN.md).

Domain code raises `ApiError` subclasses; the resolver's exception handlers turn them, Powertools' request
validation errors and anything unexpected into that shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


class NotModified(Exception):
    """Not an error: the client's cached copy is current (304). Raised so the empty body skips response
    validation."""

    def __init__(self, headers: dict[str, str]):
        super().__init__("not modified")
        self.headers = headers


class NotFound(ApiError):
    status = 404
    code = "not_found"


class ValidationFailed(ApiError):
    """Input that passed the schema but breaks a rule only the domain knows (unknown skill, stale cursor)."""

    status = 422
    code = "validation_error"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str, details=None):
        super().__init__(message, details, headers={"WWW-Authenticate": 'Bearer realm="skillforge"'})


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class ServiceUnavailable(ApiError):
    status = 503
    code = "service_unavailable"


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Powertools/pydantic validation errors -> details naming the field and the rule."""
    details = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part != "__root__"]
        details.append(
            {
                "field": ".".join(loc) or None,
                "rule": err.get("type"),
                "message": str(err.get("msg", "invalid value")),
            }
        )
    return details
