"""Runtime settings, read once from the environment (pydantic-settings).

Lambdas get these from their environment variables (set by the CDK app); locally `skillforge`
commands and tests set them. Nothing here talks to AWS or the database.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKILLFORGE_", extra="ignore")

    env: str = Field("local", description="Deployment environment: local, dev or prod")
    # DATABASE_URL (no prefix) wins, as DESIGN.md promises; else the Lambda reads the secret / proxy.
    database_url: str | None = Field(None, validation_alias="DATABASE_URL")
    db_secret_arn: str | None = None
    db_proxy_endpoint: str | None = None
    db_name: str = "skillforge"
    db_app_role: str = "skillforge_app"
    aws_endpoint_url: str | None = Field(None, validation_alias="AWS_ENDPOINT_URL")
    aws_region: str = Field("us-east-1", validation_alias="AWS_REGION")
    account_id: str | None = None
    home: Path = Field(
        default_factory=lambda: Path.cwd() / ".skillforge",
        description="Local state (embedded PostgreSQL, moto); SKILLFORGE_HOME",
    )
    dev_auth_key: str | None = Field(None, description="HMAC key for local dev tokens; never set in AWS")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
