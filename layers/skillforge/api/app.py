"""The whole API in one resolver (career routes and the xAPI statement resource): what `skillforge serve` runs
locally and what the OpenAPI document (docs/openapi.json, `make openapi`) describes. In AWS the same routers are
split over two Lambdas (`skillforge.api.career`, `skillforge.api.statements`) behind one API Gateway."""

from __future__ import annotations

from typing import Any

from skillforge.api import docs
from skillforge.api.career import CAREER_ROUTERS
from skillforge.api.resolver import build_resolver, lambda_handler_for
from skillforge.api.routes import xapi

app = build_resolver((*CAREER_ROUTERS, xapi.router))
docs.add_docs_route(app)
lambda_handler = lambda_handler_for(app)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the whole API (committed as docs/openapi.json; a test keeps it current)."""
    return docs.openapi_document(app)


def openapi_json() -> str:
    """The committed form of the document: `make openapi` writes it to docs/openapi.json."""
    import json

    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(openapi_json())
