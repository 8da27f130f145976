"""Output helpers shared by commands: JSON for scripts, rich tables for people."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer


def emit(data: Any, as_json: bool, human: str | None = None) -> None:
    if as_json:
        typer.echo(json.dumps(data, default=str, indent=None))
    else:
        typer.echo(human if human is not None else json.dumps(data, default=str, indent=2))


def fail(message: str, as_json: bool, code: int = 1) -> None:
    if as_json:
        typer.echo(json.dumps({"error": message}))
    else:
        typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def is_terminal() -> bool:
    return sys.stdout.isatty()
