"""Per-environment settings, chosen with `-c env=dev|prod` (dev is the default)."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy


@dataclass(frozen=True)
class EnvSettings:
    name: str
    prod: bool
    nat_gateways: int
    db_min_acu: float
    db_max_acu: float
    db_backup_days: int
    api_rate_limit: int  # steady requests/s for the stage
    api_burst_limit: int
    api_cache: bool  # API Gateway cache cluster for the reference routes
    waf_rate_limit_per_ip: int  # requests per 5 minutes per IP
    log_retention_days: int

    @property
    def removal_policy(self) -> RemovalPolicy:
        # prod keeps every stateful resource when a stack is deleted; dev cleans up after itself.
        return RemovalPolicy.RETAIN if self.prod else RemovalPolicy.DESTROY


ENVIRONMENTS = {
    "dev": EnvSettings(
        name="dev",
        prod=False,
        nat_gateways=1,
        db_min_acu=0.5,
        db_max_acu=4,
        db_backup_days=1,
        api_rate_limit=100,
        api_burst_limit=200,
        api_cache=False,
        waf_rate_limit_per_ip=2000,
        log_retention_days=14,
    ),
    "prod": EnvSettings(
        name="prod",
        prod=True,
        nat_gateways=2,
        db_min_acu=0.5,
        db_max_acu=32,
        db_backup_days=14,
        api_rate_limit=1500,
        api_burst_limit=3000,
        api_cache=True,
        waf_rate_limit_per_ip=6000,
        log_retention_days=365,
    ),
}


def env_settings(name: str | None) -> EnvSettings:
    name = name or "dev"
    try:
        return ENVIRONMENTS[name]
    except KeyError:
        raise ValueError(f"context 'env' must be one of {sorted(ENVIRONMENTS)}, got {name!r}") from None
