"""The deploy-time migration handler against a real PostgreSQL, with the cluster secret in moto."""

from __future__ import annotations

import importlib.util
import json
import types
import uuid
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from moto import mock_aws

from .conftest import REPO


def load_handler():
    spec = importlib.util.spec_from_file_location(
        "db_migrate_handler", REPO / "functions/db_migrate/handler.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONTEXT = types.SimpleNamespace(
    function_name="skillforge-test-db-migrate",
    memory_limit_in_mb=512,
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:x",
    aws_request_id="req-1",
)


@pytest.fixture
def empty_db(server_url):
    name = f"sf_migrate_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlsplit(server_url)._replace(path=f"/{name}").geturl()
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_owner_url_quotes_credentials():
    handler = load_handler()
    url = handler.owner_url(
        {
            "username": "own er",
            "password": "p@ss/word%",
            "host": "db.local",
            "port": 5432,
            "dbname": "skillforge",
        },
        sslmode="require",
    )
    assert url == "postgresql://own%20er:p%40ss%2Fword%25@db.local:5432/skillforge?sslmode=require"


def test_create_runs_migrations_to_head_and_is_idempotent(empty_db, monkeypatch):
    from skillforge.db.migrate import head

    handler = load_handler()
    parts = urlsplit(empty_db)
    secret = {
        "engine": "postgres",
        "host": parts.hostname,
        "port": parts.port or 5432,
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "dbname": parts.path.lstrip("/"),
    }
    with mock_aws():
        import boto3

        arn = boto3.client("secretsmanager").create_secret(
            Name="skillforge/test/db-credentials", SecretString=json.dumps(secret)
        )["ARN"]
        monkeypatch.setenv("SKILLFORGE_DB_SECRET_ARN", arn)
        monkeypatch.setenv("SKILLFORGE_DB_SSLMODE", "prefer")
        first = handler.handler({"RequestType": "Create"}, CONTEXT)
        again = handler.handler(
            {"RequestType": "Update", "PhysicalResourceId": first["PhysicalResourceId"]}, CONTEXT
        )
    assert first["Data"] == {"Before": "", "After": head()}
    assert again["Data"] == {"Before": head(), "After": head()}
    assert again["PhysicalResourceId"] == first["PhysicalResourceId"]
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head()


def test_delete_leaves_the_schema_alone(monkeypatch):
    handler = load_handler()
    monkeypatch.delenv("SKILLFORGE_DB_SECRET_ARN", raising=False)  # a delete must not even read the secret
    result = handler.handler(
        {"RequestType": "Delete", "PhysicalResourceId": "skillforge-migrations"}, CONTEXT
    )
    assert result == {"PhysicalResourceId": "skillforge-migrations"}
