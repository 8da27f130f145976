"""The `skillforge` command. Each module in this package adds its own commands through `register(app)`,
so features plug in without editing this file."""

from __future__ import annotations

import importlib
import pkgutil

import typer

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
