"""Where the importer's SQL lives: `onet/load.py` runs every statement, `importer.py` orchestrates, and the import
advisory lock is taken in one place."""

from __future__ import annotations

import ast
from pathlib import Path

ONET = Path(__file__).resolve().parents[2] / "layers" / "skillforge" / "onet"


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }


def test_the_importer_runs_no_sql_itself():
    importer = ONET / "importer.py"
    assert not _calls(importer) & {"execute", "executemany", "copy", "cursor"}
    assert "psycopg import sql" not in importer.read_text()


def test_the_import_lock_has_one_home():
    users = sorted(p.name for p in ONET.glob("*.py") if "advisory" in p.read_text())
    assert users == ["load.py"]
    for name in ("importer.py", "releases.py"):
        assert "try_import_lock" in _calls(ONET / name), name
