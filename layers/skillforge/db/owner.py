"""The schema owner's connection, for the few AWS jobs that must act as the owner (migrations, O*NET imports).

In AWS the owner's credentials live only in the rotated cluster secret (RDS secret JSON layout), and the owner
reaches the writer directly: the RDS Proxy admits the application role only. The application itself never uses
this module.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from skillforge.config import get_settings


def owner_url(secret: dict, sslmode: str | None = None) -> str:
    """URL of the writer for the owner in the cluster secret. TLS is required in AWS; SKILLFORGE_DB_SSLMODE
    exists for running a handler against a local server."""
    sslmode = sslmode or get_settings().db_sslmode
    return (
        f"postgresql://{quote(secret['username'], safe='')}:{quote(secret['password'], safe='')}"
        f"@{secret['host']}:{secret.get('port', 5432)}/{secret.get('dbname', 'skillforge')}?sslmode={sslmode}"
    )


def owner_url_from_secret(secret_arn: str | None = None) -> str:
    """Read the cluster secret (default: the ARN in SKILLFORGE_DB_SECRET_ARN) and return the owner's URL."""
    import boto3

    secret_arn = secret_arn or get_settings().db_secret_arn
    if not secret_arn:
        raise RuntimeError("SKILLFORGE_DB_SECRET_ARN is not set: no database owner secret to read")
    value = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    return owner_url(json.loads(value))


def owner_database_url() -> str:
    """The owner's URL wherever the code runs: the cluster secret when SKILLFORGE_DB_SECRET_ARN is set (AWS),
    else `database_url()` (DATABASE_URL or the local embedded server, whose user owns the schema)."""
    if get_settings().db_secret_arn:
        return owner_url_from_secret()
    from skillforge.db.connection import database_url

    return database_url()
