"""Loading O*NET releases in AWS: the `onet_import` function's domain code (first load, monthly refresh, rollback).

The function has no other way in: the database sits in isolated subnets, so operators put the release files in
the onet-raw bucket and invoke the function (or let the monthly schedule do it). Key convention of the bucket:

- `onet/latest/db_text.zip`: the official `db_XX_X_text.zip` to load next (the schedule's default); any other
  key, e.g. `onet/29.0/db_29_0_text.zip`, can be named in the request;
- `bls/latest/`: OEWS national (`oews*.csv`) and Employment Projections table 1.2 (`ep_*table_1_2*.csv`);
- `jaat/latest/`: curated JAAT overrides (`<onet_code>.json`, the files of `content/jaat/`).

Requests (the Lambda event):

- `{"bucket": ..., "key": "onet/latest/db_text.zip", "bls_prefix": "bls/latest/", "jaat_prefix": "jaat/latest/",
  "release": "29.0", "force": false, "allow_shrink": false}`; everything but `key` optional, `bucket` defaults to
  the onet-raw bucket and must be that bucket;
- an EventBridge `Object Created` event of the onet-raw bucket (S3 -> EventBridge notifications), which imports
  that object with `bls/latest/` and `jaat/latest/`;
- `{"action": "rollback", "to": "28.3"}` (`to` optional: the release current before the current one).

The importer guarantees that a failed import leaves the current release untouched. Every outcome is returned in
the importer's `ImportResult.to_dict()` shape and announced on the SkillForge bus: `OnetReleaseImported`
(outcome published or unchanged), `OnetImportFailed`, `OnetReleaseRolledBack`, source `skillforge.onet`; a
failure also goes to the `alerts` topic.
"""

from __future__ import annotations

import fnmatch
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Literal

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from skillforge.config import get_settings
from skillforge.onet.importer import ImportResult, import_release
from skillforge.onet.source import EP_GLOB, OEWS_GLOB, SourceError
from skillforge.resources import RESOURCES, bucket_name, physical_name

logger = Logger(child=True)

EVENT_SOURCE = "skillforge.onet"
IMPORTED = "OnetReleaseImported"
FAILED = "OnetImportFailed"
ROLLED_BACK = "OnetReleaseRolledBack"

BUCKET_KEY = "onet-raw"
LATEST_KEY = "onet/latest/db_text.zip"
LATEST_BLS_PREFIX = "bls/latest/"
LATEST_JAAT_PREFIX = "jaat/latest/"
EVENT_PROBLEMS = (
    10  # problems carried by a failure event (the full report is in the function's result and log)
)
_RELEASE_RE = r"^\d{1,3}\.\d{1,2}$"


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["import"] = "import"
    bucket: str | None = Field(
        None, description="default: the onet-raw bucket (the only one the function reads)"
    )
    key: str = Field(LATEST_KEY, min_length=1, pattern=r"(?i)\.zip$")
    bls_prefix: str | None = None
    jaat_prefix: str | None = None
    release: str | None = Field(None, pattern=_RELEASE_RE)
    force: bool = False
    allow_shrink: bool = False


class RollbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["rollback"]
    to: str | None = Field(None, pattern=_RELEASE_RE)


