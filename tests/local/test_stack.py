"""The local stack creates exactly what `skillforge.resources` describes, idempotently, in moto."""

import boto3
from moto import mock_aws

from skillforge.local.stack import provision
from skillforge.resources import RESOURCES, bucket_name, kms_alias, physical_name


@mock_aws
def test_provision_creates_every_declared_resource_once():
    first = provision("local")
    second = provision("local")
    assert first == second
    s3 = boto3.client("s3", region_name="us-east-1")
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert names == {bucket_name("local", b.key) for b in RESOURCES.buckets}
    for b in RESOURCES.buckets:
        assert s3.get_bucket_versioning(Bucket=bucket_name("local", b.key))["Status"] == "Enabled"
    kms = boto3.client("kms", region_name="us-east-1")
    aliases = {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
    assert {kms_alias("local", k.key) for k in RESOURCES.keys} <= aliases
    for k in RESOURCES.keys:
        assert kms.get_key_rotation_status(KeyId=first.keys[k.key])["KeyRotationEnabled"]
    sqs = boto3.client("sqs", region_name="us-east-1")
    urls = sqs.list_queues()["QueueUrls"]
    for q in RESOURCES.queues:
        assert any(u.endswith("/" + physical_name("local", q.key)) for u in urls)
        assert any(u.endswith("/" + physical_name("local", q.key) + "-dlq") for u in urls)
    assert len(urls) == 2 * len(RESOURCES.queues)


def test_moto_server_serves_the_stack():
    from skillforge.local import moto_server

    server, endpoint = moto_server.start()
    try:
        res = provision("local", endpoint_url=endpoint)
        s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint)
        s3.put_object(
            Bucket=res.buckets["partner-landing"], Key="partner_code=acme/dt=2026-01-01/u.csv", Body=b"x"
        )
        assert (
            s3.get_object(Bucket=res.buckets["partner-landing"], Key="partner_code=acme/dt=2026-01-01/u.csv")[
                "Body"
            ].read()
            == b"x"
        )
    finally:
        server.stop()
