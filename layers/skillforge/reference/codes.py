"""`occupation_codes`: the registry of every O*NET-SOC code any release ever had (people data refers to it).
The importer writes it (skillforge.onet.load); this is the one read of it."""

from __future__ import annotations

from collections.abc import Iterable


def known_occupation_codes(conn, codes: Iterable[str]) -> set[str]:
    """The subset of `codes` that name a registered occupation."""
    wanted = sorted(set(codes))
    if not wanted:
        return set()
    rows = conn.execute(
        "SELECT onet_code FROM occupation_codes WHERE onet_code = ANY(%s)", (wanted,)
    ).fetchall()
    return {r["onet_code"] if isinstance(r, dict) else r[0] for r in rows}
