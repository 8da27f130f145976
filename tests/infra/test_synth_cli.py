"""`skillforge synth` (what `make synth` runs) without network: --skip-bundling, the automatic fallback when
neither an index nor a wheelhouse is there, and --require-bundling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillforge.cli import app

from .test_packaging import cut_off_package_index

STACKS = ("network", "data", "storage", "api", "workflows", "observability")


def _payload(result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def no_network(tmp_path, monkeypatch):
    cut_off_package_index(monkeypatch)
    monkeypatch.setenv("SKILLFORGE_WHEELHOUSE", str(tmp_path / "empty-wheelhouse"))


@pytest.mark.infra
def test_synth_writes_every_stack(tmp_path):
    result = CliRunner().invoke(
        app, ["synth", "--skip-bundling", "--outdir", str(tmp_path / "out"), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = _payload(result)
    assert payload["env"] == "dev" and payload["bundled"] is False and payload["deployable"] is False
    assert sorted(s["stack"] for s in payload["stacks"]) == sorted(f"Skillforge-dev-{n}" for n in STACKS)
    for stack in payload["stacks"]:
        assert json.loads(Path(stack["template"]).read_text())["Resources"]


@pytest.mark.infra
def test_make_synth_without_network_or_wheels_still_writes_every_stack_and_says_so(tmp_path, no_network):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["synth", "--outdir", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = _payload(result)
    assert payload["bundled"] is False and payload["deployable"] is False
    assert "--fetch-wheels" in payload["note"]
    assert len(payload["stacks"]) == len(STACKS)
    assert not list(out.glob("bundling-temp-*"))


@pytest.mark.infra
def test_require_bundling_fails_without_network_or_wheels(tmp_path, no_network):
    result = CliRunner().invoke(
        app, ["synth", "--require-bundling", "--outdir", str(tmp_path / "o"), "--json"]
    )
    assert result.exit_code == 1
    message = json.loads(result.stdout.strip().splitlines()[-1])["error"]
    assert "Lambda arm64" in message and "--fetch-wheels" in message


def test_unknown_environment_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(
        app, ["synth", "--skip-bundling", "--env", "staging", "--outdir", str(tmp_path), "--json"]
    )
    assert result.exit_code == 2
    assert "env" in result.stdout and "staging" in result.stdout and "prod" in result.stdout


def test_skip_bundling_excludes_the_bundling_options(tmp_path):
    result = CliRunner().invoke(
        app, ["synth", "--skip-bundling", "--require-bundling", "--outdir", str(tmp_path), "--json"]
    )
    assert result.exit_code == 2 and "--skip-bundling" in result.stdout
