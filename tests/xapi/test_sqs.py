"""The SQS batch path: valid statements stored, failures reported per message (Powertools partial failures)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import psycopg
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from skillforge.xapi.sqs import handle_batch
from tests.xapi.conftest import IP_SHA256, create_user
from tests.xapi.statements import interest_profiler

ROOT = Path(__file__).resolve().parents[2]


def record(message_id: str, body, partner: str | None = None) -> dict:
    attributes = {"partner_code": {"stringValue": partner, "dataType": "String"}} if partner else {}
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {},
        "messageAttributes": attributes,
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:xapi",
        "awsRegion": "us-east-1",
    }


def ip(**kwargs):
    return interest_profiler(checksum=IP_SHA256, **kwargs)


def statuses(url) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return {str(r[0]): r[1] for r in conn.execute("SELECT statement_id, status FROM xapi_statements")}


def test_partial_batch_failure(db_env):
    user_id = create_user(db_env, email="a1@acme.example", partner_code="acme-careers", external_ref="A-1")
    good, bad_version, good_in_batch = ip(account=("https://lms.acme.example", "A-1")), ip(), ip()
    bad_version["context"]["extensions"]["https://skillforge.example/xapi/ext/instrument-version"] = "0.1"
    jsonl = "\n".join(json.dumps(s) for s in (good_in_batch, bad_version))
    event = {
        "Records": [
            record("m1", good, "acme-careers"),
            record("m2", jsonl),
            record("m3", "{oops"),
            record("m4", [ip()], "not a code!"),
        ]
    }
    response = handle_batch(event, None)
    assert sorted(f["itemIdentifier"] for f in response["batchItemFailures"]) == ["m2", "m3", "m4"]
    stored = statuses(db_env)
    assert stored == {good["id"]: "applied", good_in_batch["id"]: "pending_user"}
    with psycopg.connect(db_env) as conn:
        owner = conn.execute(
            "SELECT user_id FROM assessments WHERE statement_id = %s", (good["id"],)
        ).fetchone()[0]
    assert str(owner) == user_id

    # SQS redelivers m2: its stored statement is a no-op, the bad one fails again.
    with pytest.raises(BatchProcessingError):  # every record of this batch fails -> the batch is retried
        handle_batch({"Records": [record("m2", jsonl)]}, None)
    assert statuses(db_env) == stored


def test_all_good_batch_reports_no_failures(db_env):
    event = {"Records": [record(f"m{i}", ip()) for i in range(5)]}
    assert handle_batch(event, None) == {"batchItemFailures": []}
    assert len(statuses(db_env)) == 5


def test_lambda_handler_module(db_env):
    spec = importlib.util.spec_from_file_location(
        "xapi_batch_handler", ROOT / "functions" / "xapi_batch" / "handler.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class Context:
        function_name, memory_limit_in_mb, aws_request_id = "xapi-batch", 512, "req-1"
        invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:xapi-batch"

    response = module.handler({"Records": [record("m1", ip()), record("m2", {"actor": {}})]}, Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "m2"}]}


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(db_env):
    """The local stack's xapi-intake queue (same description as CDK: redrive to a DLQ after 5 receives), driven
    like Lambda's event source: receive, invoke, delete what did not fail, until the queue is empty."""
    import boto3

    from skillforge.resources import physical_name

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=physical_name("local", "xapi-intake"))["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=physical_name("local", "xapi-intake") + "-dlq")["QueueUrl"]
    max_receives = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"][
            "RedrivePolicy"
        ]
    )["maxReceiveCount"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})  # redeliver at once
    good, bad = ip(), ip()
    bad["result"]["score"] = {"scaled": 2}
    sqs.send_message(
        QueueUrl=url,
        MessageBody=json.dumps(good),
        MessageAttributes={"partner_code": {"StringValue": "acme-careers", "DataType": "String"}},
    )
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(bad))

    invocations = 0
    while invocations < 20:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        messages = messages.get("Messages", [])
        if not messages:
            break
        invocations += 1
        event = {
            "Records": [
                record(
                    m["MessageId"],
                    m["Body"],
                    (m.get("MessageAttributes") or {}).get("partner_code", {}).get("StringValue"),
                )
                | {"receiptHandle": m["ReceiptHandle"]}
                for m in messages
            ]
        }
        try:
            failed = {f["itemIdentifier"] for f in handle_batch(event, None)["batchItemFailures"]}
        except BatchProcessingError:  # every record failed: Lambda retries the whole batch
            failed = {m["MessageId"] for m in messages}
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    assert invocations == int(max_receives)
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["id"] for m in dead] == [bad["id"]]
    assert statuses(db_env) == {good["id"]: "pending_user"}


def test_a_lone_surrogate_fails_only_its_own_message(db_env):
    """A JSON escape for half a surrogate pair (valid JSON, not valid Unicode) in one message: that message
    fails with the path and rule, its batch mates are stored."""
    good = ip()
    statement = ip()
    statement["actor"]["name"] = "PLACEHOLDER"
    broken = json.dumps(statement).replace("PLACEHOLDER", "\\ud800")
    response = handle_batch({"Records": [record("m1", good), record("m2", broken)]}, None)
    assert [f["itemIdentifier"] for f in response["batchItemFailures"]] == ["m2"]
    assert statuses(db_env) == {good["id"]: "pending_user"}
