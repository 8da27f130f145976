"""Migration 0003_reference: the empty placeholder release, the public views, and a clean downgrade."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from skillforge.db.migrate import current, downgrade, upgrade
from skillforge.onet.importer import import_release
from tests.onet.helpers import SAMPLE


def test_views_exist_before_any_import(fresh_db_url: str):
    with psycopg.connect(fresh_db_url, row_factory=dict_row) as conn:
        assert conn.execute("SELECT release, status::text FROM onet_releases").fetchall() == [
            {"release": "0.0", "status": "current"}
        ]
        conn.execute("SET ROLE skillforge_app")
        for view in (
            "occupations",
            "skills",
            "occupation_skills",
            "knowledge",
            "occupation_knowledge",
            "abilities",
            "occupation_abilities",
            "jaat_to_onet",
        ):
            assert conn.execute(f"SELECT count(*) AS n FROM {view}").fetchone()["n"] == 0


def test_downgrade_removes_release_schemas_and_upgrade_restores(fresh_db_url: str):
    assert import_release(SAMPLE, url=fresh_db_url, jaat_dir=None).outcome == "published"
    downgrade(fresh_db_url, "0002_people")
    assert current(fresh_db_url) == "0002_people"
    with psycopg.connect(fresh_db_url, row_factory=dict_row) as conn:
        assert (
            conn.execute("SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'onet_r%%'").fetchone()[
                "n"
            ]
            == 0
        )
        assert conn.execute("SELECT to_regclass('public.occupations') AS t").fetchone()["t"] is None
        # people data keeps its stable occupation codes
        assert conn.execute("SELECT count(*) AS n FROM occupation_codes").fetchone()["n"] == 60
    upgrade(fresh_db_url)
    assert import_release(SAMPLE, url=fresh_db_url, jaat_dir=None).outcome == "published"


def test_skill_key_strips_generic_words(db_conn):
    cases = {
        "Python Programming": "python",
        "C++ programming language": "c++",
        "Microsoft SQL Server": "microsoft sql server",
        "Café Software and Tools": "cafe",
        "Programming": "programming",
        "  Node.js  ": "node.js",
        "C#": "c#",
    }
    for text, key in cases.items():
        assert db_conn.execute("SELECT sf_skill_key(%s) AS k", (text,)).fetchone()["k"] == key, text
