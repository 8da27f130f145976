"""`partner_tenancy`: the partners whose users SkillForge serves. Every SQL statement on that table lives here."""

from __future__ import annotations

import threading
import time

from skillforge.principal import is_partner_code

STATUS_TTL_SECONDS = 30.0  # how long a process trusts a partner's status (offboarding takes effect within it)

_lock = threading.Lock()
_status: dict[tuple, tuple[float, str | None]] = {}


def status(partner_code: str) -> str | None:
    """'active', 'suspended', 'offboarded', or None when no such partner exists. Read in the partner's own tenant
    scope (row-level security shows a partner its own row only) and cached for a few seconds per process."""
    if not is_partner_code(partner_code):
        return None
    from skillforge.db.connection import TENANT_SETTING
    from skillforge.reference import connection

    key = (connection.target(), partner_code)
    now = time.monotonic()
    hit = _status.get(key)
    if hit is not None and now - hit[0] < STATUS_TTL_SECONDS:
        return hit[1]

    def read(conn):
        with conn.transaction():
            conn.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, partner_code))
            return conn.execute(
                "SELECT status::text AS status FROM partner_tenancy WHERE partner_code = %s", (partner_code,)
            ).fetchone()

    row = connection.run(read)
    value = row["status"] if row else None
    with _lock:
        _status[key] = (now, value)
    return value


def clear_cache() -> None:
    with _lock:
        _status.clear()
