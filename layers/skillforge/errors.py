"""Domain exceptions: what went wrong, in the domain's words, with the field and rule that failed.

Domain code (reference, search, matching, xapi, onet, ...) raises these and never knows about HTTP. The API edge
(`skillforge.api.errors`) maps each class to a status code and the `{"error": {"code", "message", "details"}}`
shape; the CLI maps them to exit codes. `details` are `{"field", "rule", "message"}` dicts naming where the
problem is ('query.release', 'body.skills.0.name', '$.actor') and never echo a secret value.
"""

from __future__ import annotations

from typing import Any


def detail(field: str | None, rule: str | None, message: str) -> dict[str, Any]:
    return {"field": field, "rule": rule, "message": message}


class SkillforgeError(Exception):
    """Base of every domain error. `code` is the stable machine code clients switch on."""

    code = "bad_request"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = list(details or [])
        if code is not None:
            self.code = code


class BadRequest(SkillforgeError):
    """The request itself is malformed (unreadable body, missing header, too large)."""

    code = "bad_request"


class InvalidInput(SkillforgeError):
    """Input that is well-formed but breaks a rule (unknown skill, stale cursor, date order)."""

    code = "validation_error"


class NotFound(SkillforgeError):
    code = "not_found"


class Conflict(SkillforgeError):
    """The write contradicts what is stored (a statement id with other content, a duplicate email)."""

    code = "conflict"


class PreconditionFailed(SkillforgeError):
    """The caller's copy is stale (If-Match does not match the stored version)."""

    code = "precondition_failed"


class Unauthenticated(SkillforgeError):
    """No credentials, or credentials that cannot be verified."""

    code = "unauthorized"


class Forbidden(SkillforgeError):
    """A verified caller that may not do this."""

    code = "forbidden"


class TooManyRequests(SkillforgeError):
    code = "too_many_requests"

    def __init__(self, message: str, retry_after_s: int, details: list[dict[str, Any]] | None = None):
        super().__init__(message, details)
        self.retry_after_s = retry_after_s


class Unavailable(SkillforgeError):
    """A dependency the request needs is not there (no O*NET release loaded yet, database down)."""

    code = "service_unavailable"
