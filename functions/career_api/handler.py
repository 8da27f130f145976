"""Career API Lambda: API Gateway REST proxy events -> the career resolver in the skillforge layer."""

from skillforge.api.career import lambda_handler as handler
from skillforge.config import get_settings

get_settings().require_env()  # refuse to start without SKILLFORGE_ENV (cold start, before any request)

__all__ = ["handler"]
