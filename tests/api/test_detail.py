"""Occupation detail and its sub-resources: content from the release, ETag/Cache-Control, 304."""

import psycopg
from psycopg.rows import dict_row


def test_detail_has_profile_and_release(api, api_db_url):
    result = api.get("/v1/occupations/29-1141.00")
    assert result.status == 200, result
    body = result.json
    assert list(body)[:5] == ["onet_code", "title", "release", "at_a_glance", "at_a_glance_provenance"]
    assert body["title"] == "Registered Nurses" and body["release"] == "29.0"
    with psycopg.connect(api_db_url, row_factory=dict_row) as conn:
        n_skills = conn.execute(
            "SELECT count(*) AS n FROM occupation_skills WHERE onet_code = '29-1141.00'"
        ).fetchone()["n"]
        n_tasks = conn.execute(
            "SELECT count(*) AS n FROM occupation_tasks WHERE onet_code = '29-1141.00'"
        ).fetchone()["n"]
    assert len(body["skills"]) == n_skills > 0
    assert len(body["tasks"]) == n_tasks > 0
    importances = [s["importance"] for s in body["skills"]]
    assert importances == sorted(importances, reverse=True)
    assert body["knowledge"] and body["related"]
    assert all(r["onet_code"] != "29-1141.00" for r in body["related"])


def test_detail_caching_headers_and_conditional_get(api):
    first = api.get("/v1/occupations/29-1141.00")
    assert first.headers["cache-control"].startswith("public, max-age=86400")
    etag = first.headers["etag"]
    assert first.headers["x-onet-release"] == "29.0"
    again = api.get("/v1/occupations/29-1141.00", headers={"If-None-Match": f'"stale", {etag}'})
    assert again.status == 304 and again.text == "" and again.headers["etag"] == etag
    assert api.get("/v1/occupations/29-1141.00", headers={"If-None-Match": '"other"'}).status == 200
    assert api.get("/v1/occupations/15-1252.00").headers["etag"] != etag
    pinned = api.get("/v1/occupations/29-1141.00?release=29.0")
    assert pinned.status == 200 and pinned.json["release"] == "29.0"


def test_sub_resources(api):
    for kind in ("skills", "knowledge", "tasks", "related", "abilities"):
        result = api.get(f"/v1/occupations/29-1141.00/{kind}")
        assert result.status == 200, (kind, result)
        assert result.json["onet_code"] == "29-1141.00"
        assert result.headers["cache-control"].startswith("public, max-age=86400")
    related = api.get("/v1/occupations/29-1141.00/related").json["items"]
    assert related and [r["rank"] for r in related] == sorted(r["rank"] for r in related)


def test_skill_hierarchy_is_cached_for_a_week(api):
    result = api.get("/v1/skills/hierarchy")
    assert result.status == 200
    assert result.headers["cache-control"].startswith("public, max-age=604800")
    groups = result.json["items"]
    kinds = {g["kind"] for g in groups}
    assert {"skill", "knowledge"} <= kinds
    assert sum(len(g["children"]) for g in groups) > 60


def test_skills_normalisation_with_confidence(api):
    body = api.get("/v1/skills?q=critical%20thinking").json
    assert body["items"][0]["element_id"] == "2.A.2.a" and body["items"][0]["confidence"] == 1.0
    fuzzy = api.get("/v1/skills?q=critcal%20thinkin").json["items"]
    assert fuzzy and fuzzy[0]["element_id"] == "2.A.2.a" and 0 < fuzzy[0]["confidence"] < 1
    knowledge = api.get("/v1/skills?q=mathematics").json["items"]
    assert {"skill", "knowledge"} <= {i["kind"] for i in knowledge}
    assert all(0 <= i["confidence"] <= 1 for i in knowledge)
    confidences = [i["confidence"] for i in knowledge]
    assert confidences == sorted(confidences, reverse=True)


def test_technology_skill_normalisation(api, api_db_url):
    with psycopg.connect(api_db_url, row_factory=dict_row) as conn:
        tech = conn.execute(
            "SELECT element_id, name FROM skills WHERE category = 'technical' ORDER BY element_id LIMIT 1"
        ).fetchone()
    if tech is None:
        return
    items = api.get(f"/v1/skills?q={tech['name'].replace(' ', '%20').replace('&', '%26')}").json["items"]
    assert tech["element_id"] in [i["element_id"] for i in items[:3]]
    assert next(i for i in items if i["element_id"] == tech["element_id"])["kind"] == "technology"


def test_curated_everyday_words_reach_onet_elements(api):
    items = api.get("/v1/skills?q=Spanish").json["items"]
    assert items[0]["element_id"] == "2.C.7.b" and items[0]["kind"] == "knowledge"
    match = api.post("/v1/match", {"skills": [{"name": "leadership", "level": 5}], "limit": 1}).json
    assert match["resolved"][0]["element_id"] == "2.B.5.d"
