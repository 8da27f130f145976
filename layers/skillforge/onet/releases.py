"""Releases: list them, roll back (re-point the public views to a retained release), prune old schemas, read
the changelog. (Which release a request reads is `skillforge.reference.releases`.)"""

from __future__ import annotations

from skillforge.onet import load


class ReleaseError(ValueError):
    pass


def list_releases(url: str | None = None) -> list[dict]:
    """Every registered release. An import that died mid-way left its release 'loading' and its run 'running':
    when no import holds the lock, those are marked failed first (a live import's rows are left alone)."""
    from skillforge.db import connect

    with connect(url, app_role=False, autocommit=True) as conn:
        with conn.transaction():
            if load.try_import_lock(conn, transaction=True):
                load.fail_interrupted(conn)
        rows = conn.execute("""
            SELECT r.release, r.schema_name, r.status::text AS status, r.source, r.fingerprint,
                   r.loaded_at, r.made_current_at, r.retired_at,
                   EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = r.schema_name) AS retained,
                   coalesce((r.row_counts ->> 'occupations')::int, 0) AS occupations,
                   (SELECT coalesce(sum(value::bigint), 0)::bigint FROM jsonb_each_text(r.row_counts)) AS total_rows
              FROM onet_releases r
             ORDER BY string_to_array(r.release, '.')::int[] DESC""").fetchall()
    return [dict(r) for r in rows]


def rollback(url: str | None = None, to: str | None = None) -> dict:
    """Make `to` (default: the release that was current before the current one) current again. Only
    releases whose schema is still retained qualify; nothing else changes (no reload, no changelog). The empty
    placeholder release is never the default (that would empty the reference layer); `to='0.0'` still works."""
    from skillforge.db import connect

    with connect(url, app_role=False) as conn:
        if not load.try_import_lock(conn, transaction=True):
            raise ReleaseError("an O*NET import is running; roll back when it has finished")
        current = load.current_release(conn)
        if to is None:
            row = conn.execute(
                """
                SELECT release FROM onet_releases r
                 WHERE status = 'retired' AND made_current_at IS NOT NULL AND release <> %s
                   AND EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = r.schema_name)
                 ORDER BY made_current_at DESC LIMIT 1""",
                (load.PLACEHOLDER_RELEASE,),
            ).fetchone()
            if row is None:
                raise ReleaseError("no retained previous release to roll back to")
            to = row["release"]
        target = conn.execute(
            "SELECT release, schema_name, status::text AS status FROM onet_releases WHERE release = %s", (to,)
        ).fetchone()
        if target is None:
            raise ReleaseError(f"release {to!r} is not registered (see `skillforge onet releases`)")
        if target["status"] == "current":
            raise ReleaseError(f"release {to} is already current")
        if target["status"] not in ("retired", "validated"):
            raise ReleaseError(
                f"release {to} is {target['status']}: only a retired or validated release can be made current"
            )
        if not load.schema_exists(conn, target["schema_name"]):
            raise ReleaseError(f"release {to}: schema {target['schema_name']} is no longer retained")
        load.publish_with_retry(conn, to)
        conn.commit()
    return {"from": current["release"] if current else None, "to": to}


def prune(url: str | None = None, keep: int = 2) -> list[str]:
    """Drop the schemas of retired releases beyond the `keep` most recently current ones (the current release
    is never touched). Their `onet_releases` rows stay (occupation_codes and the changelog refer to them);
    `onet releases` shows them as not retained. Returns the releases whose schema was dropped."""
    from psycopg import sql

    from skillforge.db import connect

    if keep < 1:
        raise ReleaseError("--keep must be at least 1 (the release to roll back to)")
    with connect(url, app_role=False) as conn:
        if not load.try_import_lock(conn, transaction=True):
            raise ReleaseError("an O*NET import is running; prune when it has finished")
        rows = conn.execute(
            """
            SELECT release, schema_name FROM onet_releases r
             WHERE status IN ('retired', 'validated')
               AND EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = r.schema_name)
             ORDER BY made_current_at DESC NULLS LAST, string_to_array(release, '.')::int[] DESC
            OFFSET %s""",
            (keep,),
        ).fetchall()
        for row in rows:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(row["schema_name"])))
        conn.commit()
    return [r["release"] for r in rows]


def changelog(url: str | None = None, to_release: str | None = None, limit: int = 100) -> dict:
    from skillforge.db import connect

    with connect(url, app_role=False, autocommit=True) as conn:
        if to_release is None:
            row = conn.execute("SELECT to_release FROM release_changelog ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                return {"to_release": None, "counts": {}, "items": []}
            to_release = row["to_release"]
        counts = {
            r["change_type"]: r["n"]
            for r in conn.execute(
                "SELECT change_type, count(*) AS n FROM release_changelog WHERE to_release = %s GROUP BY 1",
                (to_release,),
            ).fetchall()
        }
        items = [
            dict(r)
            for r in conn.execute(
                """SELECT from_release, to_release, change_type, onet_code, element_id, detail FROM release_changelog
                WHERE to_release = %s ORDER BY id LIMIT %s""",
                (to_release, limit),
            ).fetchall()
        ]
    return {"to_release": to_release, "counts": counts, "items": items}
