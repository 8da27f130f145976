"""Database connections: where the URL comes from, and the tenant scope every app connection carries.

Order of precedence for the URL: an explicit argument, `DATABASE_URL`, the RDS Proxy endpoint with an IAM
auth token (in AWS), else the local embedded PostgreSQL (started or reused).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg.rows import dict_row

from skillforge.config import get_settings

TENANT_SETTING = "skillforge.tenant"
_TENANT_RE = re.compile(r"^(\*|direct|[a-z0-9][a-z0-9-]{1,62})$")


def database_url() -> str:
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    if settings.db_proxy_endpoint:
        return _iam_proxy_url(settings)
    from skillforge.db.local import LocalServer

    return LocalServer(Path(settings.home)).up(settings.db_name)


def _iam_proxy_url(settings) -> str:
    import boto3

    token = boto3.client("rds").generate_db_auth_token(
        DBHostname=settings.db_proxy_endpoint, Port=5432, DBUsername=settings.db_app_role
    )
    return (
        f"postgresql://{settings.db_app_role}:{quote(token, safe='')}@{settings.db_proxy_endpoint}:5432/"
        f"{settings.db_name}?sslmode=require"
    )


def validate_tenant(tenant: str) -> str:
    if not _TENANT_RE.match(tenant):
        raise ValueError(f"tenant must be '*', 'direct' or a partner code (a-z, 0-9, '-'), got {tenant!r}")
    return tenant


def connect(
    url: str | None = None, *, tenant: str | None = None, app_role: bool = True, autocommit: bool = False
) -> psycopg.Connection:
    """Open a connection. With `app_role`, the session drops to the non-owner application role so that
    row-level security applies, and `tenant` scopes it to one partner ('*' = every partner, for platform
    admins and workflows; None = no people rows at all)."""
    conn = psycopg.connect(url or database_url(), autocommit=autocommit, row_factory=dict_row)
    try:
        if app_role:
            role = get_settings().db_app_role
            if conn.info.parameter_status("session_authorization") != role:
                conn.execute(f'SET ROLE "{role}"')
        if tenant is not None:
            set_tenant(conn, tenant)
        if not autocommit:
            conn.commit()
    except Exception:
        conn.close()
        raise
    return conn


def set_tenant(conn: psycopg.Connection, tenant: str) -> None:
    conn.execute("SELECT set_config(%s, %s, false)", (TENANT_SETTING, validate_tenant(tenant)))


@contextmanager
def transaction(url: str | None = None, *, tenant: str | None = None) -> Iterator[psycopg.Connection]:
    with connect(url, tenant=tenant) as conn:
        with conn.transaction():
            yield conn
