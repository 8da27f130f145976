"""Builds the whole CDK app; used by infra/app.py, `skillforge synth` and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import App, Environment, Tags

from .api_stack import ApiStack
from .data_stack import DataStack
from .nag import add_checks
from .network_stack import NetworkStack
from .observability_stack import ObservabilityStack
from .registry import FUNCTIONS, REPO_ROOT, FunctionSpec
from .settings import env_settings
from .shared import Shared
from .storage_stack import StorageStack
from .workflows_stack import WorkflowsStack

# Feature flags this app relies on (also in cdk.json for the cdk CLI).
FEATURE_FLAGS: dict[str, Any] = {
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # Producer stacks (data, storage) keep their exports while a consumer uses them.
    "@aws-cdk/core:defaultCrossStackReferences": "strong",
}


def stack_id(env: str, name: str) -> str:
    return f"Skillforge-{env}-{name}"


def build_app(
    context: dict[str, Any] | None = None,
    *,
    outdir: str | None = None,
    root: Path = REPO_ROOT,
    extra_functions: tuple[FunctionSpec, ...] = (),
) -> App:
    context = {**FEATURE_FLAGS, **(context or {})}
    app = App(context=context, outdir=outdir)
    settings = env_settings(app.node.try_get_context("env"))
    env = settings.name
    account = app.node.try_get_context("account")
    region = app.node.try_get_context("region")
    cdk_env = Environment(account=account, region=region) if account or region else None
    common = {"env": cdk_env, "termination_protection": settings.prod}

    network = NetworkStack(app, stack_id(env, "network"), settings=settings, **common)
    data = DataStack(app, stack_id(env, "data"), settings=settings, vpc=network.vpc, **common)
    storage = StorageStack(app, stack_id(env, "storage"), settings=settings, keys=data.keys, **common)
    shared = Shared(
        settings=settings,
        root=root,
        vpc=network.vpc,
        keys=data.keys,
        cluster=data.cluster,
        proxy=data.proxy,
        db_client_sg=data.db_client_sg,
        migrator_sg=data.migrator_sg,
        secrets=data.secrets,
        buckets=storage.buckets,
        queues=storage.queues,
        dlqs=storage.dlqs,
        alerts=storage.alerts,
        bus=storage.bus,
        tables=storage.tables,
        functions=FUNCTIONS + tuple(extra_functions),
    )
    api = ApiStack(app, stack_id(env, "api"), shared=shared, **common)
    workflows = WorkflowsStack(app, stack_id(env, "workflows"), shared=shared, **common)
    ObservabilityStack(
        app,
        stack_id(env, "observability"),
        settings=settings,
        alerts=storage.alerts,
        function_names=sorted([*api.functions, *workflows.functions]),
        state_machine_keys=sorted(workflows.state_machines),
        **common,
    )

    # The proxy target group takes no tags (CloudFormation rejects them).
    untaggable = ["AWS::RDS::DBProxyTargetGroup"]
    Tags.of(app).add("project", "skillforge", exclude_resource_types=untaggable)
    Tags.of(app).add("environment", env, exclude_resource_types=untaggable)
    add_checks(app)
    return app
