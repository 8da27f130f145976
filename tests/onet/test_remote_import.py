"""The onet_import function end to end: release files in S3 (moto), the real handler, a real PostgreSQL reached
with the owner credentials of the cluster secret, and the outcome announced on the SkillForge bus."""

from __future__ import annotations

import importlib.util
import json
import types
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from moto import mock_aws
from psycopg.rows import dict_row

from skillforge.config import get_settings
from skillforge.onet import remote
from tests.onet.helpers import ROOT, SAMPLE, copy_sample, find_line, make_zip, set_rating

CONTEXT = types.SimpleNamespace(
    function_name="skillforge-test-onet-import",
    memory_limit_in_mb=3008,
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:x",
    aws_request_id="req-1",
)
LATEST = "onet/latest/db_text.zip"


def load_handler():
    spec = importlib.util.spec_from_file_location(
        "onet_import_handler", ROOT / "functions/onet_import/handler.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def q(url: str, query: str, params=None) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(query, params).fetchall()


def current(url: str) -> dict:
    (row,) = q(url, "SELECT release, fingerprint FROM onet_releases WHERE status = 'current'")
    return {
        **row,
        "occupations": q(url, "SELECT count(*) AS n FROM occupations")[0]["n"],
        "schemas": [
            r["nspname"]
            for r in q(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'onet_r%' ORDER BY 1")
        ],
    }


class Aws:
    """moto with the project's resources, the owner secret, and a queue that receives the bus's O*NET events."""

    def __init__(self, db_url: str, monkeypatch):
        import boto3

        from skillforge.local.stack import provision

        provision(env="local")
        self.s3 = boto3.client("s3")
        self.bucket = remote.onet_raw_bucket()
        sqs, events = boto3.client("sqs"), boto3.client("events")
        self.queue = sqs.create_queue(QueueName="onet-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(
            Name="onet-events",
            EventBusName=remote.event_bus(),
            EventPattern=json.dumps({"source": [remote.EVENT_SOURCE]}),
        )
        events.put_targets(
            Rule="onet-events", EventBusName=remote.event_bus(), Targets=[{"Id": "q", "Arn": arn}]
        )
        self.alert_queue = sqs.create_queue(QueueName="alerts-mailbox")["QueueUrl"]
        boto3.client("sns").subscribe(
            TopicArn=remote.alerts_topic_arn(),
            Protocol="sqs",
            Attributes={"RawMessageDelivery": "false"},
            Endpoint=sqs.get_queue_attributes(QueueUrl=self.alert_queue, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"],
        )
        self.sqs = sqs
        parts = urlsplit(db_url)
        secret = {
            "engine": "postgres",
            "host": parts.hostname,
            "port": parts.port or 5432,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "dbname": parts.path.lstrip("/"),
        }
        secret_arn = boto3.client("secretsmanager").create_secret(
            Name="skillforge/test/onet-owner", SecretString=json.dumps(secret)
        )["ARN"]
        monkeypatch.setenv("SKILLFORGE_DB_SECRET_ARN", secret_arn)
        monkeypatch.setenv("SKILLFORGE_DB_SSLMODE", "prefer")
        get_settings.cache_clear()  # settings are read once per process, as at a Lambda cold start

    def upload_release(
        self, folder: Path, tmp_path: Path, key: str = LATEST, skip: set[str] = frozenset()
    ) -> None:
        archive = make_zip(
            folder, tmp_path / f"upload-{len(list(tmp_path.glob('upload-*')))}.zip", skip={"README.md", *skip}
        )
        self.s3.upload_file(str(archive), self.bucket, key)

    def upload_bls(self, folder: Path, prefix: str = "bls/latest/") -> None:
        for path in sorted(folder.glob("*.csv")):
            self.s3.upload_file(str(path), self.bucket, prefix + path.name)

    def events(self) -> list[dict]:
        return self._drain(self.queue)

    def alerts(self) -> list[dict]:
        """Alerts topic notifications: {'Subject': ..., 'Message': ...}."""
        return self._drain(self.alert_queue)

    def _drain(self, queue: str) -> list[dict]:
        out = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return out
            for message in messages:
                out.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def aws(fresh_db_url, monkeypatch):
    with mock_aws():
        yield Aws(fresh_db_url, monkeypatch)


def s3_event(bucket: str, key: str) -> dict:
    """What S3 -> EventBridge delivers for an upload."""
    return {
        "version": "0",
        "source": "aws.s3",
        "detail-type": "Object Created",
        "account": "123456789012",
        "region": "us-east-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": 1},
            "reason": "PutObject",
        },
    }


def test_first_load_then_unchanged_then_a_corrupt_upload(aws: Aws, fresh_db_url: str, tmp_path: Path, caplog):
    handler = load_handler()
    aws.upload_release(SAMPLE, tmp_path)
    aws.upload_bls(SAMPLE / "bls")

    first = handler.handler({"bucket": aws.bucket, "key": LATEST, "bls_prefix": "bls/latest/"}, CONTEXT)
    assert first["outcome"] == "published", first["validation"]
    assert first["release"] == "29.0" and first["row_counts"]["occupations"] == 60
    assert first["source"] == f"s3://{aws.bucket}/{LATEST}"
    loaded = current(fresh_db_url)
    assert loaded["release"] == "29.0" and loaded["occupations"] == 60
    # the BLS files came along: wages and projections joined
    (nurse,) = q(
        fresh_db_url, "SELECT wage_median, annual_openings FROM occupations WHERE onet_code = '29-1141.00'"
    )
    assert nurse["wage_median"] > 15_080 and nurse["annual_openings"] > 0
    # the import run records where the release came from
    (run,) = q(fresh_db_url, "SELECT source FROM onet_import_runs ORDER BY started_at DESC LIMIT 1")
    assert run["source"].endswith(f"/s3/{aws.bucket}/onet/latest/db_text.zip")
    (event,) = aws.events()
    assert event["source"] == remote.EVENT_SOURCE and event["detail-type"] == remote.IMPORTED
    assert event["detail"]["outcome"] == "published" and event["detail"]["release"] == "29.0"
    assert event["detail"]["previous_release"] == "0.0"
    assert event["detail"]["source"] == f"s3://{aws.bucket}/{LATEST}"

    again = handler.handler(
        {"key": LATEST, "bls_prefix": "bls/latest/"}, CONTEXT
    )  # bucket defaults to onet-raw
    assert again["outcome"] == "unchanged" and again["release"] == "29.0"
    (event,) = aws.events()
    assert event["detail-type"] == remote.IMPORTED and event["detail"]["outcome"] == "unchanged"
    assert current(fresh_db_url) == loaded
    assert aws.alerts() == []  # successes do not page anyone

    # A corrupt upload arrives through S3 -> EventBridge: reported, announced, and the release stays as it was.
    aws.upload_release(copy_sample(tmp_path / "broken"), tmp_path, skip={"Occupation Data.txt"})
    caplog.clear()
    failed = handler.handler(s3_event(aws.bucket, LATEST), CONTEXT)
    # a scheduled run's result goes nowhere: the structured log carries the whole report
    (finished,) = [r for r in caplog.records if r.getMessage() == "O*NET import finished"]
    assert (
        finished.outcome == "failed" and finished.validation["problems"] == failed["validation"]["problems"]
    )
    assert failed["outcome"] == "failed"
    errors = {(p["file"], p["rule"]) for p in failed["validation"]["problems"] if p["severity"] == "error"}
    assert ("Occupation Data.txt", "file.missing") in errors
    assert current(fresh_db_url) == loaded
    (event,) = aws.events()
    assert event["detail-type"] == remote.FAILED and event["detail"]["outcome"] == "failed"
    assert {(p["file"], p["rule"]) for p in event["detail"]["validation"]["problems"]} & errors
    (alert,) = aws.alerts()
    assert alert["Subject"] == "SkillForge local: O*NET import failed"
    assert json.loads(alert["Message"])["source"] == f"s3://{aws.bucket}/{LATEST}"


def test_rollback_request_makes_the_previous_release_current(aws: Aws, fresh_db_url: str, tmp_path: Path):
    handler = load_handler()
    aws.upload_release(SAMPLE, tmp_path, key="onet/29.0/db_29_0_text.zip")
    assert handler.handler({"key": "onet/29.0/db_29_0_text.zip"}, CONTEXT)["outcome"] == "published"
    corrected = copy_sample(tmp_path / "r29_1")
    set_rating(corrected, "Skills.txt", find_line(corrected, "Skills.txt", "29-1141.00", "2.A.1.a"), 2.0)
    aws.upload_release(corrected, tmp_path, key="onet/29.1/db_29_1_text.zip")
    second = handler.handler({"key": "onet/29.1/db_29_1_text.zip", "release": "29.1"}, CONTEXT)
    assert second["outcome"] == "published" and second["previous_release"] == "29.0"
    assert current(fresh_db_url)["release"] == "29.1"
    aws.events()

    back = handler.handler({"action": "rollback", "to": "29.0"}, CONTEXT)
    assert back == {
        "action": "rollback",
        "outcome": "rolled_back",
        "release": "29.0",
        "previous_release": "29.1",
        "message": "release 29.0 is current again (was 29.1)",
    }
    assert current(fresh_db_url)["release"] == "29.0"
    (event,) = aws.events()
    assert event["detail-type"] == remote.ROLLED_BACK and event["detail"]["release"] == "29.0"

    refused = handler.handler({"action": "rollback", "to": "29.0"}, CONTEXT)
    assert refused["outcome"] == "failed" and "already current" in refused["message"]
    assert refused["validation"]["problems"][0]["rule"] == "rollback.refused"
    assert current(fresh_db_url)["release"] == "29.0"


@pytest.mark.parametrize(
    ("event", "column", "rule", "says"),
    [
        (
            {"bucket": "someone-elses-bucket", "key": LATEST},
            "bucket",
            "request.invalid",
            "must be the onet-raw bucket",
        ),
        ({"key": "onet/latest/db_text.tar"}, "key", "request.invalid", "db_XX_X_text.zip"),
        ({"key": LATEST, "release": "latest"}, "release", "request.invalid", "should match pattern"),
        ({"key": LATEST, "bls": "bls/latest/"}, "bls", "request.invalid", "Extra inputs"),
        ({"action": "rollback", "to": "twenty"}, "to", "request.invalid", "should match pattern"),
        ({"key": "onet/29.9/db_29_9_text.zip"}, None, "s3.not_found", "no such object"),
        ({"key": LATEST, "bls_prefix": "bls/2031/"}, None, "s3.not_found", "no OEWS"),
    ],
)
def test_bad_requests_are_reported_and_change_nothing(
    aws: Aws, fresh_db_url: str, tmp_path: Path, event, column, rule, says
):
    handler = load_handler()
    aws.upload_release(SAMPLE, tmp_path)
    before = q(fresh_db_url, "SELECT release, status::text FROM onet_releases ORDER BY release")
    result = handler.handler(event, CONTEXT)
    assert result["outcome"] == "failed"
    (problem,) = result["validation"]["problems"]
    assert (problem["column"], problem["rule"]) == (column, rule)
    assert says in problem["message"], problem["message"]
    assert q(fresh_db_url, "SELECT release, status::text FROM onet_releases ORDER BY release") == before
    (announced,) = aws.events()
    assert announced["detail-type"] == remote.FAILED and announced["detail"]["validation"]["problems"] == [
        problem
    ]
    (alert,) = aws.alerts()
    assert json.loads(alert["Message"])["validation"]["problems"] == [problem]


def test_an_object_created_event_uses_the_latest_bls_and_jaat_prefixes():
    request = remote.parse_request(s3_event(remote.onet_raw_bucket(), "onet/29.0/db_29_0_text.zip"))
    assert (request.key, request.bls_prefix, request.jaat_prefix) == (
        "onet/29.0/db_29_0_text.zip",
        remote.LATEST_BLS_PREFIX,
        remote.LATEST_JAAT_PREFIX,
    )
    with pytest.raises(remote.RequestError, match="detail-type"):
        remote.parse_request({**s3_event(remote.onet_raw_bucket(), LATEST), "detail-type": "Object Deleted"})


def test_downloaded_files_stay_inside_the_working_directory(tmp_path: Path):
    path = remote._local_path(tmp_path, "b", "../../etc/./passwd")
    assert path == tmp_path / "s3" / "b" / "etc" / "passwd"


def test_an_unreachable_database_is_announced_and_fails_the_invocation(aws: Aws, tmp_path: Path, monkeypatch):
    """Not a validation failure: the invocation errors (the function's Errors alarm), after the bus heard of it."""
    import boto3

    handler = load_handler()
    aws.upload_release(SAMPLE, tmp_path)
    secret = {
        "engine": "postgres",
        "host": "127.0.0.1",
        "port": 1,
        "username": "nobody",
        "password": "x",
        "dbname": "skillforge",
    }
    arn = boto3.client("secretsmanager").create_secret(
        Name="skillforge/test/unreachable", SecretString=json.dumps(secret)
    )["ARN"]
    monkeypatch.setenv("SKILLFORGE_DB_SECRET_ARN", arn)
    get_settings.cache_clear()
    with pytest.raises(psycopg.OperationalError):
        handler.handler({"key": LATEST}, CONTEXT)
    (event,) = aws.events()
    assert event["detail-type"] == remote.FAILED
    (problem,) = event["detail"]["validation"]["problems"]
    assert problem["rule"] == "import.internal" and "OperationalError" in problem["message"]
    assert "current release is unchanged" in event["detail"]["message"]
