"""Career API Lambda: API Gateway REST proxy events -> the Powertools resolver in the skillforge layer."""

from skillforge.api.app import lambda_handler as handler

__all__ = ["handler"]
