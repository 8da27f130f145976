"""Who is calling, once their token has been verified: the roles, and the tenant scope each role may have.

The scope is derived here and nowhere else: a platform admin reads every tenant ('*'); everyone else reads one
tenant, their partner's or 'direct' (users without a partner). No claim can widen it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = ("learner", "advisor", "partner_admin", "platform_admin")
ALL_TENANTS = "*"
DIRECT = "direct"
PARTNER_CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
PARTNER_CODE_RE = re.compile(PARTNER_CODE_PATTERN)


def is_partner_code(value: object) -> bool:
    return isinstance(value, str) and value != DIRECT and PARTNER_CODE_RE.fullmatch(value) is not None


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str
    partner_code: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if self.partner_code is not None and not is_partner_code(self.partner_code):
            raise ValueError("partner_code must be a partner code (a-z, 0-9, '-')")
        if self.role == "partner_admin" and self.partner_code is None:
            raise ValueError("a partner admin belongs to a partner")

    @property
    def is_platform_admin(self) -> bool:
        return self.role == "platform_admin"

    @property
    def tenant(self) -> str:
        """The row-level-security scope of this caller's connections."""
        if self.is_platform_admin:
            return ALL_TENANTS
        return self.partner_code or DIRECT
