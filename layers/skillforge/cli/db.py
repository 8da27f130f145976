"""`skillforge db up|url|down|migrate|downgrade`."""

from __future__ import annotations

from pathlib import Path

import typer

from skillforge.cli._output import emit, fail

db_app = typer.Typer(
    help="The database: the local embedded PostgreSQL (unless DATABASE_URL is set) and migrations.",
    no_args_is_help=True,
)

JSON = typer.Option(False, "--json", help="Machine-readable output")


def _local():
    from skillforge.config import get_settings
    from skillforge.db.local import LocalServer

    return LocalServer(Path(get_settings().home))


@db_app.command("up")
def up(as_json: bool = JSON) -> None:
    """Start the local PostgreSQL (or reuse the running one) and print its URL."""
    from skillforge.config import get_settings
    from skillforge.db.local import LocalDatabaseError

    settings = get_settings()
    if settings.database_url:
        emit({"url": settings.database_url, "managed": False}, as_json, settings.database_url)
        return
    try:
        url = _local().up(settings.db_name)
    except LocalDatabaseError as exc:
        fail(f"could not start the local PostgreSQL: {exc}", as_json)
    emit({"url": url, "managed": True}, as_json, url)


@db_app.command("url")
def url(as_json: bool = JSON) -> None:
    """Print the database URL (starting the local server if needed)."""
    from skillforge.db import database_url

    value = database_url()
    emit({"url": value}, as_json, value)


@db_app.command("down")
def down(as_json: bool = JSON) -> None:
    """Stop the local PostgreSQL."""
    from skillforge.config import get_settings

    if get_settings().database_url:
        fail("DATABASE_URL is set: that server is not managed by skillforge", as_json)
    stopped = _local().down()
    emit({"stopped": stopped}, as_json, "stopped" if stopped else "not running")


@db_app.command("migrate")
def migrate(revision: str = typer.Option("head", help="Target revision"), as_json: bool = JSON) -> None:
    """Apply database migrations (idempotent: a second run changes nothing)."""
    from skillforge.db import database_url
    from skillforge.db.migrate import upgrade

    before, after = upgrade(database_url(), revision)
    emit(
        {"from": before, "to": after, "changed": before != after},
        as_json,
        f"migrated {before or '(empty)'} -> {after}" if before != after else f"already at {after}",
    )


@db_app.command("downgrade")
def downgrade(
    revision: str = typer.Argument(..., help="Target revision, e.g. -1 or base"), as_json: bool = JSON
) -> None:
    """Revert migrations down to REVISION."""
    from skillforge.db import database_url
    from skillforge.db.migrate import current
    from skillforge.db.migrate import downgrade as do_downgrade

    url_ = database_url()
    do_downgrade(url_, revision)
    now = current(url_)
    emit({"to": now}, as_json, f"now at {now or '(empty)'}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
