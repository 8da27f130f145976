"""Matching: the seed's scores exactly as defined, ranking by the better score, gaps, transferable skills,
gap analysis with learning pathways."""

import json
import uuid

import psycopg
import pytest
from psycopg.rows import dict_row


def ratings(url, code):
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT element_id, importance::float8 AS importance, level::float8 AS level FROM occupation_skills "
            "WHERE onet_code = %(c)s UNION ALL SELECT element_id, importance::float8, level::float8 "
            "FROM occupation_knowledge WHERE onet_code = %(c)s",
            {"c": code},
        ).fetchall()


def test_profile_of_an_occupation_ranks_it_first(api, api_db_url):
    req = [r for r in ratings(api_db_url, "29-1141.00") if r["importance"] >= 3]
    body = api.post(
        "/v1/match",
        {"skills": [{"element_id": r["element_id"], "level": r["level"]} for r in req], "limit": 5},
    ).json
    assert body["items"][0]["onet_code"] == "29-1141.00"
    assert body["items"][0]["match_score"] == 100.0 and body["items"][0]["gaps"] == []
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_seed_scores_follow_the_seed_formula(api, api_db_url):
    req = {r["element_id"]: r for r in ratings(api_db_url, "29-1141.00") if r["importance"] >= 3}
    chosen = sorted(req)[: max(2, len(req) // 3)]
    levels = {e: max(0.0, req[e]["level"] - 1.0) for e in chosen}
    result = api.post(
        "/v1/occupations/29-1141.00/gap-analysis",
        {"skills": [{"element_id": e, "level": lv} for e, lv in levels.items()]},
    )
    assert result.status == 200, result
    body = result.json
    expected_match = 100 * len(chosen) / len(req)
    alignment = sum(min(levels[e] / req[e]["level"], 1) for e in chosen) / len(chosen)
    assert body["match_score"] == pytest.approx(expected_match, abs=0.01)
    assert body["adjusted_score"] == pytest.approx(expected_match * alignment, abs=0.01)
    with_experience = api.post(
        "/v1/occupations/29-1141.00/gap-analysis",
        {"skills": [{"element_id": e, "level": lv} for e, lv in levels.items()], "experience_years": 1},
    ).json
    assert with_experience["adjusted_score"] < body["adjusted_score"]  # RN: job zone 3+, expects 2+ years


def test_gaps_and_transferable(api, api_db_url):
    req = sorted(
        (r for r in ratings(api_db_url, "29-1141.00") if r["importance"] >= 3), key=lambda r: -r["importance"]
    )
    have_high = req[1]  # at or above the required level -> transferable, not a gap
    have_low = req[2]  # below the required level -> under_level gap
    skills = [
        {"element_id": have_high["element_id"], "level": min(7, have_high["level"] + 0.5)},
        {"element_id": have_low["element_id"], "level": max(0, have_low["level"] - 2)},
    ]
    body = api.post("/v1/occupations/29-1141.00/gap-analysis", {"skills": skills}).json
    gaps = {g["element_id"]: g for g in body["gaps"]}
    assert gaps[have_low["element_id"]]["status"] == "under_level"
    assert (
        gaps[req[0]["element_id"]]["status"] == "missing" and gaps[req[0]["element_id"]]["user_level"] is None
    )
    assert have_high["element_id"] not in gaps
    assert len(gaps) == len(req) - 1
    importances = [g["importance"] for g in body["gaps"]]
    assert importances == sorted(importances, reverse=True)
    transferable = {t["element_id"] for t in body["transferable"]}
    assert have_high["element_id"] in transferable and have_low["element_id"] not in transferable


def test_free_text_skills_are_resolved_and_reported(api):
    body = api.post(
        "/v1/match",
        {
            "skills": [{"name": "critical thinking", "level": 4}, {"name": "Reading Comprehension"}],
            "limit": 3,
        },
    ).json
    assert [r["element_id"] for r in body["resolved"]] == ["2.A.2.a", "2.A.1.a"]
    assert len(body["items"]) == 3 and body["method"]


def test_job_zone_filter_and_limit(api):
    body = api.post(
        "/v1/match", {"skills": [{"element_id": "2.A.1.a", "level": 3}], "limit": 4, "job_zone": 2}
    ).json
    assert 0 < len(body["items"]) <= 4 and all(i["job_zone"] == 2 for i in body["items"])


def test_gaps_carry_learning_pathways(api, api_db_url):
    with psycopg.connect(api_db_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO occupation_codes (onet_code, title, first_release, last_release) "
            "VALUES ('29-1141.00', 'Registered Nurses', '29.0', '29.0') ON CONFLICT DO NOTHING"
        )
        key = f"rn-bridge-{uuid.uuid4().hex[:8]}"
        conn.execute(
            "INSERT INTO learning_pathways (pathway_key, title, target_onet_code, steps, content_sha256) "
            "VALUES (%s, %s, '29-1141.00', %s, %s)",
            (key, "Bridge to RN " + key, json.dumps([{"title": "ADN program"}]), "0" * 64),
        )
    from skillforge.matching import service

    service.clear_cache()  # pathways are re-read at most once a minute
    try:
        body = api.post(
            "/v1/occupations/29-1141.00/gap-analysis", {"skills": [{"element_id": "2.A.1.a", "level": 1}]}
        ).json
        assert body["gaps"] and all(key in [p["pathway_key"] for p in g["pathways"]] for g in body["gaps"])
    finally:
        with psycopg.connect(api_db_url, autocommit=True) as conn:
            conn.execute("DELETE FROM learning_pathways WHERE pathway_key = %s", (key,))


def test_technology_skills_rank_and_transfer(api, api_db_url):
    with psycopg.connect(api_db_url, row_factory=dict_row) as conn:
        target = conn.execute(
            "SELECT t.onet_code FROM occupation_technology_skills t "
            "WHERE EXISTS (SELECT 1 FROM occupation_skills s WHERE s.onet_code = t.onet_code) "
            "GROUP BY t.onet_code ORDER BY count(*) DESC, t.onet_code LIMIT 1"
        ).fetchone()["onet_code"]
        # its most distinctive technologies: the ones fewest other occupations use
        rows = conn.execute(
            "SELECT t.element_id FROM occupation_technology_skills t WHERE t.onet_code = %s "
            "ORDER BY (SELECT count(*) FROM occupation_technology_skills u WHERE u.element_id = t.element_id), "
            "t.element_id LIMIT 6",
            (target,),
        ).fetchall()
    body = api.post("/v1/match", {"skills": [{"element_id": r["element_id"]} for r in rows], "limit": 3}).json
    assert body["items"][0]["onet_code"] == target
    transferable = {t["element_id"]: t for t in body["items"][0]["transferable"]}
    assert {r["element_id"] for r in rows} <= set(transferable)
    assert all(transferable[r["element_id"]]["kind"] == "technology" for r in rows)
