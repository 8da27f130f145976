"""docs/LIMITS.md says what the code enforces: every row's value equals the constant it names, and every `MAX_*`
constant of layers/skillforge has a row."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "LIMITS.md"
HEADER = ["Limit", "Value", "Unit", "Constant", "Enforced by"]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def limit_rows(text: str) -> list[dict[str, str]]:
    """The rows of every table with the LIMITS.md header, as {column: cell}."""
    rows: list[dict[str, str]] = []
    header = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            header = cells
            assert header == HEADER, f"unexpected table header {header}"
        elif not set("".join(cells)) <= set("-: "):
            assert len(cells) == len(header), line
            rows.append(dict(zip(header, cells)))
    return rows


def parse_value(cell: str):
    """'5242880' -> 5242880, '100 / 1500' -> (100, 1500), '3s' -> '3s'."""
    parts = [p.strip() for p in cell.split("/")]
    numbers = []
    for part in parts:
        if not re.fullmatch(r"-?[0-9][0-9,]*(\.[0-9]+)?", part):
            return cell
        numbers.append(float(part.replace(",", "")))
    return tuple(numbers) if len(numbers) > 1 else numbers[0]


def _openapi_max_length(spec: str) -> int:
    from skillforge.api.app import openapi_document

    method, path, name = spec.split()
    operation = openapi_document()["paths"][path][method.lower()]
    [param] = [p for p in operation["parameters"] if p["name"] == name]
    schema = param["schema"]
    options = schema.get("anyOf", [schema])
    return next(o["maxLength"] for o in options if "maxLength" in o)


def resolve(constant: str):
    kind, _, expression = constant.strip("`").partition(":")
    if kind == "openapi":
        return _openapi_max_length(expression)
    if kind.startswith("skillforge_infra") and str(ROOT / "infra") not in sys.path:
        sys.path.insert(0, str(ROOT / "infra"))
    module = importlib.import_module(kind)
    return eval(expression, vars(module))  # our own document's expressions, nothing from outside


def _as_comparable(value):
    if isinstance(value, tuple):
        return tuple(float(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(value)


ROWS = limit_rows(DOC.read_text())


def test_the_doc_has_the_tables():
    assert len(ROWS) >= 30
    assert all(row["Constant"].startswith("`") and row["Constant"].endswith("`") for row in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[row["Limit"][:60] for row in ROWS])
def test_every_value_is_the_constant_it_names(row):
    assert parse_value(row["Value"]) == _as_comparable(resolve(row["Constant"])), row


def test_every_max_constant_of_the_package_is_listed():
    """A new MAX_* (or XAPI_MAX_*, ...) limit needs its row; HTTP cache ages (*_MAX_AGE) live in caching.md."""
    named = "\n".join(row["Constant"] for row in ROWS) + DOC.read_text()
    pattern = re.compile(r"^((?:[A-Z]+_)?MAX_[A-Z0-9_]+)\s*(?::[^=]+)?=", re.MULTILINE)
    missing = []
    for path in sorted((ROOT / "layers" / "skillforge").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT / "layers").with_suffix("").parts)
        for name in pattern.findall(path.read_text()):
            if name.endswith("_MAX_AGE"):  # HTTP cache lifetimes: docs/caching.md
                continue
            if f"`{module}:{name}`" not in named:
                missing.append(f"{module}:{name}")
    assert missing == []


def test_the_parser_reads_what_it_should():
    table = "\n".join(
        [
            "| " + " | ".join(HEADER) + " |",
            "| --- | --- | --- | --- | --- |",
            "| a | 1,024 | bytes | `m:X` | here |",
            "| b | 100 / 1500 | per s | `m:(A, B)` | there |",
            "",
            "text",
        ]
    )
    rows = limit_rows(table)
    assert [r["Limit"] for r in rows] == ["a", "b"]
    assert parse_value(rows[0]["Value"]) == 1024.0 and parse_value(rows[1]["Value"]) == (100.0, 1500.0)
    assert parse_value("3s") == "3s"
