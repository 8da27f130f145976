"""POST /v1/xapi/statements (API Gateway REST proxy): see skillforge.api.routes.xapi."""

from skillforge.api.statements import lambda_handler as handler
from skillforge.config import get_settings

get_settings().require_env()  # refuse to start without SKILLFORGE_ENV (cold start, before any request)

__all__ = ["handler"]
