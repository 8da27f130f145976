"""All SQL on `xapi_statements` and the assessments intake creates from them.

Every function runs on a connection scoped to the provider's tenant (row-level security), and every write
also names the tenant (`partner_code IS NOT DISTINCT FROM %s`): a statement of another tenant is never
touched, whatever scope a caller's connection has. `partner_code` None is the 'direct' tenant.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any


def stored_statements(conn, ids: Sequence[str]) -> dict[str, dict]:
    """{statement_id: row} of the ids already stored (visible to the tenant)."""
    return {
        str(r["statement_id"]): r
        for r in conn.execute(
            "SELECT statement_id, content_sha256, verb_id, status, partner_code FROM xapi_statements "
            "WHERE statement_id = ANY(%s::uuid[])",
            (list(ids),),
        ).fetchall()
    }


def content_hashes(conn, ids: Sequence[str]) -> dict[str, str]:
    return {
        str(r["statement_id"]): r["content_sha256"]
        for r in conn.execute(
            "SELECT statement_id, content_sha256 FROM xapi_statements WHERE statement_id = ANY(%s::uuid[])",
            (list(ids),),
        ).fetchall()
    }


def ids_of_other_tenants(conn, ids: Sequence[str], partner_code: str | None) -> set[str]:
    """Which of `ids` another tenant stored (ids are global: a conflict would reveal as much); ids only."""
    if not ids:
        return set()
    return {
        str(r["id"])
        for r in conn.execute(
            "SELECT id FROM sf_xapi_statements_of_other_tenants(%s::uuid[], %s) AS id",
            (list(ids), partner_code or "direct"),
        )
    }


def find_users(
    conn, partner_code: str | None, email_hashes: Sequence[bytes], ref_hashes: Sequence[bytes]
) -> tuple[dict[bytes, str], dict[bytes, str]]:
    """Live users of the tenant by email blind index and by external_ref blind index: ({hash: id}, {hash: id})."""
    rows = conn.execute(
        "SELECT id::text AS id, email_hash, external_ref_hash FROM users WHERE deleted_at IS NULL "
        "AND partner_code IS NOT DISTINCT FROM %s AND (email_hash = ANY(%s) OR external_ref_hash = ANY(%s))",
        (partner_code, list(email_hashes), list(ref_hashes)),
    ).fetchall()
    by_email = {bytes(r["email_hash"]): r["id"] for r in rows if r["email_hash"] is not None}
    by_ref = {bytes(r["external_ref_hash"]): r["id"] for r in rows if r["external_ref_hash"] is not None}
    return by_email, by_ref


def voiders_of(conn, ids: Sequence[str], partner_code: str | None) -> dict[str, str]:
    """{target id: voiding statement id} for voiding statements of the tenant stored before their target."""
    return {
        str(r["voids_statement_id"]): str(r["statement_id"])
        for r in conn.execute(
            "SELECT statement_id, voids_statement_id FROM xapi_statements "
            "WHERE voids_statement_id = ANY(%s::uuid[]) AND partner_code IS NOT DISTINCT FROM %s",
            (list(ids), partner_code),
        ).fetchall()
    }


STATEMENT_COLUMNS = (
    "statement_id, content_sha256, statement_ciphertext, actor_hash, partner_code, verb_id, user_id, status, "
    "voided_by, source, voids_statement_id"
)


def insert_statements(conn, rows: list[tuple]) -> set[str]:
    """Insert rows of STATEMENT_COLUMNS; returns the ids inserted (an id stored meanwhile is skipped)."""
    return {
        str(r["statement_id"])
        for r in conn.execute(
            f"INSERT INTO xapi_statements ({STATEMENT_COLUMNS}) "
            "SELECT * FROM unnest(%s::uuid[], %s::text[], %s::bytea[], %s::bytea[], %s::text[], %s::text[], "
            "%s::uuid[], %s::statement_status[], %s::uuid[], %s::text[], %s::uuid[]) "
            "ON CONFLICT (statement_id) DO NOTHING RETURNING statement_id",
            [list(column) for column in zip(*rows)],
        ).fetchall()
    }


ASSESSMENT_COLUMNS = (
    "user_id, assessment_type, assessment_version, instrument_id, administered_at, completed_at, scores, source, "
    "statement_id, status, recommended_onet_code, recommended_pathway_id, recommendations"
)


def insert_assessments(conn, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of ASSESSMENT_COLUMNS (scores and recommendations as JSON text)."""
    conn.execute(
        f"INSERT INTO assessments ({ASSESSMENT_COLUMNS}) "
        "SELECT u, t::assessment_type, v, i, a, c, s::jsonb, src, sid, st::assessment_status, rc, rp, r::jsonb "
        "FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::uuid[], %s::timestamptz[], %s::timestamptz[], "
        "%s::text[], %s::text[], %s::uuid[], %s::text[], %s::text[], %s::uuid[], %s::text[]) "
        "AS x(u, t, v, i, a, c, s, src, sid, st, rc, rp, r) ON CONFLICT (statement_id) DO NOTHING",
        [list(column) for column in zip(*rows)],
    )


