"""Shared fixtures: one real PostgreSQL per test session, a migrated template database, isolation per test.

- `pg_url`: a migrated database for the whole session (read-mostly tests).
- `db_conn`: a connection (owner) to `pg_url` inside a transaction that is rolled back after the test.
- `fresh_db_url`: a brand-new migrated database per test (cloned from the template in ~100 ms), for code
  that commits, uses several connections, or changes schemas (imports, migrations, RLS roles).
The server is `DATABASE_URL`'s when set, else the embedded PostgreSQL under `.skillforge/`.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("SKILLFORGE_HOME", str(ROOT / ".skillforge"))
os.environ.setdefault("SKILLFORGE_ENV", "local")
os.environ.setdefault("SKILLFORGE_BLIND_INDEX_KEY", "test-blind-index-key-not-secret-0123456789")
# Tests never reach AWS: moto answers (credentials are dummies so botocore never looks further).
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_REGION", "us-east-1")


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def login_url(url: str, role: str) -> str:
    """`url` logged in as `role` itself, as in AWS (IAM auth through the proxy), rather than as the superuser that
    owns the test server: a process outside local mode refuses to serve as a superuser session."""
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute(f"ALTER ROLE {role} PASSWORD 'test-only-{role}'")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}:test-only-{role}@{parts.hostname}:{parts.port}"))


@pytest.fixture(scope="session")
def server_url() -> str:
    """URL of a maintenance database (`postgres`) on the test server."""
    base = os.environ.get("DATABASE_URL")
    if base:
        return with_database(base, "postgres")
    from skillforge.db.local import LocalServer

    return LocalServer(Path(os.environ["SKILLFORGE_HOME"])).up("postgres")


class DatabaseFactory:
    def __init__(self, server_url: str):
        self.server_url = server_url
        self.created: list[str] = []
        self.template = f"sf_tpl_{uuid.uuid4().hex[:10]}"
        self._create(self.template)
        from skillforge.db.migrate import upgrade

        upgrade(with_database(server_url, self.template))
        self.created.append(self.template)

    def _create(self, name: str, template: str | None = None) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            tpl = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{tpl}')

    def new(self, prefix: str = "sf_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self._create(name, self.template)
        self.created.append(name)
        return with_database(self.server_url, name)

    def drop_all(self) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            for name in reversed(self.created):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def db_factory(server_url: str):
    factory = DatabaseFactory(server_url)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def pg_url(db_factory: DatabaseFactory) -> str:
    return db_factory.new("sf_session")


@pytest.fixture
def fresh_db_url(db_factory: DatabaseFactory) -> str:
    return db_factory.new()


@pytest.fixture
def db_conn(pg_url: str):
    from psycopg.rows import dict_row

    with psycopg.connect(pg_url, row_factory=dict_row) as conn:
        yield conn
        conn.rollback()


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Settings are read once per process in production; a test that changes the environment (DATABASE_URL,
    SKILLFORGE_*) must see its own values, and must not leak them to the next test."""
    from skillforge.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def kms_stack():
    """In-process moto with the local stack's KMS keys and secrets; PII ciphers rebuilt against it."""
    from moto import mock_aws

    from skillforge import pii
    from skillforge.local.stack import provision

    with mock_aws():
        pii.reset_for_tests()
        provision("local")
        yield
        pii.reset_for_tests()
