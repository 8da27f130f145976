"""Request limits of the public API: one number each, enforced twice from here.

The application's request models (`skillforge.api.models`, the route parameters) and API Gateway's request
models in the CDK app (`infra/skillforge_infra/api_stack.py`) both import these, so the gateway never lets
through, or refuses, what the application would not. docs/LIMITS.md lists every limit of the system with the
constant it comes from (tests/test_limits_doc.py keeps the two in step). Nothing here imports anything.
"""

from __future__ import annotations

MAX_QUERY_LENGTH = 200  # characters of a free-text query (`q`, a skill `name`)
MAX_PAGE = 100  # items per page (`limit` of searches and of /v1/match)
DEFAULT_PAGE = 20  # `limit` when omitted
MAX_MATCH_SKILLS = 200  # skills in one /v1/match or gap-analysis body
