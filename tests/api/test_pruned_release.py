"""`?release=` naming a release whose schema `onet prune` dropped is a 404 naming query.release, never a 500, also
in a process that read that release before the prune (no look-up outlives the schema)."""

from __future__ import annotations

from skillforge.onet.importer import import_release
from skillforge.onet.releases import prune
from tests.api.conftest import SAMPLE, Client, assert_error, point_api_at

PINNED = (
    "/v1/occupations/29-1141.00?release=29.0",
    "/v1/occupations/29-1141.00/skills?release=29.0",
    "/v1/occupations?q=nurse&release=29.0",
    "/v1/skills?q=reading&release=29.0",
)


def test_a_pruned_release_is_404_naming_query_release(fresh_db_url: str):
    for release in ("29.0", "29.1", "29.2"):  # the same data as three releases; 29.2 current
        result = import_release(SAMPLE, url=fresh_db_url, release=release, force=True)
        assert result.outcome == "published", result.message
    point_api_at(fresh_db_url)
    try:
        api = Client()
        for path in PINNED:  # read while retained: every look-up this process could keep
            assert api.get(path).status == 200, path
        assert "29.0" in [r["release"] for r in api.get("/v1/releases").json["items"]]

        assert sorted(prune(fresh_db_url, keep=1)) == ["0.0", "29.0"]

        for path in PINNED:
            err = assert_error(api.get(path), 404, "not_found", "query.release")
            assert "29.0" in err["message"] and "pruned" in err["message"]
        assert [r["release"] for r in api.get("/v1/releases").json["items"]] == ["29.2", "29.1"]
        assert api.get("/v1/occupations/29-1141.00?release=29.1").json["release"] == "29.1"  # still retained
        assert api.get("/v1/occupations/29-1141.00").json["release"] == "29.2"
    finally:
        point_api_at(None)
