"""The xAPI Lambda: `POST /v1/xapi/statements` alone (skillforge.api.routes.xapi)."""

from __future__ import annotations

from skillforge.api.resolver import build_resolver, lambda_handler_for
from skillforge.api.routes import xapi

app = build_resolver([xapi.router])
lambda_handler = lambda_handler_for(app)
