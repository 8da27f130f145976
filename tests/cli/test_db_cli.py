import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skillforge.db.local import LocalDatabaseError, LocalServer

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "skillforge.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        timeout=120,
    )


def test_db_url_honours_database_url(pg_url):
    out = run_cli("db", "url", "--json", env={"DATABASE_URL": pg_url})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"url": pg_url}


def test_db_migrate_twice_reports_no_change(fresh_db_url):
    out = run_cli("db", "migrate", "--json", env={"DATABASE_URL": fresh_db_url})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["changed"] is False


def test_db_up_reuses_the_running_server(server_url):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL points at an external server")
    server = LocalServer(Path(os.environ["SKILLFORGE_HOME"]))
    pid = (server.pgdata / "postmaster.pid").read_text().splitlines()[0]
    first = run_cli("db", "up", "--json")
    second = run_cli("db", "up", "--json")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert json.loads(first.stdout)["url"] == json.loads(second.stdout)["url"]
    assert (server.pgdata / "postmaster.pid").read_text().splitlines()[0] == pid


def test_unstartable_server_gives_a_clear_message(tmp_path):
    server = LocalServer(tmp_path / "home")
    server.pgdata.mkdir(parents=True)
    (server.pgdata / "PG_VERSION").write_text("9\n")  # a data folder from another major version
    with pytest.raises(LocalDatabaseError, match="pg_ctl failed"):
        server.up()


def test_db_down_refuses_an_unmanaged_server(pg_url):
    out = run_cli("db", "down", "--json", env={"DATABASE_URL": pg_url})
    assert out.returncode == 1
    assert "not managed" in json.loads(out.stdout)["error"]