def apply_voids(
    conn, targets: Sequence[str], voiders: Sequence[str], partner_code: str | None, voided_verb: str
) -> None:
    """Mark the tenant's targets voided and withdraw their assessments (a pending one has no owner yet: gone)."""
    conn.execute(
        "UPDATE xapi_statements x SET status = 'voided', voided_by = v.voider FROM unnest(%s::uuid[], %s::uuid[]) "
        "AS v(target, voider) WHERE x.statement_id = v.target AND x.verb_id <> %s "
        "AND x.partner_code IS NOT DISTINCT FROM %s",
        (list(targets), list(voiders), voided_verb, partner_code),
    )
    own_targets = (
        "statement_id IN (SELECT statement_id FROM xapi_statements WHERE statement_id = ANY(%s::uuid[]) "
        "AND partner_code IS NOT DISTINCT FROM %s)"
    )
    conn.execute(
        f"UPDATE assessments SET status = 'voided' WHERE {own_targets} AND user_id IS NOT NULL",
        (list(targets), partner_code),
    )
    conn.execute(
        f"DELETE FROM assessments WHERE {own_targets} AND user_id IS NULL AND status = 'pending_user'",
        (list(targets), partner_code),
    )


# -- pending statements ------------------------------------------------------------------------------
def apply_pending_for_user(conn, user_id: str) -> int:
    """Attach the pending statements and assessments of a user; returns how many statements.
    Creating or updating a user already does this (trigger `users_attach_pending_xapi`, migration 0004);
    this and `apply_pending` are the explicit repair paths (in the user's tenant, or '*')."""
    with conn.transaction():
        user = conn.execute(
            "SELECT id::text AS id, email_hash, external_ref_hash, partner_code FROM users "
            "WHERE id = %s AND deleted_at IS NULL",
            (user_id,),
        ).fetchone()
        if user is None:
            return 0
        return _attach(conn, user["id"], user["partner_code"], _user_hashes(user))


def _user_hashes(user: dict) -> list[bytes]:
    return [bytes(user[k]) for k in ("email_hash", "external_ref_hash") if user[k] is not None]


def apply_pending(conn) -> int:
    """Attach every pending statement whose learner now exists (a sweep; cheap when nothing is pending)."""
    with conn.transaction():
        return _apply_pending(conn)


def _apply_pending(conn) -> int:
    pending = conn.execute(
        "SELECT DISTINCT actor_hash, partner_code FROM xapi_statements WHERE status = 'pending_user'"
    ).fetchall()
    if not pending:
        return 0
    wanted = {(bytes(r["actor_hash"]), r["partner_code"]) for r in pending}
    partners = list({r["partner_code"] for r in pending})
    users = conn.execute(
        "SELECT id::text AS id, email_hash, external_ref_hash, partner_code FROM users WHERE deleted_at IS NULL "
        "AND (partner_code = ANY(%s) OR (partner_code IS NULL AND %s)) "
        "AND (email_hash = ANY(%s) OR external_ref_hash = ANY(%s))",
        (
            [p for p in partners if p is not None],
            None in partners,
            [h for h, _ in wanted],
            [h for h, _ in wanted],
        ),
    ).fetchall()
    total = 0
    for user in users:
        hashes = [h for h in _user_hashes(user) if (h, user["partner_code"]) in wanted]
        if hashes:
            total += _attach(conn, user["id"], user["partner_code"], hashes)
    return total


def _attach(conn, user_id: str, partner_code: str | None, hashes: Iterable[bytes]) -> int:
    hashes = list(hashes)
    if not hashes:
        return 0
    with conn.transaction():
        ids = [
            r["statement_id"]
            for r in conn.execute(
                "UPDATE xapi_statements SET user_id = %s, status = 'applied' "
                "WHERE status = 'pending_user' "
                "AND actor_hash = ANY(%s) AND partner_code IS NOT DISTINCT FROM %s RETURNING statement_id",
                (user_id, hashes, partner_code),
            ).fetchall()
        ]
        # Voided statements of the user keep their status but are linked too (erasure follows the user).
        conn.execute(
            "UPDATE xapi_statements SET user_id = %s "
            "WHERE status = 'voided' AND user_id IS NULL "
            "AND actor_hash = ANY(%s) AND partner_code IS NOT DISTINCT FROM %s",
            (user_id, hashes, partner_code),
        )
        if ids:
            conn.execute(
                "UPDATE assessments SET user_id = %s, status = 'completed' "
                "WHERE statement_id = ANY(%s) AND status = 'pending_user'",
                (user_id, ids),
            )
    return len(ids)


def forget_pending(
    conn, *, email: str | None = None, external_ref: str | None = None, partner_code: str | None = None
) -> int:
    """Erasure (GDPR/CCPA) of statements still waiting for their learner: a deleted or never-created user's
    pending statements are found by the actor's blind index, not by user_id. Returns how many were deleted."""
    from skillforge.pii import blind_index

    hashes = ([blind_index(email)] if email else []) + (
        [blind_index(external_ref, kind="external_ref")] if external_ref else []
    )
    if not hashes:
        return 0
    with conn.transaction():
        ids = [
            r["statement_id"]
            for r in conn.execute(
                "SELECT statement_id FROM xapi_statements WHERE user_id IS NULL AND actor_hash = ANY(%s) "
                "AND partner_code IS NOT DISTINCT FROM %s",
                (hashes, partner_code),
            ).fetchall()
        ]
        if not ids:
            return 0
        conn.execute("DELETE FROM assessments WHERE statement_id = ANY(%s) AND user_id IS NULL", (ids,))
        return conn.execute("DELETE FROM xapi_statements WHERE statement_id = ANY(%s)", (ids,)).rowcount


def decrypt_statement(ciphertext: bytes) -> dict:
    from skillforge.pii import decrypt

    plain = decrypt(ciphertext, key="pii_user", table="xapi_statements", column="statement_ciphertext")
    assert plain is not None  # the column is NOT NULL
    return json.loads(plain)
