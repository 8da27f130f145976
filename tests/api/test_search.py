"""Occupation search on the committed sample: titles, abbreviations, colloquial titles, typos, filters,
pagination, caching headers."""

import pytest


def top(api, q, **params):
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    result = api.get(f"/v1/occupations?q={q}{extra}")
    assert result.status == 200, result
    return [item["onet_code"] for item in result.json["items"]]


@pytest.mark.parametrize(
    "query, code",
    [
        ("Registered%20Nurses", "29-1141.00"),
        ("RN", "29-1141.00"),
        ("rn", "29-1141.00"),
        ("cop", "33-3051.00"),
        ("police%20officer", "33-3051.00"),
        ("sofware%20developer", "15-1252.00"),
        ("softwre%20devloper", "15-1252.00"),
        ("software%20engineer", "15-1252.00"),
    ],
)
def test_query_finds_the_occupation_first(api, query, code):
    codes = top(api, query)
    assert codes and codes[0] == code, codes


def test_scores_are_ranked_best_first(api):
    items = api.get("/v1/occupations?q=nurse").json["items"]
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True) and len(items) >= 2


def test_filters_job_zone_and_major_group(api):
    items = api.get("/v1/occupations?q=manager&soc_major_group=11").json["items"]
    assert items and all(i["soc_major_group"] == "11" for i in items)
    items = api.get("/v1/occupations?job_zone=2&limit=100").json["items"]
    assert items and all(i["job_zone"] == 2 for i in items)


def test_cursor_pages_do_not_overlap_and_end(api):
    seen, cursor, pages = [], None, 0
    while True:
        path = "/v1/occupations?limit=7" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(path).json
        seen += [i["onet_code"] for i in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        if not cursor:
            break
    assert pages > 1 and len(seen) == len(set(seen))
    assert sorted(seen) == seen


def test_search_is_cacheable_for_an_hour_with_release_etag(api):
    result = api.get("/v1/occupations?q=nurse")
    assert result.headers["cache-control"].startswith("public, max-age=3600")
    assert result.headers["etag"].startswith('"29.0-')
    assert api.get("/v1/occupations?q=nurse", headers={"If-None-Match": result.headers["etag"]}).status == 304
    assert api.get("/v1/occupations?q=nurses").headers["etag"] != result.headers["etag"]


def test_no_match_is_an_empty_page(api):
    body = api.get("/v1/occupations?q=zzqxjv").json
    assert body["items"] == [] and body["next_cursor"] is None
