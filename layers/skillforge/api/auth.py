"""Who is calling: Cognito claims in AWS, HS256 dev tokens only when SKILLFORGE_ENV=local.

In AWS, API Gateway's Cognito authorizer has already verified the JWT and hands the claims over in
`requestContext.authorizer.claims`; the Lambda never verifies tokens itself, so a dev token is worthless there.
Locally (`skillforge serve`, tests) the same claims come from a token that PyJWT signs and verifies with a
per-machine key (`SKILLFORGE_DEV_AUTH_KEY`, else `<SKILLFORGE_HOME>/dev_auth_key`, created on first use):
HS256 only, `exp`, `nbf`, `iat`, `iss` and `aud` required and checked with a small leeway.

Either way the claims are validated before use (`principal_from_claims`): a known role, a subject, a partner code
of the right shape that names an existing, active partner, and a partner admin always with a partner. The tenant
scope follows from the role alone (skillforge.principal).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jwt

from skillforge.config import get_settings
from skillforge.errors import Forbidden, Unauthenticated
from skillforge.principal import ROLES, Principal, is_partner_code

DEV_ISSUER = "skillforge-local"
DEV_AUDIENCE = "skillforge-api"
DEV_ALGORITHM = "HS256"
DEV_TOKEN_TTL_SECONDS = 12 * 3600
LEEWAY_SECONDS = 30
MAX_TOKEN_LENGTH = 8192  # Cognito ID tokens are ~1-2 KB; anything far bigger is not a token of ours

__all__ = [
    "ROLES",
    "Principal",
    "issue_dev_token",
    "principal_from_event",
    "require_principal",
    "verify_dev_token",
]


def dev_key() -> bytes:
    settings = get_settings()
    if settings.dev_auth_key:
        return settings.dev_auth_key.get_secret_value().encode()
    path = Path(settings.home) / "dev_auth_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def issue_dev_token(
    sub: str,
    role: str,
    partner_code: str | None = None,
    ttl_seconds: int = DEV_TOKEN_TTL_SECONDS,
    key: bytes | None = None,
    *,
    now: float | None = None,
) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not sub.strip():
        raise ValueError("sub must not be empty")
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "custom:role": role,
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
    }
    if partner_code:
        claims["custom:partner_code"] = partner_code
    return jwt.encode(claims, key or dev_key(), algorithm=DEV_ALGORITHM, headers={"typ": "JWT"})


def verify_dev_token(token: str, key: bytes | None = None) -> dict[str, Any]:
    """The claims of a dev token, or Unauthenticated naming what is wrong (never echoing the token)."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated(f"the bearer token is longer than {MAX_TOKEN_LENGTH} characters")
    try:
        return jwt.decode(
            token,
            key or dev_key(),
            algorithms=[DEV_ALGORITHM],
            audience=DEV_AUDIENCE,
            issuer=DEV_ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "nbf", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the bearer token has expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise Unauthenticated("the bearer token is not valid yet (nbf/iat in the future)") from exc
    except (jwt.InvalidIssuerError, jwt.InvalidAudienceError) as exc:
        raise Unauthenticated("the bearer token was not issued by `skillforge dev-token`") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise Unauthenticated(f"the bearer token lacks the {exc.claim!r} claim") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise Unauthenticated("the bearer token must be signed with HS256 (local dev tokens)") from exc
    except jwt.InvalidSignatureError as exc:
        raise Unauthenticated("the bearer token's signature is invalid") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError, RecursionError) as exc:
        raise Unauthenticated("the bearer token is not a well-formed JWT") from exc


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """A Principal from verified claims, or 401/403: the claims are checked before anything uses them."""
    sub, role, partner_code = claims.get("sub"), claims.get("custom:role"), claims.get("custom:partner_code")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > 256:
        raise Unauthenticated("the token's 'sub' claim must be a non-empty string of at most 256 characters")
    if role not in ROLES:
        raise Forbidden(f"the token's 'custom:role' must be one of {', '.join(ROLES)}")
    if partner_code in (None, ""):
        partner_code = None
    elif not is_partner_code(partner_code):
        raise Forbidden("the token's 'custom:partner_code' is not a partner code (a-z, 0-9, '-')")
    if role == "partner_admin" and partner_code is None:
        raise Forbidden("a partner admin's token must name its partner ('custom:partner_code')")
    if role == "platform_admin":
        partner_code = None  # platform administration belongs to no tenant
    if partner_code is not None:
        from skillforge.people import partners

        status = partners.status(partner_code)
        if status is None:
            raise Forbidden(f"partner {partner_code!r} does not exist")
        if status != "active":
            raise Forbidden(f"partner {partner_code!r} is {status}: its tokens are no longer accepted")
    return Principal(sub=sub, role=role, partner_code=partner_code)


def principal_from_event(event: dict[str, Any]) -> Principal | None:
    """The caller, or None for an anonymous request. Raises Unauthenticated for a bad local token."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = authorizer.get("claims")
    if isinstance(claims, dict) and claims.get("sub"):
        return principal_from_claims(claims)
    if not get_settings().is_local:
        return None
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    value = headers.get("authorization")
    if not value:
        return None
    scheme, _, token = str(value).partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return principal_from_claims(verify_dev_token(token.strip()))


def require_principal(event: dict[str, Any], roles: Iterable[str] | None = None) -> Principal:
    principal = principal_from_event(event)
    if principal is None:
        raise Unauthenticated("this route needs 'Authorization: Bearer <token>'")
    if roles is not None and principal.role not in set(roles):
        raise Forbidden(f"role {principal.role!r} may not use this route")
    return principal
