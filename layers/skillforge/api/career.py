"""The career API Lambda: every /v1 route except the xAPI statement resource (its own Lambda), and /docs."""

from __future__ import annotations

from skillforge.api.docs import add_docs_route
from skillforge.api.resolver import build_resolver, lambda_handler_for
from skillforge.api.routes import identity, matching, reference

CAREER_ROUTERS = (reference.router, matching.router, identity.router)

app = build_resolver(CAREER_ROUTERS)
add_docs_route(app)
lambda_handler = lambda_handler_for(app)
