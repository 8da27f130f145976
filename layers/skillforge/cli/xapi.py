"""`skillforge xapi validate [FILE|-]`: check a provider's statements against xAPI 1.0.3 (strict)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

xapi_app = typer.Typer(help="xAPI statements: validation against xAPI 1.0.3.", no_args_is_help=True)


@xapi_app.command("validate")
def validate(
    source: str = typer.Argument(
        "-", metavar="[FILE|-]", help="A statement, a JSON array or JSON Lines; - for stdin"
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output only (no summary on stderr)"),
) -> None:
    """Print one JSON line per statement: {"index", "valid", "errors": [{"path", "rule", "message"}]}.
    Exit 0 when all are valid, 1 when any is invalid, 2 when the input cannot be read."""
    from skillforge.xapi.models import StatementReport
    from skillforge.xapi.payload import PayloadError, parse_statements
    from skillforge.xapi.validator import validate_statement

    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {source}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    try:
        statements, _ = parse_statements(raw)
    except PayloadError as exc:
        typer.echo(f"error: {'stdin' if source == '-' else source}: {exc}", err=True)
        raise typer.Exit(2) from None

    invalid = 0
    out = sys.stdout
    for index, statement in enumerate(statements):
        errors = validate_statement(statement)
        invalid += bool(errors)
        report = StatementReport.model_validate({"index": index, "valid": not errors, "errors": errors})
        out.write(report.model_dump_json() + "\n")
    out.flush()
    if not as_json:
        typer.echo(
            f"{len(statements)} statement(s): {len(statements) - invalid} valid, {invalid} invalid", err=True
        )
    raise typer.Exit(1 if invalid else 0)


def register(app: typer.Typer) -> None:
    app.add_typer(xapi_app, name="xapi")


instruments_app = typer.Typer(
    help="Assessment instruments and their registered SHA-256 per version.", no_args_is_help=True
)
xapi_app.add_typer(instruments_app, name="instruments")
JSON = typer.Option(False, "--json", help="Machine-readable output")


@instruments_app.command("register")
def register_instrument(
    iri: str = typer.Option(..., "--iri", help="The instrument's Activity id (IRI) used in statements"),
    version: str = typer.Option(..., "--version", help="The instrument version, as statements carry it"),
    assessment_type: str = typer.Option(
        ..., "--type", help="interest_profiler, skills_test, work_values, ..."
    ),
    file: Path = typer.Option(None, "--file", help="The instrument definition: its SHA-256 is registered"),
    sha256: str = typer.Option(None, "--sha256", help="The SHA-256 (hex) instead of --file"),
    as_json: bool = JSON,
) -> None:
    """Register an instrument version with its checksum (a registered version never changes)."""
    from skillforge.cli._output import emit, fail
    from skillforge.db import connect
    from skillforge.xapi.instruments import InstrumentError, register, sha256_of_file

    if (file is None) == (sha256 is None):
        fail("give exactly one of --file or --sha256", as_json, code=2)
    try:
        digest = sha256_of_file(file) if file else sha256
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}", as_json, code=2)
    try:
        with connect(tenant="*") as conn:
            instrument = register(
                conn, instrument_iri=iri, version=version, sha256=digest, assessment_type=assessment_type
            )
    except InstrumentError as exc:
        fail(str(exc), as_json)
    emit(instrument.__dict__, as_json, f"registered {iri} version {version} sha256 {instrument.sha256}")


@instruments_app.command("list")
def list_instruments(as_json: bool = JSON) -> None:
    """List the registered instrument versions."""
    from skillforge.cli._output import emit
    from skillforge.db import connect
    from skillforge.xapi.instruments import Registry

    with connect(tenant="*") as conn:
        items = [i.__dict__ for i in Registry.load(conn).all()]
    emit(
        items,
        as_json,
        "\n".join(
            f"{i['instrument_iri']}  {i['version']}  {i['assessment_type']}  {i['sha256']}"
            f"{'  (retired)' if i['retired'] else ''}"
            for i in items
        )
        or "no instruments",
    )


@xapi_app.command("apply-pending")
def apply_pending_cmd(as_json: bool = JSON) -> None:
    """Attach pending statements (learner unknown when they arrived) to users who exist now."""
    from skillforge.cli._output import emit
    from skillforge.db import connect
    from skillforge.xapi.store import apply_pending

    with connect(tenant="*") as conn:
        applied = apply_pending(conn)
    emit({"applied": applied}, as_json, f"{applied} pending statement(s) applied")
