"""Database connections: where the URL comes from, which role a connection runs as, and its tenant scope.

Order of precedence for the URL: an explicit argument, `DATABASE_URL`, the RDS Proxy endpoint with an IAM
auth token (in AWS), else the local embedded PostgreSQL (started or reused).

Roles: a connection scoped to one tenant runs as the application role; the all-tenants scope ('*') runs as
the platform role, the only one for which the database honours '*' (see migration 0005). Row-level security
is the tenancy boundary, so a connection whose session user would skip it (a superuser or a BYPASSRLS role)
is refused outside explicit local mode, where the embedded server's only user is a superuser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg.rows import DictRow, dict_row

from skillforge.config import get_settings

TENANT_SETTING = "skillforge.tenant"
_TENANT_RE = re.compile(r"^(\*|direct|[a-z0-9][a-z0-9-]{1,62})$")


class UnsafeDatabaseRole(RuntimeError):
    """The connection would not be subject to row-level security."""


def database_url(role: str | None = None) -> str:
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    if settings.db_proxy_endpoint:
        return _iam_proxy_url(settings, role or settings.db_app_role)
    from skillforge.db.local import LocalServer

    return LocalServer(Path(settings.home)).up(settings.db_name)


def _iam_proxy_url(settings, role: str) -> str:
    import boto3

    token = boto3.client("rds").generate_db_auth_token(
        DBHostname=settings.db_proxy_endpoint, Port=5432, DBUsername=role
    )
    return (
        f"postgresql://{role}:{quote(token, safe='')}@{settings.db_proxy_endpoint}:5432/"
        f"{settings.db_name}?sslmode=require"
    )


def validate_tenant(tenant: str) -> str:
    if not _TENANT_RE.match(tenant):
        raise ValueError(f"tenant must be '*', 'direct' or a partner code (a-z, 0-9, '-'), got {tenant!r}")
    return tenant


def connect(
    url: str | None = None, *, tenant: str | None = None, app_role: bool = True, autocommit: bool = False
) -> psycopg.Connection[DictRow]:
    """Open a connection. With `app_role`, the session runs as a non-owner role so that row-level security
    applies: the platform role for `tenant='*'` (every partner: workflows and platform administration), else
    the application role, scoped to `tenant` (one partner, or 'direct'; None = no people rows at all).
    `app_role=False` is the owner connection of migrations and imports."""
    settings = get_settings()
    role = settings.db_platform_role if tenant == "*" else settings.db_app_role
    conn = psycopg.connect(url or database_url(role), autocommit=autocommit, row_factory=dict_row)
    try:
        if app_role:
            if conn.info.parameter_status("session_authorization") != role:
                conn.execute(f'SET ROLE "{role}"')
            _check_row_security(conn, local=settings.is_local)
        if tenant is not None:
            set_tenant(conn, tenant)
        if not autocommit:
            conn.commit()
    except Exception:
        conn.close()
        raise
    return conn


def _check_row_security(conn: psycopg.Connection[DictRow], *, local: bool) -> None:
    row = conn.execute(
        "SELECT s.rolsuper OR s.rolbypassrls AS session_skips, c.rolsuper OR c.rolbypassrls AS current_skips, "
        "s.rolname AS session_user FROM pg_roles s, pg_roles c "
        "WHERE s.rolname = session_user AND c.rolname = current_user"
    ).fetchone()
    assert row is not None  # session_user and current_user always exist
    if row["current_skips"]:
        raise UnsafeDatabaseRole(
            "the application role is a superuser or has BYPASSRLS: tenancy would not apply"
        )
    if row["session_skips"] and not local:
        raise UnsafeDatabaseRole(
            f"refusing to serve as session user {row['session_user']!r}: it is a superuser or has BYPASSRLS "
            "(allowed only with SKILLFORGE_ENV=local)"
        )


def set_tenant(conn: psycopg.Connection[Any], tenant: str) -> None:
    conn.execute("SELECT set_config(%s, %s, false)", (TENANT_SETTING, validate_tenant(tenant)))


@contextmanager
def transaction(
    url: str | None = None, *, tenant: str | None = None
) -> Iterator[psycopg.Connection[DictRow]]:
    with connect(url, tenant=tenant) as conn:
        with conn.transaction():
            yield conn
