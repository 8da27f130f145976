"""Storage and messaging: buckets, queues (with DLQs), the alerts topic, the event bus, DynamoDB tables (none today).

Names and retention windows come from `skillforge.resources.RESOURCES`, the description the local moto stack
uses too.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from skillforge.resources import RESOURCES, bucket_name, physical_name

from .nag import ack
from .settings import EnvSettings

ACCESS_LOGS = "access-logs"


class StorageStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvSettings,
        keys: dict[str, kms.IKey],
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        env = settings.name
        data_key = keys["data"]
        self.buckets: dict[str, s3.Bucket] = {}
        specs = {b.key: b for b in RESOURCES.buckets}
        # S3 server access logging can only deliver to an SSE-S3 bucket, so this one bucket is not KMS-encrypted.
        logs_spec = specs[ACCESS_LOGS]
        access_logs = s3.Bucket(
            self,
            "Bucket-access-logs",
            bucket_name=bucket_name(env, ACCESS_LOGS, Aws.ACCOUNT_ID),
            encryption=s3.BucketEncryption.S3_MANAGED,
            versioned=True,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=_lifecycle(logs_spec),
            removal_policy=settings.removal_policy,
        )
        ack(
            access_logs,
            "This is the access-log destination; logging it into itself would loop.",
            "AwsSolutions-S1",
        )
        self.buckets[ACCESS_LOGS] = access_logs
        for spec in RESOURCES.buckets:
            if spec.key == ACCESS_LOGS:
                continue
            self.buckets[spec.key] = s3.Bucket(
                self,
                f"Bucket-{spec.key}",
                bucket_name=bucket_name(env, spec.key, Aws.ACCOUNT_ID),
                encryption=s3.BucketEncryption.KMS,
                encryption_key=data_key,
                bucket_key_enabled=True,
                versioned=True,
                enforce_ssl=True,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                server_access_logs_bucket=access_logs,
                server_access_logs_prefix=f"{spec.key}/",
                lifecycle_rules=_lifecycle(spec),
                removal_policy=settings.removal_policy,
            )

        self.queues: dict[str, sqs.Queue] = {}
        self.dlqs: dict[str, sqs.Queue] = {}
        for spec in RESOURCES.queues:
            suffix = ".fifo" if spec.fifo else ""
            dead_letter = None
            if spec.dlq:
                dlq = sqs.Queue(
                    self,
                    f"Dlq-{spec.key}",
                    queue_name=physical_name(env, f"{spec.key}-dlq") + suffix,
                    fifo=spec.fifo or None,
                    encryption=sqs.QueueEncryption.KMS,
                    encryption_master_key=data_key,
                    enforce_ssl=True,
                    retention_period=Duration.days(14),
                    removal_policy=settings.removal_policy,
                )
                ack(dlq, "This queue is itself a dead-letter queue.", "AwsSolutions-SQS3")
                self.dlqs[spec.key] = dlq
                dead_letter = sqs.DeadLetterQueue(queue=dlq, max_receive_count=5)
            self.queues[spec.key] = sqs.Queue(
                self,
                f"Queue-{spec.key}",
                queue_name=physical_name(env, spec.key) + suffix,
                fifo=spec.fifo or None,
                encryption=sqs.QueueEncryption.KMS,
                encryption_master_key=data_key,
                enforce_ssl=True,
                visibility_timeout=Duration.seconds(spec.visibility_timeout_s),
                retention_period=Duration.days(4),
                dead_letter_queue=dead_letter,
                removal_policy=settings.removal_policy,
            )

        self.topics: dict[str, sns.Topic] = {
            name: sns.Topic(
                self,
                f"Topic-{name}",
                topic_name=physical_name(env, name),
                master_key=data_key,
                enforce_ssl=True,
            )
            for name in RESOURCES.topics
        }
        self.alerts = self.topics["alerts"]
        self.bus = events.EventBus(self, "Bus", event_bus_name=physical_name(env, RESOURCES.event_bus))

        self.tables: dict[str, dynamodb.Table] = {}
        for name in RESOURCES.tables:
            # Powertools idempotency layout: partition key `id`, TTL attribute `expiration`.
            self.tables[name] = dynamodb.Table(
                self,
                f"Table-{name}",
                table_name=physical_name(env, name),
                partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
                time_to_live_attribute="expiration",
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                encryption_key=data_key,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                removal_policy=settings.removal_policy,
                deletion_protection=settings.prod,
            )


def _lifecycle(spec) -> list[s3.LifecycleRule]:
    rules = [
        s3.LifecycleRule(
            id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(7)
        )
    ]
    if spec.expire_days is not None:
        rules.append(s3.LifecycleRule(id="retention", expiration=Duration.days(spec.expire_days)))
    if spec.noncurrent_expire_days is not None:
        rules.append(
            s3.LifecycleRule(
                id="noncurrent-versions",
                noncurrent_version_expiration=Duration.days(spec.noncurrent_expire_days),
            )
        )
    return rules
