"""`skillforge serve`: the career API handler behind a local HTTP server.

Each HTTP request becomes an API Gateway REST proxy event (v1 payload, with multi-value headers and query
strings) and goes through the same `lambda_handler` as in AWS; the proxy response becomes the HTTP reply.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# API Gateway's payload limit (a REST API refuses bigger requests before any Lambda runs).
MAX_BODY_BYTES = 10 * 1024 * 1024
JSON_HEADERS = {"Content-Type": "application/json"}


def _error(status: int, code: str, message: str, field: str, rule: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "error": {
            "code": code,
            "message": message,
            "details": [{"field": field, "rule": rule, "message": message}],
        }
    }


def _content_length(headers) -> tuple[int, tuple[int, dict[str, Any]] | None]:
    """The body length the client announced, or the error reply: a length that is not a non-negative decimal
    integer (or disagrees with a second Content-Length), a chunked body (API Gateway needs the length), or a
    body over the payload limit."""
    if headers.get("Transfer-Encoding"):
        return 0, _error(
            411,
            "length_required",
            "send the body with a Content-Length (no Transfer-Encoding)",
            "header.Transfer-Encoding",
            "unsupported",
        )
    values = {v.strip() for v in headers.get_all("Content-Length") or []}
    if not values:
        return 0, None
    value = values.pop()
    if values or not value.isascii() or not value.isdigit() or len(value) > 12:
        return 0, _error(
            400,
            "bad_request",
            "Content-Length must be one non-negative decimal integer",
            "header.Content-Length",
            "integer",
        )
    length = int(value)
    if length > MAX_BODY_BYTES:
        return 0, _error(
            413,
            "payload_too_large",
            f"the body is over {MAX_BODY_BYTES} bytes",
            "header.Content-Length",
            "max_size",
        )
    return length, None


@dataclass
class LocalContext:
    """The parts of the Lambda context object that Powertools reads."""

    function_name: str = "career-api-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:career-api-local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/career-api-local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def to_proxy_event(
    method: str,
    raw_path: str,
    headers: dict[str, str] | list[tuple[str, str]],
    body: bytes | None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    parts = urlsplit(raw_path)
    header_pairs = list(headers.items()) if isinstance(headers, dict) else list(headers)
    multi_headers: dict[str, list[str]] = {}
    for name, value in header_pairs:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)
    text_body, is_b64 = None, False
    if body:
        try:
            text_body = body.decode("utf-8")
        except UnicodeDecodeError:
            text_body, is_b64 = base64.b64encode(body).decode(), True
    request_id = str(uuid.uuid4())
    return {
        "resource": parts.path,
        "path": parts.path,
        "httpMethod": method.upper(),
        "headers": {k: v[-1] for k, v in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": parts.path,
            "httpMethod": method.upper(),
            "path": parts.path,
            "stage": "local",
            "requestId": request_id,
            "accountId": "000000000000",
            "identity": {"sourceIp": source_ip, "userAgent": dict(header_pairs).get("User-Agent")},
            "requestTimeEpoch": int(time.time() * 1000),
        },
        "body": text_body,
        "isBase64Encoded": is_b64,
    }


def make_handler_class(handler: Callable[[dict, Any], dict]):
    # The resolver keeps per-request state on itself (as Lambda allows: one request per instance at a time),
    # so the server hands it one request at a time, like a single warm Lambda instance. HTTP parsing and
    # slow clients still run in parallel threads.
    one_at_a_time = threading.Lock()

    class ProxyRequestHandler(BaseHTTPRequestHandler):
        server_version = "SkillForgeLocal/1"
        protocol_version = "HTTP/1.1"

        def _dispatch(self) -> None:
            length, problem = _content_length(self.headers)
            if problem is not None:
                self._reply(problem[0], JSON_HEADERS, json.dumps(problem[1]).encode())
                self.close_connection = True  # the body, if any, was not read: the stream is unusable
                return
            body = self.rfile.read(length) if length else None
            event = to_proxy_event(
                self.command, self.path, list(self.headers.items()), body, self.client_address[0]
            )
            with one_at_a_time:
                result = handler(event, LocalContext())
            headers: dict[str, str] = {}
            for name, values in (result.get("multiValueHeaders") or {}).items():
                headers[name] = ", ".join(values)
            headers.update(result.get("headers") or {})
            raw = result.get("body") or ""
            payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
            self._reply(int(result.get("statusCode", 500)), headers, payload)

        def _reply(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if status != 304 and self.command != "HEAD":
                self.wfile.write(payload)

        def __getattr__(self, name: str):
            # Every method (also TRACE, QUERY, ...) goes to the resolver, which answers like API Gateway.
            if name.startswith("do_"):
                return self._dispatch
            raise AttributeError(name)

        def log_message(self, format: str, *args) -> None:
            pass

    return ProxyRequestHandler


def make_server(
    host: str = "127.0.0.1", port: int = 8080, handler: Callable | None = None
) -> ThreadingHTTPServer:
    if handler is None:
        from skillforge.api.app import lambda_handler

        handler = lambda_handler
    server = ThreadingHTTPServer((host, port), make_handler_class(handler))
    server.daemon_threads = True
    return server
