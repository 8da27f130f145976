"""The request being served, for route code: a context variable that every resolver sets (a global middleware).

Powertools' `router.current_event` follows whichever resolver included the router last, and the same routers
are mounted by more than one resolver (the career Lambda, the local whole API); the context variable always
names the request of the resolver that is serving it.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

_event: ContextVar[dict[str, Any]] = ContextVar("skillforge_request_event")


def bind_request(app: ApiGatewayResolver, next_middleware: NextMiddleware) -> Response:
    token = _event.set(app.current_event.raw_event)
    try:
        return next_middleware(app)
    finally:
        _event.reset(token)


def raw_event() -> dict[str, Any]:
    """The API Gateway proxy event of the request being served."""
    return _event.get()


def header(name: str) -> str | None:
    """A request header, case-insensitively."""
    wanted = name.lower()
    for key, value in (raw_event().get("headers") or {}).items():
        if str(key).lower() == wanted:
            return value
    return None


def query(name: str) -> str | None:
    return (raw_event().get("queryStringParameters") or {}).get(name)
