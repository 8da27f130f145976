"""The OpenAPI document of a resolver and Swagger UI over it (`/docs`), built on request so the OpenAPI models stay
out of cold starts. Text that Swagger UI renders as Markdown is escaped where it names O*NET."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from skillforge.api.resolver import TITLE, VERSION

DESCRIPTION = (
    "O*NET occupations, skills and matching, xAPI statement intake. Reference routes are public and cacheable "
    '(ETag keyed by release); every error is `{"error": {"code", "message", "details"}}`. '
    "Contains information from O*NET 29.0 by USDOL/ETA, used under CC BY 4.0."
)


def openapi_document(app: APIGatewayRestResolver) -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

    text = app.get_openapi_json_schema(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        servers=[Server(url="/")],
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
    )
    return json.loads(text)


def add_docs_route(app: APIGatewayRestResolver) -> None:
    @app.get("/docs", include_in_schema=False)
    def swagger_ui():
        from pathlib import Path

        from aws_lambda_powertools import event_handler
        from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

        spec = json.dumps(openapi_document(app)).replace("</", "<\\/")
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
