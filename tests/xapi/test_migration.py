"""Migration 0004_xapi goes down and up again cleanly."""

from __future__ import annotations

import psycopg

from skillforge.db.migrate import current, downgrade, upgrade


def columns(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'xapi_statements'"
            )
        }


def test_downgrade_and_upgrade(fresh_db_url):
    assert "voids_statement_id" in columns(fresh_db_url)
    downgrade(fresh_db_url, "0003_reference")
    assert current(fresh_db_url) == "0003_reference"
    assert "voids_statement_id" not in columns(fresh_db_url)
    upgrade(fresh_db_url, "0004_xapi")
    assert "voids_statement_id" in columns(fresh_db_url)
