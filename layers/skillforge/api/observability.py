"""Logger, metrics and tracer of the career API (Powertools).

The X-Ray SDK costs about 250 ms to import (it pulls in botocore), so the tracer exists only where X-Ray
is active: Lambda sets AWS_XRAY_DAEMON_ADDRESS when the function has active tracing. Locally and in tests
there is no tracer, and the handler module imports in well under 400 ms.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics

SERVICE = "career-api"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="SkillForge", service=SERVICE)


def tracing_enabled() -> bool:
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() in ("1", "true", "yes")
    return bool(os.environ.get("AWS_XRAY_DAEMON_ADDRESS")) and not disabled


if tracing_enabled():
    from aws_lambda_powertools import Tracer

    tracer = Tracer(service=SERVICE)
else:
    tracer = None
