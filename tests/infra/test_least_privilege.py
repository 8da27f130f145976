"""Grants follow the code: a function holds rights on the PII keys exactly when its handler's code can reach
`skillforge.pii`, judged from the import graph of functions/<name>/handler.py inside the `skillforge` package
(every import statement, also the ones inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from skillforge_infra import registry

from .conftest import REPO

LAYER = REPO / "layers"
PII_MODULE = "skillforge.pii"


def _module_file(module: str) -> Path | None:
    path = LAYER.joinpath(*module.split("."))
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").is_file() else None


def _imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "skillforge"}


def skillforge_modules_reached(handler: Path) -> set[str]:
    reached: set[str] = set()
    todo = list(_imports(handler, "handler"))
    while todo:
        module = todo.pop()
        if module in reached or (path := _module_file(module)) is None:
            continue
        reached.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # importing a.b.c runs a and a.b
        todo += _imports(path, module)
    return reached


def test_the_import_graph_sees_pii_use():
    assert PII_MODULE in skillforge_modules_reached(REPO / "functions" / "xapi_api" / "handler.py")
    career = skillforge_modules_reached(REPO / "functions" / "career_api" / "handler.py")
    assert "skillforge.api.career" in career
    # The career Lambda does not mount the xAPI statement resource (its own Lambda serves it).
    assert "skillforge.api.routes.xapi" not in career


@pytest.mark.infra
def test_xapi_routes_are_integrated_with_the_xapi_function(dev):
    """API Gateway sends every xAPI route of the whole API to xapi_api (the career Lambda does not serve them)."""
    from skillforge.api.app import openapi_document

    from .test_properties import _methods

    api = dev.stack("api")["Resources"]
    xapi_ids = [
        lid
        for lid, r in api.items()
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"].get("FunctionName") == "skillforge-dev-xapi-api"
    ]
    assert len(xapi_ids) == 1
    methods = _methods(dev)
    routes = [
        f"{m.upper()} {p}"
        for p, ops in openapi_document()["paths"].items()
        if p.startswith("/v1/xapi/")
        for m in ops
    ]
    assert routes
    for route in routes:
        assert xapi_ids[0] in str(methods[route]["Integration"]["Uri"]), route


@pytest.mark.parametrize("spec", [s for s in registry.FUNCTIONS if s.exists()], ids=lambda s: s.name)
def test_pii_key_grants_match_the_code(spec):
    reaches_pii = PII_MODULE in skillforge_modules_reached(spec.path() / "handler.py")
    if reaches_pii:
        assert spec.pii_keys, f"{spec.name} reaches {PII_MODULE} but registry.py grants it no PII key"
    else:
        assert not spec.pii_keys and "blind-index-key" not in spec.secrets_read, (
            f"{spec.name} never reaches {PII_MODULE}: drop its PII key / blind-index grants from registry.py"
        )
