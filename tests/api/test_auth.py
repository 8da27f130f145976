"""Bearer auth: Cognito claims from the authorizer in AWS; HS256 dev tokens only when SKILLFORGE_ENV=local."""

import time

import pytest

from skillforge.api.auth import LEEWAY_SECONDS, issue_dev_token, verify_dev_token
from skillforge.errors import Unauthenticated
from tests.api.conftest import assert_error


@pytest.fixture
def env(monkeypatch):
    from skillforge.config import get_settings

    def set_env(value: str):
        monkeypatch.setenv("SKILLFORGE_ENV", value)
        get_settings.cache_clear()

    yield set_env
    get_settings.cache_clear()


def test_dev_token_round_trip(api):
    token = issue_dev_token("user-1", "partner_admin", "acme")
    body = api.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert body == {"sub": "user-1", "role": "partner_admin", "partner_code": "acme", "tenant": "acme"}


def test_missing_tampered_expired_and_foreign_tokens_are_401(api):
    assert_error(api.get("/v1/me"), 401, "unauthorized")
    token = issue_dev_token("user-1", "learner")
    header, _payload, signature = token.split(".")
    forged = issue_dev_token("user-1", "platform_admin", key=b"someone else's key, long enough for HS256")
    for bad in (f"{header}.{forged.split('.')[1]}.{signature}", forged, "not-a-jwt", token + "x"):
        result = api.get("/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert_error(result, 401, "unauthorized")
        assert result.headers["www-authenticate"].startswith("Bearer")
    expired = issue_dev_token("user-1", "learner", ttl_seconds=-(LEEWAY_SECONDS + 5))  # past the leeway
    assert_error(api.get("/v1/me", headers={"Authorization": f"Bearer {expired}"}), 401, "unauthorized")
    assert_error(api.get("/v1/me", headers={"Authorization": f"Basic {token}"}), 401, "unauthorized")


def test_alg_none_is_refused():
    import base64
    import json

    def b64(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    token = f"{b64({'alg': 'none'})}.{b64({'sub': 'x', 'custom:role': 'platform_admin'})}."
    with pytest.raises(Unauthenticated):
        verify_dev_token(token)
    assert verify_dev_token(issue_dev_token("a", "advisor"))["custom:role"] == "advisor"
    with pytest.raises(Unauthenticated):
        verify_dev_token(issue_dev_token("a", "advisor", now=time.time() - 13 * 3600))


def test_claims_are_validated_before_use(api):
    """A partner code must have the right shape and name an existing, active partner; a partner admin always
    has one; nobody but a platform admin reaches the all-tenants scope, whatever the token says."""

    def me(token):
        return api.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert_error(me(issue_dev_token("u", "learner", "nope")), 403, "forbidden")
    assert_error(me(issue_dev_token("u", "partner_admin", "gone")), 403, "forbidden")
    assert_error(me(issue_dev_token("u", "partner_admin")), 403, "forbidden")
    for scope in ("*", "direct", "ACME", "a", "acme;drop"):
        assert_error(me(issue_dev_token("u", "partner_admin", scope)), 403, "forbidden")
        assert_error(me(issue_dev_token("u", "learner", scope)), 403, "forbidden")
    assert me(issue_dev_token("u", "learner")).json["tenant"] == "direct"
    assert me(issue_dev_token("u", "platform_admin", "acme")).json == {
        "sub": "u",
        "role": "platform_admin",
        "partner_code": None,
        "tenant": "*",
    }


def test_token_time_claims_are_required_and_checked(api):
    import jwt

    from skillforge.api.auth import DEV_AUDIENCE, DEV_ISSUER, dev_key

    now = int(time.time())
    base = {"sub": "u", "custom:role": "learner", "iss": DEV_ISSUER, "aud": DEV_AUDIENCE}
    cases = {
        "no exp": {**base, "iat": now, "nbf": now},
        "no nbf": {**base, "iat": now, "exp": now + 60},
        "no iat": {**base, "nbf": now, "exp": now + 60},
        "not yet valid": {**base, "iat": now, "nbf": now + 3600, "exp": now + 7200},
        "wrong audience": {**base, "aud": "someone-else", "iat": now, "nbf": now, "exp": now + 60},
        "wrong issuer": {**base, "iss": "evil", "iat": now, "nbf": now, "exp": now + 60},
    }
    for name, claims in cases.items():
        token = jwt.encode(claims, dev_key(), algorithm="HS256")
        (
            assert_error(
                api.get("/v1/me", headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized"
            ),
            name,
        )
    skewed = jwt.encode(
        {**base, "iat": now + 10, "nbf": now + 10, "exp": now + 60}, dev_key(), algorithm="HS256"
    )
    assert api.get("/v1/me", headers={"Authorization": f"Bearer {skewed}"}).status == 200  # within the leeway


def test_crafted_tokens_are_401_not_500(api):
    import base64

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    good = issue_dev_token("u", "learner")
    header, payload, signature = good.split(".")
    crafted = [
        b64(b"[" * 30000) + "." + payload + "." + signature,  # deeply nested header
        b64(b'{"alg":"HS256"}') + "." + b64(b"[" * 3000) + "." + signature,
        header + "=." + payload + "." + signature,  # padding is not base64url
        header + "." + payload + "." + signature + "!",
        "e30." * 2 + "e30",
        ".".join([header, payload, signature, "extra"]),
        "\u0000." + payload + "." + signature,
        good.replace(".", ".%", 1),
        "x" * 100_000,
    ]
    for token in crafted:
        result = api.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(result, 401, "unauthorized")


def test_dev_tokens_are_worthless_outside_local(api, env):
    token = issue_dev_token("user-1", "platform_admin")
    env("prod")
    assert_error(api.get("/v1/me", headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized")


def test_cognito_claims_from_the_authorizer(api, api_db_url, env):
    from skillforge.api.app import lambda_handler
    from skillforge.api.local_server import LocalContext, to_proxy_event
    from tests.api.conftest import point_api_at
    from tests.conftest import login_url

    env("prod")  # outside local mode the API must not run as a superuser session: log in as the app role
    point_api_at(login_url(api_db_url, "skillforge_app"))
    event = to_proxy_event("GET", "/v1/me", {}, None)
    event["requestContext"]["authorizer"] = {
        "claims": {"sub": "abc", "custom:role": "advisor", "custom:partner_code": "acme"}
    }
    result = lambda_handler(event, LocalContext())
    assert result["statusCode"] == 200 and '"tenant":"acme"' in result["body"].replace(" ", "")
    event["requestContext"]["authorizer"] = {"claims": {"sub": "abc", "custom:role": "root"}}
    assert lambda_handler(event, LocalContext())["statusCode"] == 403
    # Cognito claims get the same checks as dev tokens: no unknown or offboarded partner, no widened scope.
    for claims in (
        {"sub": "abc", "custom:role": "learner", "custom:partner_code": "gone"},
        {"sub": "abc", "custom:role": "learner", "custom:partner_code": "*"},
        {"sub": "abc", "custom:role": "partner_admin"},
    ):
        event["requestContext"]["authorizer"] = {"claims": claims}
        assert lambda_handler(event, LocalContext())["statusCode"] == 403, claims


def test_dev_token_command_prints_only_the_token(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from skillforge.cli import app
    from skillforge.config import get_settings

    monkeypatch.setenv("SKILLFORGE_HOME", str(tmp_path))
    monkeypatch.delenv("SKILLFORGE_DEV_AUTH_KEY", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app, ["dev-token", "--sub", "u-9", "--role", "advisor", "--partner", "acme"]
        )
        assert result.exit_code == 0, result.output
        token = result.stdout.strip()
        assert result.stdout == token + "\n" and token.count(".") == 2
        claims = verify_dev_token(token)
        assert (claims["sub"], claims["custom:role"], claims["custom:partner_code"]) == (
            "u-9",
            "advisor",
            "acme",
        )
        assert (tmp_path / "dev_auth_key").stat().st_mode & 0o077 == 0
        bad = CliRunner().invoke(app, ["dev-token", "--sub", "u", "--role", "king"])
        assert bad.exit_code == 2 and "--role" in bad.output
    finally:
        get_settings.cache_clear()
