"""Bad input: 422 naming the field, 404 for unknown codes and routes, never a 500; always the error shape."""

import pytest

from tests.api.conftest import assert_error


@pytest.mark.parametrize(
    "path, field",
    [
        ("/v1/occupations?limit=101", "query.limit"),
        ("/v1/occupations?limit=0", "query.limit"),
        ("/v1/occupations?limit=abc", "query.limit"),
        ("/v1/occupations?job_zone=6", "query.job_zone"),
        ("/v1/occupations?soc_major_group=2", "query.soc_major_group"),
        ("/v1/occupations?q=" + "a" * 201, "query.q"),
        ("/v1/occupations?release=latest", "query.release"),
        ("/v1/occupations/29-1141", "path.onet_code"),
        ("/v1/skills", "query.q"),
        ("/v1/skills?q=" + "x" * 201, "query.q"),
    ],
)
def test_malformed_query_is_422_naming_the_field(api, path, field):
    assert_error(api.get(path), 422, "validation_error", field)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"skills": [{"element_id": "2.A.1.a", "level": 7.5}]}, "body.skills.0.level"),
        ({"skills": [{"element_id": "2.A.1.a", "level": -1}]}, "body.skills.0.level"),
        ({"skills": []}, "body.skills"),
        ({"skills": [{"element_id": "2.A.1.a"}], "limit": 1000}, "body.limit"),
        ({"skills": [{"element_id": "2.A.1.a", "name": "reading"}]}, "body.skills.0"),
        ({"skills": [{}]}, "body.skills.0"),
        ({"skills": [{"element_id": "DROP TABLE"}]}, "body.skills.0.element_id"),
        ({"skills": [{"element_id": "2.A.1.a"}], "surprise": 1}, "body.surprise"),
        ({"skills": [{"element_id": "2.A.1.a"}] * 201}, "body.skills"),
    ],
)
def test_malformed_match_body_is_422_naming_the_field(api, body, field):
    assert_error(api.post("/v1/match", body), 422, "validation_error", field)


def test_body_that_is_not_json_is_422(api):
    assert_error(api.request("POST", "/v1/match", raw_body=b"{not json"), 422, "validation_error")


def test_unknown_element_and_unresolvable_name_are_422_naming_the_item(api):
    err = assert_error(
        api.post("/v1/match", {"skills": [{"element_id": "2.A.9.z"}]}),
        422,
        "validation_error",
        "body.skills.0.element_id",
    )
    assert "2.A.9.z" in err["details"][0]["message"]
    assert_error(
        api.post("/v1/match", {"skills": [{"element_id": "2.A.1.a"}, {"name": "qqqqzzzzxxxx"}]}),
        422,
        "validation_error",
        "body.skills.1.name",
    )


def test_unknown_codes_routes_and_releases_are_404(api):
    assert_error(api.get("/v1/occupations/99-9999.00"), 404, "not_found")
    assert_error(api.get("/v1/occupations/99-9999.00/skills"), 404, "not_found")
    assert_error(
        api.post("/v1/occupations/99-9999.00/gap-analysis", {"skills": [{"element_id": "2.A.1.a"}]}),
        404,
        "not_found",
    )
    assert_error(api.get("/v1/nothing-here"), 404, "not_found")
    assert_error(api.get("/v1/occupations?release=99.9"), 404, "not_found", "query.release")


def test_cursor_from_another_query_is_refused(api):
    first = api.get("/v1/occupations?q=manager&limit=1").json
    assert first["next_cursor"]
    assert_error(
        api.get(f"/v1/occupations?q=nurse&limit=1&cursor={first['next_cursor']}"),
        422,
        "validation_error",
        "query.cursor",
    )
    assert_error(api.get("/v1/occupations?cursor=%%%garbage"), 422, "validation_error", "query.cursor")


def test_unexpected_failure_is_a_500_in_the_error_shape(api, monkeypatch):
    from skillforge.search import occupations

    def boom(*_a, **_k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(occupations, "search_occupations", boom)
    err = assert_error(api.get("/v1/occupations?q=unique-query-for-500"), 500, "internal_error")
    assert "simulated bug" not in err["message"]


def test_non_json_bodies_are_415_and_binary_is_422(api):
    assert_error(
        api.request(
            "POST", "/v1/match", raw_body=b"skills=1", headers={"Content-Type": "multipart/form-data"}
        ),
        415,
        "unsupported_media_type",
    )
    assert_error(
        api.request("POST", "/v1/match", raw_body=b"\xff\xfe\x00binary"), 422, "validation_error", "body"
    )


def test_control_characters_in_queries_are_harmless(api):
    assert api.get("/v1/occupations?q=nur%00se").status == 200
    assert api.get("/v1/skills?q=%00").status == 200


def test_crafted_cursors_are_422_not_500(api):
    from skillforge.encoding import b64url_encode

    for data in (
        b'{"o": 1e999, "q": "x"}',
        b'{"o": true, "q": "x"}',
        b'{"o": "5", "q": "x"}',
        b"[1]",
        b'"s"',
        b'{"o": 1, "q": 5}',
        b"[" * 300,
        b"\xff\xfe",
    ):
        cursor = b64url_encode(data)
        result = api.get(f"/v1/occupations?q=nurse&cursor={cursor}")
        assert_error(result, 422, "validation_error", "query.cursor")
    assert_error(api.get("/v1/occupations?q=nurse&cursor=e30="), 422, "validation_error", "query.cursor")


def test_deeply_nested_json_bodies_are_4xx_not_500(api):
    for body in (b"[" * 100_000, b'{"skills": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", b'{"a":' * 40_000):
        result = api.request("POST", "/v1/match", raw_body=body)
        assert 400 <= result.status < 500, result
        assert result.json["error"]["details"], result
