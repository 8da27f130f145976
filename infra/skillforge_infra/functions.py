"""Lambda functions built from the registry: one construct applies sizing, networking and least-privilege grants."""

from __future__ import annotations

from aws_cdk import Aws, Duration, Size
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from skillforge.resources import bucket_name, physical_name

from .bundling import ARCHITECTURE, RUNTIME, function_code, layer_code
from .data_stack import APP_DB_USER, DB_NAME, PLATFORM_DB_USER
from .nag import ack
from .registry import FunctionSpec, warn_missing
from .shared import Shared

LAMBDA_BASIC = (
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
)
LAMBDA_VPC = (
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
    "AWSLambdaVPCAccessExecutionRole]"
)


def function_name(env: str, name: str) -> str:
    return physical_name(env, name)


def skillforge_layer(scope: Construct, shared: Shared) -> lambda_.LayerVersion:
    """The `skillforge` package and the pins of layers/requirements-lambda.txt (Powertools included) for arm64."""
    return lambda_.LayerVersion(
        scope,
        "SkillforgeLayer",
        code=layer_code(shared.root / "layers"),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="skillforge package + runtime dependencies (boto3 from the runtime)",
    )


def base_environment(shared: Shared, spec_name: str) -> dict[str, str]:
    env = shared.settings.name
    return {
        "SKILLFORGE_ENV": env,
        "SKILLFORGE_ACCOUNT_ID": Aws.ACCOUNT_ID,
        "SKILLFORGE_DB_PROXY_ENDPOINT": shared.proxy.endpoint,
        "SKILLFORGE_DB_NAME": DB_NAME,
        "SKILLFORGE_DB_APP_ROLE": APP_DB_USER,
        "SKILLFORGE_DB_PLATFORM_ROLE": PLATFORM_DB_USER,
        "POWERTOOLS_SERVICE_NAME": f"skillforge-{spec_name.replace('_', '-')}",
        "POWERTOOLS_METRICS_NAMESPACE": "SkillForge",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }


def build_function(
    scope: Construct,
    spec: FunctionSpec,
    shared: Shared,
    layer: lambda_.ILayerVersion,
    *,
    security_group: ec2.ISecurityGroup | None = None,
    extra_env: dict[str, str] | None = None,
) -> lambda_.Function | None:
    """Create the function of `spec`, or warn and return None when its folder does not exist yet."""
    if not spec.exists(shared.root):
        warn_missing(
            f"functions/{spec.name}/handler.py not found: function {spec.name!r} is registered but "
            "not deployed"
        )
        return None
    settings = shared.settings
    name = function_name(settings.name, spec.name)
    log_group = logs.LogGroup(
        scope,
        f"{spec.name}-Logs",
        log_group_name=f"/aws/lambda/{name}",
        retention=retention(settings.log_retention_days),
        removal_policy=settings.removal_policy,
    )
    vpc_args = {}
    extra_env = dict(extra_env or {})
    if spec.owner_db:
        security_group = security_group or shared.migrator_sg
        extra_env["SKILLFORGE_DB_SECRET_ARN"] = shared.cluster.secret.secret_arn
    if spec.database or security_group is not None:
        vpc_args = {
            "vpc": shared.vpc,
            "vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            "security_groups": [security_group or shared.db_client_sg],
        }
    storage = (
        {"ephemeral_storage_size": Size.mebibytes(spec.ephemeral_mb)} if spec.ephemeral_mb != 512 else {}
    )
    fn = lambda_.Function(
        scope,
        spec.name,
        function_name=name,
        description=spec.purpose,
        runtime=RUNTIME,
        architecture=ARCHITECTURE,
        handler="handler.handler",
        code=function_code(spec.path(shared.root)),
        layers=[layer],
        memory_size=spec.memory_mb,
        timeout=Duration.seconds(spec.timeout_s),
        reserved_concurrent_executions=spec.reserved.get(settings.name),
        tracing=lambda_.Tracing.ACTIVE,
        log_group=log_group,
        environment={**base_environment(shared, spec.name), **extra_env},
        **vpc_args,
        **storage,
    )
    _grant(fn, spec, shared)
    ack(
        fn,
        "CDK's Lambda role attaches the AWS-managed logging policy (CloudWatch Logs writes only).",
        LAMBDA_BASIC,
    )
    if vpc_args:
        ack(fn, "AWS-managed ENI policy that Lambda needs to run in the VPC.", LAMBDA_VPC)
    ack(
        fn,
        "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.",
        "AwsSolutions-IAM5[Resource::*]",
    )
    ack(
        fn,
        "python3.12 is the runtime the layer's arm64 wheels are built for; moved with the layer.",
        "AwsSolutions-L1",
    )
    return fn


