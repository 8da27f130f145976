"""`skillforge pathways check|publish`: the curated learning pathways under content/pathways/."""

from __future__ import annotations

from pathlib import Path

import typer

from skillforge.cli._output import emit

pathways_app = typer.Typer(help="Curated learning pathways (content/pathways/*.json).", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output")


def _default_dir() -> Path:
    from skillforge.pathways.content import DEFAULT_DIR

    local = Path("content/pathways")
    return local if local.is_dir() else DEFAULT_DIR


def _print_errors(errors: list[dict], as_json: bool) -> None:
    if as_json:
        emit({"ok": False, "errors": errors}, True)
    else:
        for e in errors:
            typer.secho(f"{e['file']}: {e['path']}: {e['message']}", fg=typer.colors.RED, err=True)


@pathways_app.command("check")
def check(
    directory: Path = typer.Option(None, "--dir", help="Folder of pathway JSON files"),
    onet: Path = typer.Option(None, "--onet", help="O*NET text release folder: targets must exist in it"),
    as_json: bool = JSON,
) -> None:
    """Validate the pathway files (schema, step order, keys, and with --onet the target codes). No database."""
    from skillforge.pathways.content import load_directory, onet_codes_from_release_folder

    codes = onet_codes_from_release_folder(onet) if onet else None
    report = load_directory(directory or _default_dir(), known_onet_codes=codes)
    if not report.ok:
        _print_errors(report.errors, as_json)
        raise typer.Exit(1)
    emit(
        {"ok": True, "pathways": [p.pathway_key for p in report.pathways]},
        as_json,
        f"{len(report.pathways)} pathway file(s) valid",
    )


@pathways_app.command("publish")
def publish_cmd(
    directory: Path = typer.Option(None, "--dir", help="Folder of pathway JSON files"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report the changes without writing"),
    changed_by: str = typer.Option("skillforge pathways publish", "--by", help="Recorded in the history"),
    as_json: bool = JSON,
) -> None:
    """Delta-load the pathways: insert new, update changed, retire removed; every change goes to the history."""
    from skillforge.db import connect
    from skillforge.pathways import PathwayContentError, publish_directory

    try:
        with connect(tenant="*") as conn:
            report = publish_directory(
                conn, directory or _default_dir(), changed_by=changed_by, dry_run=dry_run
            )
    except PathwayContentError as exc:
        _print_errors(exc.errors, as_json)
        raise typer.Exit(1) from None
    data = report.as_dict()
    human = (
        f"{'planned' if dry_run else 'published'}: {len(report.inserted)} inserted, {len(report.updated)} updated, "
        f"{len(report.reactivated)} reactivated, {len(report.retired)} retired, "
        f"{len(report.unchanged)} unchanged"
    )
    emit(data, as_json, human)


@pathways_app.command("schema")
def schema_cmd() -> None:
    """Print the pathway file format as JSON Schema (content/pathways/_schema/pathway.schema.json)."""
    import json

    from skillforge.pathways.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


def register(app: typer.Typer) -> None:
    app.add_typer(pathways_app, name="pathways")
