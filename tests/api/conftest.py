"""API tests: one database per session with the committed O*NET 29.0 sample imported, and a client that
sends API Gateway proxy events through the real Lambda handler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "onet_29_0_sample"


def import_sample(url: str) -> None:
    """The committed O*NET 29.0 sample, through the real importer."""
    from skillforge.onet.importer import import_release

    result = import_release(SAMPLE, url=url)
    assert result.outcome == "published", result.message


def point_api_at(url: str | None) -> None:
    from skillforge.api.routes.reference import _detail_cache, _search_cache
    from skillforge.matching import matrix, service
    from skillforge.people import partners
    from skillforge.reference import connection, releases

    connection.configure(url)
    releases.clear_cache()
    matrix.clear_cache()
    service.clear_cache()
    partners.clear_cache()
    _detail_cache.clear()
    _search_cache.clear()


@pytest.fixture(autouse=True)
def _no_metrics_output(monkeypatch):
    """No EMF lines in test output (set per test, so other areas' tests see their own environment)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


@pytest.fixture(scope="session")
def api_db_url(db_factory) -> str:
    url = db_factory.new("sf_api")
    import_sample(url)
    import psycopg

    with psycopg.connect(url) as conn:  # partners that tokens may name: one active, one offboarded
        conn.execute(
            "INSERT INTO partner_tenancy (partner_code, name, status, offboarded_at) VALUES "
            "('acme', 'Acme', 'active', NULL), ('gone', 'Gone', 'offboarded', now())"
        )
    return url


@pytest.fixture
def api(api_db_url):
    point_api_at(api_db_url)
    yield Client()
    point_api_at(None)


class Result:
    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self.status = raw["statusCode"]
        headers: dict[str, str] = {}
        for name, values in (raw.get("multiValueHeaders") or {}).items():
            headers[name.lower()] = ", ".join(values)
        for name, value in (raw.get("headers") or {}).items():
            headers[name.lower()] = value
        self.headers = headers
        self.text = raw.get("body") or ""

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    def __repr__(self) -> str:
        return f"<{self.status} {self.text[:300]}>"


class Client:
    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw_body: bytes | None = None,
    ) -> Result:
        from skillforge.api.app import lambda_handler
        from skillforge.api.local_server import LocalContext, to_proxy_event

        payload = (
            raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
        )
        event = to_proxy_event(method, path, {"Content-Type": "application/json", **(headers or {})}, payload)
        return Result(lambda_handler(event, LocalContext()))

    def get(self, path: str, **kw) -> Result:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw) -> Result:
        return self.request("POST", path, body, **kw)


def assert_error(result: Result, status: int, code: str, field: str | None = None) -> dict:
    assert result.status == status, result
    body = result.json
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    if field is not None:
        assert any(d.get("field") == field for d in body["error"]["details"]), body
    return body["error"]
