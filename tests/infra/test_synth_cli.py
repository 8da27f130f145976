"""`skillforge synth` (what `make synth` runs), without network: --skip-bundling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from skillforge.cli import app
from typer.testing import CliRunner


@pytest.mark.infra
def test_synth_writes_every_stack(tmp_path):
    result = CliRunner().invoke(app, ["synth", "--skip-bundling", "--outdir", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["env"] == "dev" and payload["bundled"] is False
    names = sorted(s["stack"] for s in payload["stacks"])
    assert names == sorted(f"Skillforge-dev-{n}" for n in
                           ("network", "data", "storage", "api", "workflows", "observability"))
    for stack in payload["stacks"]:
        assert json.loads(Path(stack["template"]).read_text())["Resources"]


def test_unknown_environment_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(app, ["synth", "--skip-bundling", "--env", "staging", "--outdir",
                                      str(tmp_path), "--json"])
    assert result.exit_code == 2
    assert "env" in result.stdout and "staging" in result.stdout and "prod" in result.stdout
