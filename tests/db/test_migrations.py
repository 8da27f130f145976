import psycopg
import pytest

from skillforge.db.migrate import current, downgrade, head, upgrade


def _schema_snapshot(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("""
          SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default
          FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
          ORDER BY 1, 2, 3""").fetchall()


def test_migrate_twice_changes_nothing(fresh_db_url):
    assert current(fresh_db_url) == head()
    before = _schema_snapshot(fresh_db_url)
    assert upgrade(fresh_db_url) == (head(), head())
    assert _schema_snapshot(fresh_db_url) == before


def test_every_migration_downgrades_and_upgrades_again(fresh_db_url):
    before = _schema_snapshot(fresh_db_url)
    downgrade(fresh_db_url, "base")
    assert current(fresh_db_url) is None
    with psycopg.connect(fresh_db_url) as conn:
        left = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_name <> 'alembic_version'"
        ).fetchall()
    assert left == []
    upgrade(fresh_db_url)
    assert _schema_snapshot(fresh_db_url) == before


@pytest.mark.parametrize(
    "name",
    [
        "occupations",
        "skills",
        "occupation_skills",
        "knowledge",
        "occupation_knowledge",
        "abilities",
        "occupation_abilities",
        "users",
        "experiences",
        "assessments",
        "learning_pathways",
        "saved_roles",
        "notifications",
        "advisor_assignments",
        "partner_tenancy",
        "jaat_to_onet",
    ],
)
def test_public_names_exist_in_default_search_path(db_conn, name):
    # DESIGN.md: the seed's names are the public interface, resolvable without a schema prefix.
    db_conn.execute(f"SELECT * FROM {name} LIMIT 0")


def test_every_foreign_key_is_indexed(db_conn):
    # People tables and every release schema (the placeholder release has the same DDL as a real one).
    unindexed = db_conn.execute("""
      SELECT c.conrelid::regclass::text AS tbl, a.attname AS col
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND c.connamespace::regnamespace::text IN ('public', 'onet_r0_0')
        AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
    """).fetchall()
    assert unindexed == []
