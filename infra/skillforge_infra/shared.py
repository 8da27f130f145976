"""What the compute stacks receive from the network, data and storage stacks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Aws, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from skillforge.resources import bucket_name

from .registry import FUNCTIONS, FunctionSpec
from .settings import EnvSettings


@dataclass
class Shared:
    settings: EnvSettings
    root: Path  # repository root holding functions/, glue_jobs/, step_functions/, layers/
    vpc: ec2.IVpc
    keys: dict[str, kms.IKey]
    cluster: rds.DatabaseCluster
    proxy: rds.DatabaseProxy
    db_client_sg: ec2.ISecurityGroup
    migrator_sg: ec2.ISecurityGroup
    secrets: dict[str, secretsmanager.ISecret]
    buckets: dict[str, s3.IBucket]
    queues: dict[str, sqs.IQueue]
    dlqs: dict[str, sqs.IQueue]
    alerts: sns.ITopic
    bus: events.IEventBus
    tables: dict[str, dynamodb.ITable]
    functions: tuple[FunctionSpec, ...] = FUNCTIONS  # the registry (tests may add stand-ins)

    def bucket(self, scope: Construct, key: str) -> s3.IBucket:
        """The bucket by its physical name, not a cross-stack export: grants then name the bucket itself and
        the storage stack can change without export locks."""
        stack = Stack.of(scope)
        node_id = f"Bucket-{key}"
        existing = stack.node.try_find_child(node_id)
        if existing is not None:
            return existing
        return s3.Bucket.from_bucket_attributes(
            stack,
            node_id,
            bucket_name=bucket_name(self.settings.name, key, Aws.ACCOUNT_ID),
            encryption_key=self.buckets[key].encryption_key,
        )
