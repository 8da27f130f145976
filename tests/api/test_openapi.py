"""The OpenAPI document is generated from the code; the committed copy must match it."""

import json
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def render() -> str:
    from skillforge.api.app import openapi_json

    return openapi_json()


def test_committed_openapi_is_current():
    assert DOC.exists(), "docs/openapi.json is missing: run `make openapi`"
    assert DOC.read_text() == render(), "docs/openapi.json is stale: run `make openapi`"


def test_document_covers_the_routes_and_the_error_shape():
    doc = json.loads(render())
    for path in (
        "/v1/occupations",
        "/v1/occupations/{onet_code}",
        "/v1/occupations/{onet_code}/related",
        "/v1/skills",
        "/v1/match",
        "/v1/occupations/{onet_code}/gap-analysis",
    ):
        assert path in doc["paths"], path
    assert "ErrorResponse" in doc["components"]["schemas"]
    assert "422" in doc["paths"]["/v1/match"]["post"]["responses"]


def test_swagger_ui_is_served(api):
    result = api.get("/docs")
    assert result.status == 200 and "swagger" in result.text.lower()


if __name__ == "__main__":
    DOC.write_text(render())
    print(f"wrote {DOC}")