class RequestError(ValueError):
    def __init__(self, field: str | None, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


def onet_raw_bucket() -> str:
    settings = get_settings()
    return bucket_name(settings.require_env(), BUCKET_KEY, settings.account_id)


def event_bus() -> str:
    return physical_name(get_settings().require_env(), RESOURCES.event_bus)


def parse_request(event: dict) -> ImportRequest | RollbackRequest:
    """The request an event carries; RequestError names the field and the rule it breaks."""
    if not isinstance(event, dict):
        raise RequestError(None, f"the event must be a JSON object, got {type(event).__name__}")
    if event.get("source") == "aws.s3":
        if event.get("detail-type") != "Object Created":
            raise RequestError(
                "detail-type",
                f"only 'Object Created' S3 events start an import, got {event.get('detail-type')!r}",
            )
        detail = event.get("detail") or {}
        event = {
            "bucket": (detail.get("bucket") or {}).get("name"),
            "key": (detail.get("object") or {}).get("key"),
            "bls_prefix": LATEST_BLS_PREFIX,
            "jaat_prefix": LATEST_JAAT_PREFIX,
        }
    model = RollbackRequest if event.get("action") == "rollback" else ImportRequest
    try:
        request = model.model_validate(event)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        detail = first["msg"]
        if field == "key" and first["type"] == "string_pattern_mismatch":
            detail = "must name the release archive (the official db_XX_X_text.zip)"
        raise RequestError(field, detail) from exc
    if isinstance(request, ImportRequest):
        expected = onet_raw_bucket()
        if request.bucket is None:
            request.bucket = expected
        elif request.bucket != expected:
            raise RequestError("bucket", f"must be the onet-raw bucket {expected!r}, got {request.bucket!r}")
    return request


def handle(event: dict, *, url: str | None = None, s3=None, events=None) -> dict:
    """Run one request and announce its outcome on the bus. `url` defaults to the owner's connection (the cluster
    secret in AWS). Returns the result dict; raises only on internal errors (after announcing them)."""
    events = events or _client("events")
    try:
        request = parse_request(event)
    except RequestError as exc:
        result = _failure(None, "(request)", exc.field, "request.invalid", str(exc))
        _announce(events, FAILED, result.to_dict(), source=None)
        return result.to_dict()
    if url is None:
        from skillforge.db.owner import owner_database_url

        url = owner_database_url()
    if isinstance(request, RollbackRequest):
        return run_rollback(request, url=url, events=events)
    return run_import(request, url=url, s3=s3 or _client("s3"), events=events)


def run_import(
    request: ImportRequest, *, url: str, s3, events, progress: Callable[[str], None] | None = None
) -> dict:
    source = f"s3://{request.bucket}/{request.key}"
    say = progress or (lambda message: logger.info("import progress", extra={"step": message}))
    with tempfile.TemporaryDirectory(prefix="onet-import-") as tmp:
        try:
            archive, bls, jaat_dir, fetched = download(request, Path(tmp), s3)
            logger.info("release files downloaded", extra={"source": source, "files": fetched})
            result = import_release(
                archive,
                release=request.release,
                bls=bls,
                url=url,
                jaat_dir=jaat_dir,
                progress=say,
                force=request.force,
                allow_shrink=request.allow_shrink,
            )
        except _Missing as exc:
            result = _failure(request.release, exc.location, None, "s3.not_found", str(exc))
        except SourceError as exc:
            result = _failure(request.release, source, None, "source.unreadable", str(exc))
        except Exception as exc:
            # The importer's transaction rolled back (and the run is recorded as failed when the database was
            # reachable): the current release is untouched. Announce it, then let Lambda count the error.
            result = _failure(
                request.release,
                source,
                None,
                "import.internal",
                f"internal error ({type(exc).__name__}: {exc}); the current release is unchanged",
            )
            logger.exception("O*NET import failed with an internal error", extra={"source": source})
            _announce(events, FAILED, result.to_dict(), source=source)
            raise
    summary = result.to_dict()
    # A scheduled run's return value goes nowhere: a failure logs its whole report (file, line, rule; no PII).
    logger.info(
        "O*NET import finished",
        extra={
            "source": source,
            "outcome": result.outcome,
            "release": result.release,
            "result": result.message,
            "validation": result.to_dict(problems=not result.ok)["validation"],
        },
    )
    _announce(events, IMPORTED if result.ok else FAILED, summary, source=source)
    return {**summary, "source": source}


def run_rollback(request: RollbackRequest, *, url: str, events) -> dict:
    from skillforge.onet.releases import ReleaseError, rollback

    try:
        moved = rollback(url, to=request.to)
    except ReleaseError as exc:
        result = _failure(request.to, "(rollback)", "to", "rollback.refused", str(exc))
        _announce(events, FAILED, result.to_dict(), source=None)
        return {**result.to_dict(), "action": "rollback"}
    summary = {
        "action": "rollback",
        "outcome": "rolled_back",
        "release": moved["to"],
        "previous_release": moved["from"],
        "message": f"release {moved['to']} is current again (was {moved['from']})",
    }
    logger.info("O*NET rollback", extra={"release": moved["to"], "previous_release": moved["from"]})
    _announce(events, ROLLED_BACK, summary, source=None)
    return summary


# -- S3 -------------------------------------------------------------------------------------------------------


class _Missing(LookupError):
    def __init__(self, location: str, message: str):
        super().__init__(message)
        self.location = location


def download(request: ImportRequest, workdir: Path, s3) -> tuple[Path, Path | None, Path | None, list[str]]:
    """Fetch the archive, the BLS files and the curated JAAT files. Local paths mirror the S3 keys, so the
    import run's recorded source names the object."""
    from botocore.exceptions import ClientError

    bucket = request.bucket
    archive = _local_path(workdir, bucket, request.key)
    try:
        s3.download_file(bucket, request.key, str(archive))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        location = f"s3://{bucket}/{request.key}"
        if code in ("404", "NoSuchKey", "NotFound"):
            raise _Missing(location, f"{location}: no such object (upload the release zip first)") from exc
        raise _Missing(location, f"{location}: cannot be read ({code})") from exc
    fetched = [request.key]
    bls = None
    if request.bls_prefix:
        keys = _list(
            s3,
            bucket,
            request.bls_prefix,
            lambda name: fnmatch.fnmatch(name, OEWS_GLOB) or fnmatch.fnmatch(name, EP_GLOB),
        )
        if not keys:
            location = f"s3://{bucket}/{_prefix(request.bls_prefix)}"
            raise _Missing(
                location,
                f"{location}: no OEWS ({OEWS_GLOB}) or Employment Projections ({EP_GLOB}) "
                "CSV; upload the BLS files or leave bls_prefix out",
            )
        bls = _fetch_all(s3, bucket, keys, workdir)
        fetched += keys
    jaat_dir = None
    if request.jaat_prefix:
        keys = _list(s3, bucket, request.jaat_prefix, lambda name: name.endswith(".json"))
        jaat_dir = _fetch_all(s3, bucket, keys, workdir) if keys else workdir / "no-jaat"
        jaat_dir.mkdir(parents=True, exist_ok=True)
        fetched += keys
        if not keys:
            logger.warning("no curated JAAT overrides", extra={"prefix": request.jaat_prefix})
    return archive, bls, jaat_dir, fetched


def _prefix(prefix: str) -> str:
    return prefix if prefix.endswith("/") else prefix + "/"


def _list(s3, bucket: str, prefix: str, wanted: Callable[[str], bool]) -> list[str]:
    """Keys directly under `prefix` (not in sub-folders) whose file name is wanted."""
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=_prefix(prefix), Delimiter="/"
    ):
        keys += [obj["Key"] for obj in page.get("Contents", []) if wanted(PurePosixPath(obj["Key"]).name)]
    return sorted(keys)


