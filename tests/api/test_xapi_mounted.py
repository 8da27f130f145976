"""The xAPI statement resource, reached through the career API handler that `skillforge serve` runs."""

from tests.api.conftest import assert_error


def test_version_header_required(api):
    result = api.post("/v1/xapi/statements", {"actor": {}})
    assert_error(result, 400, "bad_request", "header.X-Experience-API-Version")


def test_multipart_reaches_the_route_instead_of_a_415(api):
    result = api.request(
        "POST",
        "/v1/xapi/statements",
        raw_body=b"--b\r\n\r\n--b--",
        headers={"Content-Type": "multipart/mixed; boundary=b"},
    )
    assert result.status != 415, result
    assert_error(result, 400, "bad_request", "header.X-Experience-API-Version")


def test_openapi_lists_the_route():
    from skillforge.api.app import openapi_document

    assert "post" in openapi_document()["paths"]["/v1/xapi/statements"]
