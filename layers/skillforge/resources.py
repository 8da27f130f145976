"""The one description of SkillForge's AWS resource names.

Both the CDK app (`infra/`) and the local moto stack (`skillforge.local.stack`) read this module, so
the names deployed and the names used locally cannot drift. Physical names are derived from the
environment name (`dev`, `prod`, `local`); logical ids in CDK come from the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROJECT = "skillforge"


@dataclass(frozen=True)
class Bucket:
    key: str
    purpose: str
    # Days after which objects expire (None = keep); matches the retention windows in docs/data-retention.md.
    expire_days: int | None = None
    noncurrent_expire_days: int | None = 30


@dataclass(frozen=True)
class Queue:
    key: str
    purpose: str
    fifo: bool = False
    visibility_timeout_s: int = 60
    dlq: bool = True


@dataclass(frozen=True)
class Key:
    key: str
    purpose: str
    pii: bool = False


@dataclass(frozen=True)
class StateMachine:
    key: str
    definition: str  # file name under step_functions/
    purpose: str


@dataclass(frozen=True)
class Resources:
    buckets: tuple[Bucket, ...] = field(default_factory=tuple)
    queues: tuple[Queue, ...] = field(default_factory=tuple)
    keys: tuple[Key, ...] = field(default_factory=tuple)
    topics: tuple[str, ...] = field(default_factory=tuple)
    event_bus: str = "events"
    secrets: tuple[str, ...] = field(default_factory=tuple)
    tables: tuple[str, ...] = field(default_factory=tuple)  # DynamoDB (Powertools idempotency layout)
    state_machines: tuple[StateMachine, ...] = field(default_factory=tuple)


RESOURCES = Resources(
    buckets=(
        Bucket(
            "onet-raw",
            "O*NET and BLS raw release archives, as downloaded",
            expire_days=None,
            noncurrent_expire_days=365,
        ),
        Bucket(
            "partner-landing",
            "Partner user/experience files (partner_code=<code>/dt=<date>/...)",
            expire_days=30,
        ),
        Bucket("quarantine", "Rejected partner rows (PII masked) and reports", expire_days=90),
        Bucket("exports", "Data-subject access (DSAR) exports", expire_days=30),
        Bucket(
            "access-logs",
            "S3 server access logs of the other buckets",
            expire_days=365,
            noncurrent_expire_days=None,
        ),
    ),
    queues=(
        Queue("quarantine", "One message per quarantined partner row report"),
        Queue("xapi-intake", "Bulk xAPI statement deliveries (SQS batch path)", visibility_timeout_s=120),
        Queue("notifications", "User notifications to deliver"),
    ),
    keys=(
        Key("pii_user", "Envelope key for users' PII columns", pii=True),
        Key("pii_employment", "Envelope key for experiences' PII columns", pii=True),
        Key("pii_partner", "Envelope key for partner contact data", pii=True),
        Key("data", "Data-at-rest key for buckets, queues, logs and the database"),
    ),
    topics=("alerts",),
    event_bus="events",
    secrets=("db-credentials", "blind-index-key"),
    # No DynamoDB table: nothing needs Powertools idempotency yet (xAPI intake is idempotent by statement id,
    # imports by fingerprint). A function that needs it adds the table here and `idempotency=True` to its spec.
    tables=(),
    state_machines=(
        StateMachine("onet-refresh", "onet_refresh.asl.json", "Monthly O*NET import, validate, swap"),
        StateMachine("gdpr-deletion", "gdpr_deletion.asl.json", "Right-to-erasure workflow"),
        StateMachine("retention-purge", "retention_purge.asl.json", "Nightly retention purge"),
        StateMachine("dsar-export", "dsar_export.asl.json", "Data-subject access export"),
    ),
)


def physical_name(env: str, key: str) -> str:
    """Physical resource name, e.g. ``skillforge-dev-partner-landing``."""
    return f"{PROJECT}-{env}-{key}".replace("_", "-")


def bucket_name(env: str, key: str, account: str | None = None) -> str:
    # Bucket names are global: in AWS the account id keeps them unique; locally it is omitted.
    base = physical_name(env, key)
    return f"{base}-{account}" if account else base


def kms_alias(env: str, key: str) -> str:
    return f"alias/{PROJECT}/{env}/{key}"


def secret_name(env: str, key: str) -> str:
    return f"{PROJECT}/{env}/{key}"
