"""docs/deploy.md's sizing table is a copy of the registry; this keeps the copy honest."""

from __future__ import annotations

from skillforge_infra import registry

from .conftest import REPO


def sizing_rows() -> dict[str, list[str]]:
    text = (REPO / "docs" / "deploy.md").read_text()
    section = text.split("## Function sizing", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0] not in ("function",) and not set(cells[0]) <= {"-", " "}:
            rows[cells[0]] = cells[1:5]
    return rows


def test_sizing_table_matches_the_registry():
    def shown(value):
        return "-" if value is None else str(value)

    expected = {
        spec.name: [
            str(spec.memory_mb),
            str(spec.timeout_s),
            shown(spec.reserved.get("dev")),
            shown(spec.reserved.get("prod")),
        ]
        for spec in registry.FUNCTIONS
    }
    assert sizing_rows() == expected
