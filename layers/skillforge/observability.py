"""Powertools Logger, Metrics and Tracer, configured the same way for every Lambda handler.

The service name comes from POWERTOOLS_SERVICE_NAME (the CDK app sets one per function); `lambda_entry` wraps a
handler with the logger's context (and a correlation id from the event when there is one), the metrics flush
and, where X-Ray is active, the tracer. The X-Ray SDK costs about 250 ms to import (it pulls in botocore), so the
tracer exists only where Lambda runs with active tracing: locally and in tests there is none.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from skillforge.config import get_settings

_settings = get_settings()
logger = Logger(service=_settings.service_name)
metrics = Metrics(namespace=_settings.metrics_namespace, service=_settings.service_name)

if _settings.tracing:
    from aws_lambda_powertools import Tracer

    tracer: Any = Tracer(service=_settings.service_name)
else:
    tracer = None

# With metrics disabled Powertools warns on every flush that there is nothing to publish.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def metrics_enabled() -> bool:
    # Read per call: tests and the local server switch metrics off after import.
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    return not is_metrics_disabled()


def count(name: str, value: int = 1) -> None:
    """Add a Count metric. With metrics disabled (local server, tests, benchmarks) Powertools would still buffer
    every value and print a batch each 100 of them; skip them instead."""
    if value and metrics_enabled():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def lambda_entry(handler: Callable[[Any, Any], Any], *, correlation_id_path: str | None = None) -> Callable:
    """`handler` with Powertools' logger context (never logging the event: it may hold PII), metrics and
    tracing."""
    wrapped = metrics.log_metrics(capture_cold_start_metric=metrics_enabled())(handler)
    if tracer is not None:
        wrapped = tracer.capture_lambda_handler(capture_response=False)(wrapped)
    return logger.inject_lambda_context(correlation_id_path=correlation_id_path, log_event=False)(wrapped)
