"""Publishing curated pathways: a delta load that inserts, updates, retires (and reactivates) rows of
`learning_pathways`, writing one `learning_pathway_history` row per change (kept five years: the table's
`retain_until` default; `purge_expired_history` removes rows past it).

The whole publish is one transaction under an advisory lock, so concurrent publishes serialise and a
failing file leaves the table untouched. Pathways are matched by `pathway_key`; a row whose content hash is
unchanged is left alone, so publishing the same content twice changes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from psycopg.types.json import Jsonb

from skillforge.pathways.content import DEFAULT_DIR, PathwayContentError, load_directory
from skillforge.pathways.schema import Pathway
from skillforge.reference.codes import known_occupation_codes

_LOCK_KEY = 0x5F_7061_7468  # pg_advisory_xact_lock key for pathway publishes ("_path")
_COLUMNS = (
    "id",
    "pathway_key",
    "title",
    "target_onet_code",
    "description",
    "steps",
    "total_duration_weeks",
    "certification",
    "status",
    "version",
    "content_sha256",
    "published_at",
    "retired_at",
)


@dataclass
class PublishReport:
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changes(self) -> int:
        return len(self.inserted) + len(self.updated) + len(self.retired) + len(self.reactivated)

    def as_dict(self) -> dict:
        return {**asdict(self), "changes": self.changes}


def _snapshot(row: dict) -> dict:
    """A JSON-able picture of a row for the history table."""
    out = {}
    for key in _COLUMNS:
        value = row.get(key)
        if key == "total_duration_weeks" and value is not None:
            value = float(value)
        elif key in ("id", "published_at", "retired_at") and value is not None:
            value = str(value) if key == "id" else value.isoformat()
        out[key] = value
    return out


def _values(pathway: Pathway) -> dict:
    return {
        "pathway_key": pathway.pathway_key,
        "title": pathway.title,
        "target_onet_code": pathway.target_onet_code,
        "description": pathway.description,
        "steps": pathway.steps_json(),
        "total_duration_weeks": pathway.total_duration_weeks,
        "certification": pathway.certification,
        "content_sha256": pathway.content_sha256,
    }


def publish(
    conn, pathways: list[Pathway], *, changed_by: str = "skillforge pathways publish", dry_run: bool = False
) -> PublishReport:
    """Apply `pathways` (the complete curated set) to the database in the caller's connection.
    Commits unless `dry_run` (then rolls back and only reports the plan)."""
    report = PublishReport(dry_run=dry_run)
    with conn.transaction(force_rollback=dry_run):
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        _check_targets_exist(conn, pathways)
        existing = {
            row["pathway_key"]: row
            for row in conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM learning_pathways FOR UPDATE"
            ).fetchall()
        }
        wanted = {p.pathway_key for p in pathways}

        # Retire first, so a renamed pathway (new key, same title) frees nothing it still needs.
        for key, row in sorted(existing.items()):
            if key not in wanted and row["status"] == "active":
                after = conn.execute(
                    "UPDATE learning_pathways SET status = 'retired', retired_at = now(), version = version + 1 "
                    f"WHERE id = %s RETURNING {', '.join(_COLUMNS)}",
                    (row["id"],),
                ).fetchone()
                _history(conn, row["id"], "retire", after["version"], row, after, changed_by)
                report.retired.append(key)

        for pathway in sorted(pathways, key=lambda p: p.pathway_key):
            values = _values(pathway)
            row = existing.get(pathway.pathway_key)
            if row is None:
                _check_title_free(conn, pathway)
                after = conn.execute(
                    "INSERT INTO learning_pathways (pathway_key, title, target_onet_code, description, steps, "
                    "total_duration_weeks, certification, content_sha256) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                    f"RETURNING {', '.join(_COLUMNS)}",
                    (
                        values["pathway_key"],
                        values["title"],
                        values["target_onet_code"],
                        values["description"],
                        Jsonb(values["steps"]),
                        values["total_duration_weeks"],
                        values["certification"],
                        values["content_sha256"],
                    ),
                ).fetchone()
                _history(conn, after["id"], "insert", after["version"], None, after, changed_by)
                report.inserted.append(pathway.pathway_key)
                continue
            same_content = row["content_sha256"] == values["content_sha256"]
            if same_content and row["status"] == "active":
                report.unchanged.append(pathway.pathway_key)
                continue
            if not same_content:
                _check_title_free(conn, pathway, exclude_id=row["id"])
            change = "reactivate" if row["status"] == "retired" else "update"
            after = conn.execute(
                "UPDATE learning_pathways SET title = %s, target_onet_code = %s, description = %s, steps = %s, "
                "total_duration_weeks = %s, certification = %s, content_sha256 = %s, status = 'active', "
                "retired_at = NULL, version = version + 1, published_at = now() "
                f"WHERE id = %s RETURNING {', '.join(_COLUMNS)}",
                (
                    values["title"],
                    values["target_onet_code"],
                    values["description"],
                    Jsonb(values["steps"]),
                    values["total_duration_weeks"],
                    values["certification"],
                    values["content_sha256"],
                    row["id"],
                ),
            ).fetchone()
            _history(conn, row["id"], change, after["version"], row, after, changed_by)
            (report.reactivated if change == "reactivate" else report.updated).append(pathway.pathway_key)
    return report


def publish_directory(conn, directory: Path | str = DEFAULT_DIR, **kwargs) -> PublishReport:
    content = load_directory(directory)
    if not content.ok:
        raise PathwayContentError(content.errors)
    return publish(conn, content.pathways, **kwargs)


def purge_expired_history(conn) -> int:
    """Delete history rows past their five-year retention; returns how many."""
    with conn.transaction():
        return conn.execute("DELETE FROM learning_pathway_history WHERE retain_until < now()").rowcount


def history(conn, pathway_key: str) -> list[dict]:
    return conn.execute(
        "SELECT h.change, h.version, h.before, h.after, h.changed_at, h.changed_by, h.retain_until "
        "FROM learning_pathway_history h JOIN learning_pathways p ON p.id = h.pathway_id "
        "WHERE p.pathway_key = %s ORDER BY h.id",
        (pathway_key,),
    ).fetchall()


def _history(
    conn, pathway_id, change: str, version: int, before: dict | None, after: dict | None, changed_by: str
) -> None:
    conn.execute(
        "INSERT INTO learning_pathway_history (pathway_id, change, version, before, after, changed_by) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (
            pathway_id,
            change,
            version,
            Jsonb(_snapshot(before)) if before else None,
            Jsonb(_snapshot(after)) if after else None,
            changed_by,
        ),
    )


def _check_targets_exist(conn, pathways: list[Pathway]) -> None:
    codes = sorted({p.target_onet_code for p in pathways})
    if not codes:
        return
    found = known_occupation_codes(conn, codes)
    missing = [p for p in pathways if p.target_onet_code not in found]
    if missing:
        raise PathwayContentError(
            [
                {
                    "file": f"{p.pathway_key}.json",
                    "path": "$.target_onet_code",
                    "message": f"O*NET-SOC code {p.target_onet_code} does not exist in occupation_codes "
                    "(import the O*NET release first)",
                }
                for p in missing
            ]
        )


def _check_title_free(conn, pathway: Pathway, exclude_id=None) -> None:
    clash = conn.execute(
        "SELECT pathway_key, status FROM learning_pathways WHERE title = %s AND target_onet_code = %s "
        "AND (%s::uuid IS NULL OR id <> %s::uuid)",
        (pathway.title, pathway.target_onet_code, exclude_id, exclude_id),
    ).fetchone()
    if clash:
        raise PathwayContentError(
            [
                {
                    "file": f"{pathway.pathway_key}.json",
                    "path": "$.title",
                    "message": f"title {pathway.title!r} for {pathway.target_onet_code} is already used by pathway "
                    f"{clash['pathway_key']!r} ({clash['status']}); keep its key or choose another title",
                }
            ]
        )
