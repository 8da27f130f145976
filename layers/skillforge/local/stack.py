"""Create, in moto (server or in-process), every resource that `skillforge.resources` describes.

The CDK app builds the same list in AWS, so a name used by code exists in both places.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

import boto3

from skillforge.resources import RESOURCES, bucket_name, kms_alias, physical_name, secret_name


@dataclass
class LocalResources:
    buckets: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)  # key -> queue URL
    keys: dict[str, str] = field(default_factory=dict)  # key -> key ARN
    topics: dict[str, str] = field(default_factory=dict)
    event_bus: str = ""
    secrets: dict[str, str] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)


def provision(
    env: str = "local", region: str = "us-east-1", endpoint_url: str | None = None
) -> LocalResources:
    """Idempotent: existing resources are reused."""
    kw = {"region_name": region, **({"endpoint_url": endpoint_url} if endpoint_url else {})}
    s3, sqs, kms = boto3.client("s3", **kw), boto3.client("sqs", **kw), boto3.client("kms", **kw)
    sns, events = boto3.client("sns", **kw), boto3.client("events", **kw)
    sm, ddb = boto3.client("secretsmanager", **kw), boto3.client("dynamodb", **kw)
    out = LocalResources()

    for b in RESOURCES.buckets:
        name = bucket_name(env, b.key)
        existing = {x["Name"] for x in s3.list_buckets().get("Buckets", [])}
        if name not in existing:
            s3.create_bucket(Bucket=name)
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        out.buckets[b.key] = name

    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    for k in RESOURCES.keys:
        alias = kms_alias(env, k.key)
        if aliases.get(alias):
            key_id = aliases[alias]
        else:
            key_id = kms.create_key(Description=k.purpose)["KeyMetadata"]["KeyId"]
            kms.enable_key_rotation(KeyId=key_id)
            kms.create_alias(AliasName=alias, TargetKeyId=key_id)
        out.keys[k.key] = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]

    for q in RESOURCES.queues:
        name = physical_name(env, q.key)
        attrs = {"VisibilityTimeout": str(q.visibility_timeout_s)}
        if q.dlq:
            dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
            dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})
        out.queues[q.key] = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]

    for t in RESOURCES.topics:
        out.topics[t] = sns.create_topic(Name=physical_name(env, t))["TopicArn"]

    bus = physical_name(env, RESOURCES.event_bus)
    if bus not in {b["Name"] for b in events.list_event_buses()["EventBuses"]}:
        events.create_event_bus(Name=bus)
    out.event_bus = bus

    existing_secrets = {s["Name"] for s in sm.list_secrets().get("SecretList", [])}
    for s in RESOURCES.secrets:
        name = secret_name(env, s)
        if name not in existing_secrets:
            value = secrets.token_urlsafe(32) if s == "blind-index-key" else json.dumps({"note": "local"})
            sm.create_secret(Name=name, SecretString=value)
        out.secrets[s] = name

    existing_tables = set(ddb.list_tables().get("TableNames", []))
    for t in RESOURCES.tables:
        name = physical_name(env, t)
        if name not in existing_tables:
            ddb.create_table(
                TableName=name,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            )
        out.tables[t] = name
    return out
