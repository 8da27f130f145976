"""The dependency rule (docs/ARCHITECTURE.md) holds: the import-linter contracts in pyproject.toml are kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_domain_code_never_imports_the_http_edge():
    """The contract names every top-level package but the edge and the CLI: a new domain package must be
    added to it (and to the layers), or this fails."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    forbidden = next(c for c in config["contracts"] if c["type"] == "forbidden")
    packages = {
        p.stem if p.is_file() else p.name
        for p in (ROOT / "layers" / "skillforge").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert {m.removeprefix("skillforge.") for m in forbidden["source_modules"]} == packages - {"api", "cli"}