def grant_data_access(grantee, spec, shared: Shared) -> None:
    """PII keys, buckets, queues and secrets named by a function's or a Glue job's registry row."""
    for key in spec.pii_keys:
        # skillforge.pii resolves the alias to the key ARN (DescribeKey) for the Encryption SDK.
        shared.keys[key].grant_encrypt_decrypt(grantee)
        shared.keys[key].grant(grantee, "kms:DescribeKey")
    for bucket in spec.buckets_read:
        shared.bucket(grantee, bucket).grant_read(grantee)
    for bucket in spec.buckets_write:
        shared.bucket(grantee, bucket).grant_put(grantee)
    for queue in spec.queues_send:
        shared.queues[queue].grant_send_messages(grantee)
    for secret in spec.secrets_read:
        grant_secret_read(grantee, shared.secrets[secret])


def _grant(fn: lambda_.Function, spec: FunctionSpec, shared: Shared) -> None:
    if spec.database:
        shared.proxy.grant_connect(fn, APP_DB_USER)
    if spec.database and spec.all_tenants:
        shared.proxy.grant_connect(fn, PLATFORM_DB_USER)
    if spec.owner_db:
        grant_secret_read(fn, shared.cluster.secret)
    grant_data_access(fn, spec, shared)
    if spec.put_events:
        shared.bus.grant_put_events_to(fn)
    if spec.idempotency:
        shared.tables["idempotency"].grant_read_write_data(fn)
    if spec.publish_alerts:
        shared.alerts.grant_publish(fn)
    if spec.queue_source:
        fn.add_event_source(
            event_sources.SqsEventSource(
                shared.queues[spec.queue_source],
                batch_size=spec.batch_size,
                max_batching_window=Duration.seconds(5),
                report_batch_item_failures=True,
            )
        )
    wildcard_acks(fn)
    bucket_object_acks(fn, shared, spec.buckets_read + spec.buckets_write)


def grant_secret_read(grantee, secret) -> None:
    """Secret.grant_read would add the role to the key policy in the data stack (a cross-stack cycle); the
    same rights as identity policy: read this one secret, decrypt with its key only via Secrets Manager."""
    iam.Grant.add_to_principal(
        grantee=grantee,
        actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resource_arns=[secret.secret_arn],
    )
    if secret.encryption_key is not None:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[secret.encryption_key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{Aws.REGION}.amazonaws.com"}},
            )
        )


# CDK grant methods expand to these action wildcards; each is the narrowest set CDK offers for the grant.
GRANT_WILDCARDS = {
    "Action::kms:GenerateDataKey*": "CDK grant for envelope encryption (GenerateDataKey and ...WithoutPlaintext).",
    "Action::kms:ReEncrypt*": "CDK encrypt/decrypt grant (ReEncryptFrom/To) on the one key it names.",
    "Action::s3:GetObject*": "CDK grantRead: object read actions on the one bucket granted.",
    "Action::s3:GetBucket*": "CDK grantRead: bucket metadata reads on the one bucket granted.",
    "Action::s3:List*": "CDK grantRead: listing of the one bucket granted.",
    "Action::s3:PutObject*": "CDK grantPut: object writes on the one bucket granted.",
    "Action::s3:Abort*": "CDK grantPut: aborting multipart uploads on the one bucket granted.",
    "Action::s3:DeleteObject*": "CDK grantReadWrite on the one bucket granted.",
}


def wildcard_acks(construct: Construct) -> None:
    for finding, reason in GRANT_WILDCARDS.items():
        ack(construct, reason, f"AwsSolutions-IAM5[{finding}]")


def bucket_object_acks(construct: Construct, shared: Shared, keys: tuple[str, ...]) -> None:
    """Object-level grants name `<bucket arn>/*`: the objects of one bucket, not every bucket."""
    for key in keys:
        name = bucket_name(shared.settings.name, key, "<AWS::AccountId>")
        ack(
            construct,
            f"Objects of the {key} bucket only.",
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{name}/*]",
        )


def retention(days: int) -> logs.RetentionDays:
    return {
        7: logs.RetentionDays.ONE_WEEK,
        14: logs.RetentionDays.TWO_WEEKS,
        30: logs.RetentionDays.ONE_MONTH,
        90: logs.RetentionDays.THREE_MONTHS,
        365: logs.RetentionDays.ONE_YEAR,
    }[days]
