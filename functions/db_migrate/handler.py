"""Deploy-time migrations: the Provider framework calls this for the `Custom::SkillforgeMigrations` resource.

It connects to the Aurora writer as the schema owner (credentials from the rotated cluster secret), runs
Alembic to head, and lets the application role sign in through the RDS Proxy with IAM (`rds_iam`).
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger

from skillforge.db.migrate import upgrade
from skillforge.db.owner import owner_url, owner_url_from_secret

__all__ = ["handler", "owner_url"]

logger = Logger()

PHYSICAL_ID = "skillforge-migrations"


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
    url = owner_url_from_secret(os.environ["SKILLFORGE_DB_SECRET_ARN"])
    before, after = upgrade(url)
    grant_iam_login(url, os.environ.get("SKILLFORGE_DB_APP_ROLE", "skillforge_app"))
    logger.info("migrated", extra={"before": before, "after": after})
    return {"PhysicalResourceId": PHYSICAL_ID, "Data": {"Before": before or "", "After": after or ""}}
