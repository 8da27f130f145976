"""`GET /v1/me`: who the verified bearer token says the caller is."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from skillforge.api import request

router = APIGatewayRouter()


@router.get(
    "/me", summary="Who the bearer token says the caller is", tags=["auth"], security=[{"bearerAuth": []}]
)
def whoami() -> dict:
    from skillforge.api.auth import require_principal

    principal = require_principal(request.raw_event())
    return {
        "sub": principal.sub,
        "role": principal.role,
        "partner_code": principal.partner_code,
        "tenant": principal.tenant,
    }
