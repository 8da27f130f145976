"""Helpers shared by routes: cacheable JSON responses keyed by release."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response

from skillforge.api import request
from skillforge.api.caching import cache_control, etag_for, if_none_match_matches
from skillforge.api.errors import NotModified

JSON = "application/json"


def cached(
    release, route_key: str, params: dict[str, Any], max_age: int, compute: Callable[[], Any]
) -> Response:
    """200 with ETag/Cache-Control, or 304 without running `compute` when the client's copy is current."""
    etag = etag_for(release, route_key, params)
    headers = {
        "ETag": etag,
        "Cache-Control": cache_control(max_age),
        "X-Onet-Release": release.release,
        "Vary": "Accept-Encoding",
    }
    if if_none_match_matches(request.header("if-none-match"), etag):
        raise NotModified(headers)
    return Response(status_code=200, content_type=JSON, body=compute(), headers=headers)