def _fetch_all(s3, bucket: str, keys: list[str], workdir: Path) -> Path:
    folder = None
    for key in keys:
        path = _local_path(workdir, bucket, key)
        s3.download_file(bucket, key, str(path))
        folder = path.parent
    assert folder is not None
    return folder


def _local_path(workdir: Path, bucket: str, key: str) -> Path:
    # S3 keys may hold '..' or empty segments; keep the mirror inside the working directory.
    parts = [
        re.sub(r"[^A-Za-z0-9._ -]", "_", p) for p in PurePosixPath(key).parts if p not in ("", ".", "..")
    ]
    path = workdir.joinpath("s3", bucket, *parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# -- results and events ---------------------------------------------------------------------------------------


def _failure(release: str | None, file: str, column: str | None, rule: str, message: str) -> ImportResult:
    result = ImportResult("failed", release, message=message)
    result.report.error(file, None, column, rule, message)
    return result


def _announce(events, detail_type: str, summary: dict, *, source: str | None) -> None:
    """Put one event on the SkillForge bus. The detail keeps the summary and the first problems (EventBridge
    takes 256 KB per entry; the full report is in the result and the log)."""
    detail = {key: value for key, value in summary.items() if key != "validation"}
    validation = summary.get("validation")
    if validation is not None:
        detail["validation"] = {
            **{k: v for k, v in validation.items() if k != "problems"},
            "problems": validation.get("problems", [])[:EVENT_PROBLEMS],
        }
    if source:
        detail["source"] = source
    response = events.put_events(
        Entries=[
            {
                "EventBusName": event_bus(),
                "Source": EVENT_SOURCE,
                "DetailType": detail_type,
                "Detail": json.dumps(detail, default=str),
            }
        ]
    )
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"EventBridge refused the {detail_type} event: {response['Entries']}")
    if detail_type == FAILED:
        # A failed monthly run returns normally (no Errors alarm) and nobody reads its result: tell the operators.
        env = get_settings().require_env()
        _client("sns").publish(
            TopicArn=alerts_topic_arn(),
            Subject=f"SkillForge {env}: O*NET import failed",
            Message=json.dumps(detail, indent=1, default=str),
        )


def alerts_topic_arn() -> str:
    settings = get_settings()
    account = settings.account_id or _client("sts").get_caller_identity()["Account"]
    return f"arn:aws:sns:{settings.aws_region}:{account}:{physical_name(settings.require_env(), 'alerts')}"


def _client(service: str):
    import boto3

    return boto3.client(service)
