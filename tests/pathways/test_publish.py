"""Delta publish of pathways into PostgreSQL, with the audit history."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from skillforge.pathways import PathwayContentError, publish_directory, purge_expired_history
from skillforge.pathways.publish import history
from tests.pathways.conftest import edit

TARGETS = {
    "15-1252.00": "Software Developers",
    "29-1141.00": "Registered Nurses",
    "13-2011.00": "Accountants and Auditors",
    "47-2111.00": "Electricians",
    "49-3023.00": "Automotive Service Technicians and Mechanics",
    "33-3051.00": "Police and Sheriff's Patrol Officers",
}


def seed_occupation_codes(conn) -> None:
    release = conn.execute("SELECT release FROM onet_releases ORDER BY release LIMIT 1").fetchone()["release"]
    for code, title in TARGETS.items():
        conn.execute(
            "INSERT INTO occupation_codes (onet_code, title, first_release, last_release) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (code, title, release, release),
        )


def rows(conn) -> dict[str, dict]:
    return {r["pathway_key"]: r for r in conn.execute("SELECT * FROM learning_pathways").fetchall()}


def test_first_publish_inserts_everything_with_history(db_conn, folder):
    seed_occupation_codes(db_conn)
    report = publish_directory(db_conn, folder, changed_by="test")
    assert len(report.inserted) == 6 and report.changes == 6
    stored = rows(db_conn)
    nurse = stored["registered-nurse-adn"]
    assert nurse["status"] == "active" and nurse["version"] == 1
    assert nurse["target_onet_code"] == "29-1141.00"
    assert [s["order"] for s in nurse["steps"]] == [1, 2, 3, 4]
    assert float(nurse["total_duration_weeks"]) == 118.0
    (entry,) = history(db_conn, "registered-nurse-adn")
    assert entry["change"] == "insert" and entry["before"] is None and entry["changed_by"] == "test"
    assert entry["after"]["content_sha256"] == nurse["content_sha256"]
    years = (entry["retain_until"] - entry["changed_at"]).days / 365.25
    assert 4.99 < years < 5.01


def test_republishing_the_same_content_changes_nothing(db_conn, folder):
    seed_occupation_codes(db_conn)
    publish_directory(db_conn, folder)
    report = publish_directory(db_conn, folder)
    assert report.changes == 0 and len(report.unchanged) == 6
    assert db_conn.execute("SELECT count(*) AS n FROM learning_pathway_history").fetchone()["n"] == 6


def test_update_retire_and_reactivate(db_conn, folder, tmp_path):
    seed_occupation_codes(db_conn)
    publish_directory(db_conn, folder)
    before = rows(db_conn)

    edit(folder, "electrician-apprenticeship", lambda d: d["steps"][1].update(duration_weeks=200))
    moved = tmp_path / "police-patrol-officer.json"
    shutil.move(folder / "police-patrol-officer.json", moved)
    report = publish_directory(db_conn, folder)
    assert report.updated == ["electrician-apprenticeship"] and report.retired == ["police-patrol-officer"]
    after = rows(db_conn)
    electrician = after["electrician-apprenticeship"]
    assert electrician["version"] == 2 and electrician["id"] == before["electrician-apprenticeship"]["id"]
    assert float(electrician["total_duration_weeks"]) == 220.0
    police = after["police-patrol-officer"]
    assert police["status"] == "retired" and police["retired_at"] is not None

    changes = history(db_conn, "electrician-apprenticeship")
    assert [h["change"] for h in changes] == ["insert", "update"]
    assert changes[1]["before"]["steps"][1]["duration_weeks"] == 208
    assert changes[1]["after"]["steps"][1]["duration_weeks"] == 200

    shutil.move(moved, folder / "police-patrol-officer.json")
    report = publish_directory(db_conn, folder)
    assert report.reactivated == ["police-patrol-officer"] and report.changes == 1
    police = rows(db_conn)["police-patrol-officer"]
    assert police["status"] == "active" and police["retired_at"] is None
    assert [h["change"] for h in history(db_conn, "police-patrol-officer")] == [
        "insert",
        "retire",
        "reactivate",
    ]


def test_dry_run_writes_nothing(db_conn, folder):
    seed_occupation_codes(db_conn)
    report = publish_directory(db_conn, folder, dry_run=True)
    assert len(report.inserted) == 6 and report.dry_run
    assert rows(db_conn) == {}


def test_unknown_target_fails_without_writing(db_conn, folder):
    seed_occupation_codes(db_conn)
    edit(folder, "accountant-cpa-track", lambda d: d.update(target_onet_code="13-2011.99"))
    with pytest.raises(PathwayContentError) as info:
        publish_directory(db_conn, folder)
    assert info.value.errors[0]["path"] == "$.target_onet_code" and "13-2011.99" in str(info.value)
    assert rows(db_conn) == {}


def test_invalid_file_fails_without_writing(db_conn, folder):
    seed_occupation_codes(db_conn)
    edit(folder, "accountant-cpa-track", lambda d: d["steps"][0].update(order=9))
    with pytest.raises(PathwayContentError):
        publish_directory(db_conn, folder)
    assert rows(db_conn) == {}


def test_history_purge_removes_only_expired_rows(db_conn, folder):
    seed_occupation_codes(db_conn)
    publish_directory(db_conn, folder)
    # Five years pass for one row (the guard forbids rewriting history, so it is set aside for the set-up).
    db_conn.execute(
        "ALTER TABLE learning_pathway_history DISABLE TRIGGER learning_pathway_history_append_only"
    )
    db_conn.execute(
        "UPDATE learning_pathway_history SET retain_until = now() - interval '1 day' "
        "WHERE pathway_id = (SELECT id FROM learning_pathways WHERE pathway_key = 'registered-nurse-adn')"
    )
    db_conn.execute(
        "ALTER TABLE learning_pathway_history ENABLE TRIGGER learning_pathway_history_append_only"
    )
    assert purge_expired_history(db_conn) == 1
    assert db_conn.execute("SELECT count(*) AS n FROM learning_pathway_history").fetchone()["n"] == 5


def test_history_is_append_only_for_five_years(db_conn, folder):
    import psycopg

    seed_occupation_codes(db_conn)
    publish_directory(db_conn, folder)
    for statement in (
        "UPDATE learning_pathway_history SET changed_by = 'someone else'",
        "DELETE FROM learning_pathway_history",
        "DELETE FROM learning_pathways WHERE pathway_key = 'registered-nurse-adn'",
    ):  # cascade
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only|retained until"),
            db_conn.transaction(),
        ):
            db_conn.execute(statement)
    assert purge_expired_history(db_conn) == 0
    assert db_conn.execute("SELECT count(*) AS n FROM learning_pathway_history").fetchone()["n"] == 6


def test_cli_publish_as_application_role(fresh_db_url, folder, monkeypatch):
    import psycopg

    from skillforge.cli import app
    from skillforge.config import get_settings

    with psycopg.connect(fresh_db_url, autocommit=True) as conn:
        conn.row_factory = __import__("psycopg.rows", fromlist=["dict_row"]).dict_row
        seed_occupation_codes(conn)
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(app, ["pathways", "publish", "--dir", str(folder), "--json"])
        assert first.exit_code == 0, first.output
        assert len(json.loads(first.stdout)["inserted"]) == 6
        second = runner.invoke(app, ["pathways", "publish", "--dir", str(folder), "--json"])
        assert json.loads(second.stdout)["changes"] == 0
        edit(folder, "registered-nurse-adn", lambda d: d.update(target_onet_code="00-0000.00"))
        failed = runner.invoke(app, ["pathways", "publish", "--dir", str(folder), "--json"])
        assert failed.exit_code == 1 and "00-0000.00" in failed.stdout
    finally:
        get_settings.cache_clear()
