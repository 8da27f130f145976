"""POST /v1/xapi/statements through the Powertools resolver and the Lambda handler (API Gateway events)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import uuid
from pathlib import Path

import psycopg
import pytest

from skillforge.api import statements
from tests.xapi.conftest import IP_SHA256
from tests.xapi.statements import interest_profiler, minimal

ROOT = Path(__file__).resolve().parents[2]


def event(
    body,
    *,
    version="1.0.3",
    content_type="application/json",
    role="partner_admin",
    partner="acme-careers",
    base64_body=False,
    extra_headers=None,
) -> dict:
    headers = {"Content-Type": content_type, **(extra_headers or {})}
    if version is not None:
        headers["X-Experience-API-Version"] = version
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode() if base64_body else body.decode()
    claims = {"sub": "provider-1", "custom:role": role}
    if partner:
        claims["custom:partner_code"] = partner
    return {
        "httpMethod": "POST",
        "path": "/v1/xapi/statements",
        "resource": "/v1/xapi/statements",
        "headers": headers,
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "body": body,
        "isBase64Encoded": base64_body,
        "requestContext": {"authorizer": {"claims": claims}, "requestId": "r-1", "stage": "test"},
    }


class LambdaContext:
    function_name, memory_limit_in_mb, aws_request_id = "xapi", 512, "req-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:xapi"


def call(evt) -> tuple[int, object, dict]:
    response = statements.lambda_handler(evt, LambdaContext())
    headers = dict(response.get("headers") or {})
    headers.update({k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()})
    return response["statusCode"], json.loads(response["body"]), headers


def ip(**kwargs):
    return interest_profiler(checksum=IP_SHA256, **kwargs)


def stored_count(url) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM xapi_statements").fetchone()[0]


def test_single_statement_and_batch_return_ids(db_env):
    one = ip()
    status, body, headers = call(event(one))
    assert status == 200 and body == [one["id"]]
    assert headers["X-Experience-API-Version"] == "1.0.3"
    batch = [ip(), ip()]
    del batch[1]["id"]
    status, body, _ = call(event(batch))
    assert status == 200 and body[0] == batch[0]["id"] and uuid.UUID(body[1])
    status, body, _ = call(event([one]))  # same id, same content: no-op
    assert status == 200 and body == [one["id"]]
    assert stored_count(db_env) == 3


def test_conflict_is_409(db_env):
    one = ip()
    call(event(one))
    changed = {**one, "timestamp": "2026-11-21T10:15:00Z"}
    status, body, _ = call(event([ip(), changed]))
    assert status == 409 and body["error"]["code"] == "conflict"
    assert body["error"]["details"][0] == {
        "field": "body[1].id",
        "rule": "statement.conflict",
        "message": body["error"]["details"][0]["message"],
    }
    assert stored_count(db_env) == 1


def test_invalid_statement_rejects_the_whole_batch(db_env):
    bad = ip()
    bad["verb"]["display"] = {"en_US": "completed"}
    status, body, _ = call(event([ip(), bad]))
    assert status == 400 and body["error"]["code"] == "invalid_statement"
    assert {"field": "body[1].verb.display.en_US", "rule": "language-tag"} in [
        {k: d[k] for k in ("field", "rule")} for d in body["error"]["details"]
    ]
    assert stored_count(db_env) == 0


def test_instrument_mismatch_is_a_clear_400(db_env):
    status, body, _ = call(event(interest_profiler(checksum="0" * 64)))
    assert status == 400
    (detail,) = body["error"]["details"]
    assert detail["rule"] == "instrument.checksum-mismatch" and "SHA-256" in detail["message"]


@pytest.mark.parametrize(
    "kwargs, body, rule",
    [
        ({"version": None}, None, "required"),
        ({"version": "2.0.0"}, None, "version"),
        ({"version": "1.1"}, None, "version"),
        ({}, b"{not json", "malformed"),
        ({}, b'{"a": NaN}', "malformed"),
        ({}, b"", "required"),
        ({}, b"[]", "required"),
        ({"content_type": "text/plain"}, None, "media_type"),
        ({"content_type": "multipart/mixed"}, None, "multipart"),
        # xAPI Data 2.2: a property appears at most once (json would silently keep the last "actor").
        (
            {},
            (
                b'{"actor": {"mbox": "mailto:a@example.com"}, "actor": {"mbox": "mailto:b@example.com"}, '
                b'"verb": {"id": "http://x.example/v"}, "object": {"id": "http://x.example/a"}}'
            ),
            "malformed",
        ),
    ],
)
def test_bad_requests_are_400_with_a_reason(db_env, kwargs, body, rule):
    status, response, _ = call(event(body if body is not None else ip(), **kwargs))
    assert status == 400, response
    assert response["error"]["code"] == "bad_request" and response["error"]["message"]
    assert response["error"]["details"][0]["rule"] == rule


def test_body_over_the_limit(db_env, monkeypatch):
    monkeypatch.setenv("SKILLFORGE_XAPI_MAX_BODY_BYTES", "1024")
    status, body, _ = call(event([ip() for _ in range(5)]))
    assert status == 400 and body["error"]["details"][0]["rule"] == "max_size"


def test_roles(db_env):
    status, body, _ = call(event(ip(), role="learner"))
    assert status == 403 and body["error"]["code"] == "forbidden"
    evt = event(ip())
    evt["requestContext"] = {}
    from skillforge.config import get_settings

    assert get_settings().env == "local"
    status, body, _ = call(evt)
    assert status == 401


def multipart(statements, parts: list[tuple[bytes, str]], boundary="abcABC0123") -> tuple[bytes, str]:
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode() + json.dumps(statements).encode()
    ]
    for data, claimed in parts:
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {claimed}\r\n\r\n".encode()
            + data
        )
    body = b"\r\n".join(chunks) + f"\r\n--{boundary}--\r\n".encode()
    return body, f'multipart/mixed; boundary="{boundary}"'


def with_attachment(data: bytes) -> dict:
    statement = ip()
    statement["attachments"] = [
        {
            "usageType": "https://skillforge.example/xapi/attachments/report",
            "display": {"en-US": "Score report"},
            "contentType": "application/pdf",
            "length": len(data),
            "sha2": hashlib.sha256(data).hexdigest(),
        }
    ]
    return statement


def test_multipart_attachments_are_checked_against_sha2(db_env):
    data = b"%PDF-1.4\r\n\x00\x01binary\r\n--not-a-boundary\r\n"
    statement = with_attachment(data)
    body, content_type = multipart(statement, [(data, hashlib.sha256(data).hexdigest())])
    status, response, _ = call(event(body, content_type=content_type, base64_body=True))
    assert status == 200, response

    tampered, content_type = multipart(
        with_attachment(data), [(data + b"x", hashlib.sha256(data).hexdigest())]
    )
    status, response, _ = call(event(tampered, content_type=content_type, base64_body=True))
    assert status == 400 and "does not match" in response["error"]["message"]

    missing, content_type = multipart(with_attachment(data), [])
    status, response, _ = call(event(missing, content_type=content_type, base64_body=True))
    assert status == 400 and response["error"]["details"][0]["rule"] == "attachment.payload-missing"

    stray = b"unreferenced"
    extra, content_type = multipart(ip(), [(stray, hashlib.sha256(stray).hexdigest())])
    status, response, _ = call(event(extra, content_type=content_type, base64_body=True))
    assert status == 400 and response["error"]["details"][0]["rule"] == "attachment"


def test_json_body_with_attachment_needing_payload_is_rejected(db_env):
    status, body, _ = call(event(with_attachment(b"abc")))
    assert status == 400 and body["error"]["details"][0]["rule"] == "attachment.payload-missing"


def test_plain_activity_statement_is_not_an_assessment(db_env):
    status, body, _ = call(event(minimal()))
    assert status == 400 and body["error"]["details"][0]["rule"] == "instrument.unknown"


def test_lambda_handler_module(db_env):
    spec = importlib.util.spec_from_file_location(
        "xapi_api_handler", ROOT / "functions" / "xapi_api" / "handler.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class Context:
        function_name, memory_limit_in_mb, aws_request_id = "xapi", 512, "req-1"
        invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:xapi"

    one = ip()
    response = module.handler(event(one), Context())
    assert response["statusCode"] == 200 and json.loads(response["body"]) == [one["id"]]


def test_voiding_another_partners_statement_is_403(db_env):
    from tests.xapi.statements import voiding

    target = ip()
    assert call(event(target, partner="other-org"))[0] == 200
    status, body, headers = call(event(voiding(target["id"])))
    assert status == 403 and body["error"]["details"][0]["rule"] == "voiding.forbidden"
    assert headers["X-Experience-API-Consistent-Through"].endswith("Z")
    status, body, _ = call(event(voiding(target["id"]), partner="other-org"))
    assert status == 200


def test_a_voiding_statement_cannot_pre_void_another_tenants_future_statement(db_env):
    from tests.xapi.statements import voiding

    target = ip()
    assert call(event(voiding(target["id"])))[0] == 200  # acme-careers voids an id it has not seen yet
    assert call(event(target, partner="other-org"))[0] == 200
    with psycopg.connect(db_env) as conn:
        status = conn.execute(
            "SELECT status FROM xapi_statements WHERE statement_id = %s", (target["id"],)
        ).fetchone()
        assessment = conn.execute(
            "SELECT status FROM assessments WHERE statement_id = %s", (target["id"],)
        ).fetchone()
    assert status[0] == "pending_user" and assessment[0] == "pending_user"  # other-org's statement stands


SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def b64url(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def signed(statement: dict, *, alg="RS256", payload=None, token=None) -> tuple[bytes, str]:
    """A multipart request with a signed statement (xAPI Data 2.6); the JWS signature bytes are not a real
    RSA signature: without an x5c certificate in the header the LRS checks structure, algorithm and payload."""
    statement.setdefault("id", str(uuid.uuid4()))
    jws = (
        token
        if token is not None
        else ".".join(
            [
                b64url({"alg": alg, "typ": "JWT"}),
                b64url(payload if payload is not None else statement),
                b64url(b"\x01" * 256),
            ]
        ).encode()
    )
    statement = {
        **statement,
        "attachments": [
            {
                "usageType": SIGNATURE,
                "display": {"en-US": "JWS signature"},
                "contentType": "application/octet-stream",
                "length": len(jws),
                "sha2": hashlib.sha256(jws).hexdigest(),
            }
        ],
    }
    return multipart(statement, [(jws, hashlib.sha256(jws).hexdigest())])


def test_signed_statement_is_accepted(db_env):
    body, content_type = signed(ip())
    status, response, _ = call(event(body, content_type=content_type, base64_body=True))
    assert status == 200, response


@pytest.mark.parametrize(
    "kwargs, rule",
    [
        ({"alg": "HS256"}, "signature.algorithm"),
        ({"alg": "none"}, "signature.algorithm"),
        ({"token": b"not-a-jws"}, "signature.jws"),
        ({"token": b"e30.e30"}, "signature.jws"),
        ({"payload": [1, 2]}, "signature.payload"),
        (
            {"payload": {**minimal(), "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}},
            "signature.payload",
        ),
    ],
)
def test_malformed_signatures_are_400(db_env, kwargs, rule):
    body, content_type = signed(ip(), **kwargs)
    status, response, _ = call(event(body, content_type=content_type, base64_body=True))
    assert status == 400, response
    assert rule in {d["rule"] for d in response["error"]["details"]}
    assert stored_count(db_env) == 0


def test_signature_payload_with_another_id_is_400(db_env):
    statement = ip()
    statement["id"] = str(uuid.uuid4())
    body, content_type = signed(statement, payload={**statement, "id": str(uuid.uuid4())})
    status, response, _ = call(event(body, content_type=content_type, base64_body=True))
    assert status == 400 and response["error"]["details"][0]["rule"] == "signature.payload"


def _certificate_and_key():
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "provider.example")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode(), key


@pytest.mark.parametrize(
    "alg, tamper, rule", [("RS256", False, None), ("RS512", False, None), ("RS256", True, "signature.x509")]
)
def test_signature_with_x509_certificate_is_verified(db_env, alg, tamper, rule):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    der, key = _certificate_and_key()
    statement = ip()
    statement["id"] = str(uuid.uuid4())
    signing_input = f"{b64url({'alg': alg, 'x5c': [der]})}.{b64url(statement)}"
    digest = {"RS256": hashes.SHA256, "RS512": hashes.SHA512}[alg]()
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), digest)
    if tamper:
        signature = bytes([signature[0] ^ 1]) + signature[1:]
    body, content_type = signed(statement, token=f"{signing_input}.{b64url(signature)}".encode())
    status, response, _ = call(event(body, content_type=content_type, base64_body=True))
    if rule is None:
        assert status == 200, response
    else:
        assert status == 400 and response["error"]["details"][0]["rule"] == rule
        assert "does not verify" in response["error"]["details"][0]["message"]


def test_signature_with_an_unreadable_certificate_is_400(db_env):
    statement = {**ip(), "id": str(uuid.uuid4())}
    body, content_type = signed(
        statement,
        token=".".join(
            [b64url({"alg": "RS256", "x5c": ["bm90IGEgY2VydA=="]}), b64url(statement), b64url(b"\x01" * 256)]
        ).encode(),
    )
    status, response, _ = call(event(body, content_type=content_type, base64_body=True))
    assert status == 400 and [d["rule"] for d in response["error"]["details"]] == ["signature.x509"]


def test_post_statements_through_skillforge_serve_over_real_http(db_env):
    """The local whole API (career + xAPI) answers a successful POST with 200 and the ids, not a 500 after the
    commit; errors carry the LRS headers too."""
    import threading
    import urllib.error
    import urllib.request

    from skillforge.api.auth import issue_dev_token
    from skillforge.api.local_server import make_server

    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1/xapi/statements"
    token = issue_dev_token("provider-1", "partner_admin", "acme-careers")

    def post(body):
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Experience-API-Version": "1.0.3",
                "Authorization": f"Bearer {token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read()), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read()), dict(err.headers)

    try:
        one = ip()
        status, body, headers = post(one)
        assert (status, body) == (200, [one["id"]]) and headers["X-Experience-API-Version"] == "1.0.3"
        assert stored_count(db_env) == 1
        status, body, headers = post(minimal())
        assert status == 400 and body["error"]["code"] == "invalid_statement"
        assert headers["X-Experience-API-Version"] == "1.0.3"
    finally:
        server.shutdown()
        server.server_close()


def test_a_lone_surrogate_over_real_http_is_a_400_with_path_and_rule(db_env):
    import threading
    import urllib.error
    import urllib.request

    from skillforge.api.auth import issue_dev_token
    from skillforge.api.local_server import make_server

    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    statement = ip()
    statement["actor"]["name"] = "PLACEHOLDER"
    raw = json.dumps(statement).replace("PLACEHOLDER", "before\\udc80after").encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.server_address[1]}/v1/xapi/statements",
        data=raw,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": "1.0.3",
            "Authorization": f"Bearer {issue_dev_token('provider-1', 'partner_admin', 'acme-careers')}",
        },
    )
    try:
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=30)
        assert raised.value.code == 400
        body = json.loads(raised.value.read())
        assert [(d["field"], d["rule"]) for d in body["error"]["details"]] == [
            ("body.actor.name", "string.unicode")
        ]
        assert stored_count(db_env) == 0
    finally:
        server.shutdown()
        server.server_close()
