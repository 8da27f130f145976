"""Deploy-time migrations: the Provider framework calls this for the `Custom::SkillforgeMigrations` resource.

It connects to the Aurora writer as the schema owner (credentials from the rotated cluster secret), runs
Alembic to head, and lets the application role sign in through the RDS Proxy with IAM (`rds_iam`).
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

import boto3
from aws_lambda_powertools import Logger
from skillforge.db.migrate import upgrade

logger = Logger()

PHYSICAL_ID = "skillforge-migrations"


def owner_url(secret: dict, sslmode: str | None = None) -> str:
    """URL of the writer for the owner in the cluster secret (the RDS secret JSON layout). TLS is required in
    AWS; SKILLFORGE_DB_SSLMODE exists for running this handler against a local server."""
    sslmode = sslmode or os.environ.get("SKILLFORGE_DB_SSLMODE", "require")
    return (f"postgresql://{quote(secret['username'], safe='')}:{quote(secret['password'], safe='')}"
            f"@{secret['host']}:{secret.get('port', 5432)}/{secret.get('dbname', 'skillforge')}?sslmode={sslmode}")


def grant_iam_login(url: str, role: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        has_rds_iam = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'").fetchone()
        if has_rds_iam:
            conn.execute(f'GRANT rds_iam TO "{role}"')


@logger.inject_lambda_context
def handler(event, context):
    request = event["RequestType"]
    logger.info("migration request", extra={"request_type": request})
    if request == "Delete":
        # Dropping a stack never drops the schema: the data stack owns the database.
        return {"PhysicalResourceId": event.get("PhysicalResourceId", PHYSICAL_ID)}
    secret_arn = os.environ["SKILLFORGE_DB_SECRET_ARN"]
    secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    url = owner_url(secret)
    before, after = upgrade(url)
    grant_iam_login(url, os.environ.get("SKILLFORGE_DB_APP_ROLE", "skillforge_app"))
    logger.info("migrated", extra={"before": before, "after": after})
    return {"PhysicalResourceId": PHYSICAL_ID, "Data": {"Before": before or "", "After": after or ""}}
