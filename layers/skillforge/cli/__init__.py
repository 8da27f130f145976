"""The `skillforge` command. Each module in this package adds its own commands through `register(app)`,
so features plug in without editing this file."""

from __future__ import annotations

import importlib
import os
import pkgutil

import typer

# The CLI is the local tool: local mode (dev tokens, the embedded PostgreSQL, moto) is explicit here, not a
# default of the settings. An operator pointing it at AWS sets SKILLFORGE_ENV=dev|prod, which wins.
os.environ.setdefault("SKILLFORGE_ENV", "local")

app = typer.Typer(
    help="SkillForge: occupational data and skills platform (local stack and operations).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        register = getattr(importlib.import_module(f"{__name__}.{module.name}"), "register", None)
        if register is not None:
            register(app)


_register_all()
