"""Deploy-time migrations: the Provider framework calls this for the `Custom::SkillforgeMigrations` resource.

It connects to the Aurora writer as the schema owner (credentials from the rotated cluster secret), runs
Alembic to head, and lets the application and platform roles sign in through the RDS Proxy with IAM (`rds_iam`).
"""

from __future__ import annotations

from skillforge.config import get_settings
from skillforge.db.migrate import upgrade
from skillforge.db.owner import owner_url, owner_url_from_secret
from skillforge.observability import lambda_entry, logger

__all__ = ["handler", "owner_url"]

PHYSICAL_ID = "skillforge-migrations"


def grant_iam_login(url: str, role: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        has_rds_iam = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'").fetchone()
        if has_rds_iam:
            conn.execute(f'GRANT rds_iam TO "{role}"')


def migrate(event, context):
    request = event["RequestType"]
    logger.info("migration request", extra={"request_type": request})
    if request == "Delete":
        # Dropping a stack never drops the schema: the data stack owns the database.
        return {"PhysicalResourceId": event.get("PhysicalResourceId", PHYSICAL_ID)}
    settings = get_settings()
    url = owner_url_from_secret(settings.db_secret_arn)
    before, after = upgrade(url)
    for role in (settings.db_app_role, settings.db_platform_role):
        grant_iam_login(url, role)
    logger.info("migrated", extra={"before": before, "after": after})
    return {"PhysicalResourceId": PHYSICAL_ID, "Data": {"Before": before or "", "After": after or ""}}


handler = lambda_entry(migrate, correlation_id_path="RequestId")
