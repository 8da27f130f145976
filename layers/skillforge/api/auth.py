"""Who is calling: Cognito claims in AWS, HS256 dev tokens only when SKILLFORGE_ENV=local.

In AWS, API Gateway's Cognito authorizer has already verified the JWT and hands the claims over in
`requestContext.authorizer.claims`; the Lambda never verifies tokens itself, so a dev token is worthless
there. Locally (`skillforge serve`, tests) the same claims come from a token signed with a per-machine key
(`SKILLFORGE_DEV_AUTH_KEY`, else `<SKILLFORGE_HOME>/dev_auth_key`, created on first use).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillforge.api.errors import Forbidden, Unauthorized

ROLES = ("learner", "advisor", "partner_admin", "platform_admin")
DEV_ISSUER = "skillforge-local"
DEV_AUDIENCE = "skillforge-api"
DEV_TOKEN_TTL_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str
    partner_code: str | None = None

    @property
    def tenant(self) -> str:
        """Row-level-security scope for this caller."""
        if self.role == "platform_admin":
            return "*"
        return self.partner_code or "direct"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_local() -> bool:
    from skillforge.config import get_settings

    return get_settings().env == "local"


def dev_key() -> bytes:
    from skillforge.config import get_settings

    settings = get_settings()
    if settings.dev_auth_key:
        return settings.dev_auth_key.encode()
    path = Path(settings.home) / "dev_auth_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def issue_dev_token(
    sub: str,
    role: str,
    partner_code: str | None = None,
    ttl_seconds: int = DEV_TOKEN_TTL_SECONDS,
    key: bytes | None = None,
) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not sub.strip():
        raise ValueError("sub must not be empty")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "custom:role": role,
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if partner_code:
        claims["custom:partner_code"] = partner_code
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(key or dev_key(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def verify_dev_token(token: str, key: bytes | None = None, now: float | None = None) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise Unauthorized("the bearer token is not a JWT")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
        signature = _b64url_decode(parts[2])
    except (ValueError, json.JSONDecodeError) as exc:
        raise Unauthorized("the bearer token is not a JWT") from exc
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise Unauthorized("the bearer token must be signed with HS256 (local dev tokens)")
    expected = hmac.new(key or dev_key(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise Unauthorized("the bearer token's signature is invalid")
    if not isinstance(claims, dict):
        raise Unauthorized("the bearer token has no claims")
    if claims.get("iss") != DEV_ISSUER or claims.get("aud") != DEV_AUDIENCE:
        raise Unauthorized("the bearer token was not issued by `skillforge dev-token`")
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] < (now or time.time()):
        raise Unauthorized("the bearer token has expired")
    return claims


def _principal_from_claims(claims: dict[str, Any]) -> Principal:
    sub, role = claims.get("sub"), claims.get("custom:role")
    if not sub:
        raise Unauthorized("the token has no 'sub' claim")
    if role not in ROLES:
        raise Forbidden(f"the token's 'custom:role' must be one of {', '.join(ROLES)}")
    return Principal(sub=str(sub), role=str(role), partner_code=claims.get("custom:partner_code") or None)


def principal_from_event(event: dict[str, Any]) -> Principal | None:
    """The caller, or None for an anonymous request. Raises Unauthorized for a bad local token."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = authorizer.get("claims")
    if isinstance(claims, dict) and claims.get("sub"):
        return _principal_from_claims(claims)
    if not is_local():
        return None
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    value = headers.get("authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return _principal_from_claims(verify_dev_token(token.strip()))


def require_principal(event: dict[str, Any], roles: Iterable[str] | None = None) -> Principal:
    principal = principal_from_event(event)
    if principal is None:
        raise Unauthorized("this route needs 'Authorization: Bearer <token>'")
    if roles is not None and principal.role not in set(roles):
        raise Forbidden(f"role {principal.role!r} may not use this route")
    return principal
