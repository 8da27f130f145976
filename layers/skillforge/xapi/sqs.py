"""Bulk deliveries through SQS: each message body is one statement, a JSON array or JSON Lines; the
optional message attribute `partner_code` names the provider's tenant.

The whole batch is validated and stored in one intake call (fast, one transaction) that keeps the valid
statements; then Powertools' BatchProcessor reports, as partial failures, the messages with a statement
that was not stored (unreadable JSON, invalid statement, rejected instrument, id conflict). SQS retries
those and moves them to the dead-letter queue after the queue's maxReceiveCount; their valid statements
were stored and are no-ops when retried (idempotent by id).
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from skillforge.observability import count, logger

processor = BatchProcessor(event_type=EventType.SQS)
_PARTNER = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class StatementsRejected(Exception):
    """A message with statements that were not stored; the message lists paths and rules, never values."""


def _partner(record: dict) -> str | None:
    attribute = (record.get("messageAttributes") or {}).get("partner_code") or {}
    value = attribute.get("stringValue")
    if value is not None and not _PARTNER.match(value):
        raise ValueError(f"message attribute partner_code {value!r} is not a partner code")
    return value


def ingest_records(records: list[dict], *, url: str | None = None) -> dict[str, str]:
    """Store what can be stored; returns {messageId: reason} for the messages that failed."""
    from skillforge.xapi.payload import PayloadError, parse_statements
    from skillforge.xapi.service import run_intake

    failures: dict[str, str] = {}
    by_partner: dict[str | None, list[tuple[str, Any]]] = {}
    for record in records:
        message_id = record["messageId"]
        try:
            partner = _partner(record)
            statements, _ = parse_statements(record.get("body") or "")
        except (PayloadError, ValueError) as exc:
            failures[message_id] = f"unreadable message: {exc}"
            continue
        by_partner.setdefault(partner, []).extend((message_id, s) for s in statements)
    stored = rejected = 0
    for partner, items in by_partner.items():
        result = run_intake([s for _, s in items], channel="sqs", partner_code=partner, atomic=False, url=url)
        for (message_id, _), outcome in zip(items, result.outcomes):
            stored += outcome.ok
            if not outcome.ok:
                rejected += 1
                reasons = "; ".join(f"{e['path']} {e['rule']}" for e in outcome.errors) or outcome.status
                failures.setdefault(message_id, f"statement {outcome.statement_id or '(no id)'}: {reasons}")
    count("XapiStatementsAccepted", stored)
    count("XapiStatementsRejected", rejected)
    count("XapiMessagesFailed", len(failures))
    if failures:
        logger.warning(
            "xAPI statements not stored", extra={"failed_messages": len(failures), "messages": len(records)}
        )
    return failures


def handle_batch(event: dict, context: Any, *, url: str | None = None) -> PartialItemFailureResponse:
    failures = ingest_records(event.get("Records") or [], url=url)

    def record_handler(record: SQSRecord) -> None:
        reason = failures.get(record.message_id)
        if reason:
            raise StatementsRejected(reason)

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
