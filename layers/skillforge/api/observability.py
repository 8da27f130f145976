"""Logger, metrics and tracer of the career API (Powertools; service name from POWERTOOLS_SERVICE_NAME)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "career-api"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="SkillForge", service=SERVICE)
tracer = Tracer(service=SERVICE)
