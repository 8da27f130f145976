"""Runtime settings: every setting SkillForge reads, from the environment, validated once (pydantic-settings).

Lambdas get these from the environment variables the CDK app sets; locally `skillforge` commands and the tests
set them. No other module reads `os.environ`: a bad value fails here, at cold start, naming the variable.
Nothing here talks to AWS or the database.

`SKILLFORGE_ENV` has no default: a process that does not say where it runs is not `local`, so it never accepts
dev tokens, and the API refuses to start without it (`require_env`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["local", "dev", "prod"]
SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

XAPI_MAX_BODY_BYTES = 5 * 1024 * 1024
XAPI_MAX_STATEMENTS = 1000


class MissingEnvironment(RuntimeError):
    """SKILLFORGE_ENV is not set: the process does not know whether it runs locally or in AWS."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKILLFORGE_", extra="ignore")

    env: Environment | None = Field(None, description="Where this runs: local, dev or prod (no default)")
    # DATABASE_URL (no prefix) wins, as DESIGN.md promises; else the Lambda reads the secret / proxy.
    database_url: str | None = Field(None, validation_alias="DATABASE_URL")
    db_secret_arn: str | None = Field(
        None, description="Cluster (owner) secret: migrations and O*NET imports"
    )
    db_sslmode: SslMode = Field("require", description="TLS mode of owner connections built from the secret")
    db_proxy_endpoint: str | None = None
    db_name: str = "skillforge"
    db_app_role: str = Field("skillforge_app", description="Request-path role: one tenant per connection")
    db_platform_role: str = Field(
        "skillforge_platform", description="All-tenants role: workflows and platform administration only"
    )
    aws_endpoint_url: str | None = Field(None, validation_alias="AWS_ENDPOINT_URL")
    aws_region: str = Field("us-east-1", validation_alias="AWS_REGION")
    account_id: str | None = None
    home: Path = Field(
        default_factory=lambda: Path.cwd() / ".skillforge",
        description="Local state (embedded PostgreSQL, moto); SKILLFORGE_HOME",
    )
    dev_auth_key: SecretStr | None = Field(
        None, description="HMAC key for local dev tokens; never set in AWS"
    )
    blind_index_key: SecretStr | None = Field(
        None, description="Blind-index HMAC key; in AWS it comes from Secrets Manager instead"
    )
    jaat_dir: Path | None = Field(
        None, description="Curated JAAT overrides (default: the repository's content/)"
    )
    xapi_max_body_bytes: int = Field(XAPI_MAX_BODY_BYTES, ge=1024, le=10 * 1024 * 1024)
    xapi_max_statements: int = Field(XAPI_MAX_STATEMENTS, ge=1, le=10_000)
    # Powertools' and Lambda's own variables, read here so that the code has one place to look.
    service_name: str = Field("skillforge", validation_alias="POWERTOOLS_SERVICE_NAME")
    metrics_namespace: str = Field("SkillForge", validation_alias="POWERTOOLS_METRICS_NAMESPACE")
    metrics_disabled: bool = Field(False, validation_alias="POWERTOOLS_METRICS_DISABLED")
    trace_disabled: bool = Field(False, validation_alias="POWERTOOLS_TRACE_DISABLED")
    xray_daemon_address: str | None = Field(None, validation_alias="AWS_XRAY_DAEMON_ADDRESS")

    @property
    def is_local(self) -> bool:
        return self.env == "local"

    @property
    def tracing(self) -> bool:
        """X-Ray is active only where Lambda runs with active tracing (it sets the daemon address)."""
        return bool(self.xray_daemon_address) and not self.trace_disabled

    def require_env(self) -> Environment:
        if self.env is None:
            raise MissingEnvironment(
                "SKILLFORGE_ENV is not set: say where this runs (local, dev or prod). The CLI and `make demo` "
                "set local; the CDK app sets dev or prod."
            )
        return self.env


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
