"""`skillforge xapi validate [FILE|-]`: check a provider's statements against xAPI 1.0.3 (strict)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

xapi_app = typer.Typer(help="xAPI statements: validation against xAPI 1.0.3.", no_args_is_help=True)


@xapi_app.command("validate")
def validate(
    source: str = typer.Argument("-", metavar="[FILE|-]", help="A statement, a JSON array or JSON Lines; - for stdin"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output only (no summary on stderr)"),
) -> None:
    """Print one JSON line per statement: {"index", "valid", "errors": [{"path", "rule", "message"}]}.
    Exit 0 when all are valid, 1 when any is invalid, 2 when the input cannot be read."""
    from skillforge.xapi.payload import PayloadError, parse_statements
    from skillforge.xapi.validator import validate_statement

    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {source}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2)
    try:
        statements, _ = parse_statements(raw)
    except PayloadError as exc:
        typer.echo(f"error: {'stdin' if source == '-' else source}: {exc}", err=True)
        raise typer.Exit(2)

    invalid = 0
    out = sys.stdout
    for index, statement in enumerate(statements):
        errors = validate_statement(statement)
        invalid += bool(errors)
        out.write(json.dumps({"index": index, "valid": not errors, "errors": errors}, ensure_ascii=False) + "\n")
    out.flush()
    if not as_json:
        typer.echo(f"{len(statements)} statement(s): {len(statements) - invalid} valid, {invalid} invalid", err=True)
    raise typer.Exit(1 if invalid else 0)


def register(app: typer.Typer) -> None:
    app.add_typer(xapi_app, name="xapi")
