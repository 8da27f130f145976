"""Lambda packaging without Docker: the layer's pip command for Lambda arm64, and what ends up in the layer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from skillforge_infra import bundling

from .conftest import REPO


def test_layer_requirements_come_from_pyproject_without_boto3():
    requirements = bundling.runtime_requirements(REPO / "pyproject.toml")
    names = {bundling._dist_name(r) for r in requirements}
    assert "aws-lambda-powertools" in names  # Powertools is bundled, pinned by pyproject.toml
    assert "psycopg" in names and "pydantic" in names
    assert not names & {"boto3", "botocore"}


def test_layer_is_built_with_pip_for_arm64_wheels_and_contains_skillforge(tmp_path, monkeypatch):
    calls = []

    def fake_pip(cmd, **kwargs):
        calls.append(cmd)
        target = Path(cmd[cmd.index("--target") + 1])
        for dist in ("boto3", "botocore", "psycopg"):  # what pip would leave behind
            (target / dist).mkdir(parents=True)
        (target / "boto3-1.0.dist-info").mkdir()
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(bundling.subprocess, "run", fake_pip)
    ok = bundling.PipLayerBundling(REPO / "layers", REPO / "pyproject.toml").try_bundle(str(tmp_path))
    assert ok is True
    (cmd,) = calls
    assert cmd[1:4] == ["-m", "pip", "install"]
    assert "--only-binary=:all:" in cmd
    assert cmd[cmd.index("--python-version") + 1] == "3.12"
    platforms = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--platform"]
    assert platforms and all(p.endswith("_aarch64") for p in platforms)
    assert cmd[cmd.index("--target") + 1] == str(tmp_path / "python")
    layer = tmp_path / "python"
    assert (layer / "skillforge" / "__init__.py").is_file()
    assert (layer / "skillforge" / "db" / "migrations" / "env.py").is_file()  # migrations ship with the layer
    assert not (layer / "boto3").exists() and not (layer / "botocore").exists()
    assert not list(layer.glob("boto3-*.dist-info"))
    assert (layer / "psycopg").is_dir()
    assert not list(layer.rglob("__pycache__"))


def test_pip_failure_names_the_way_out(tmp_path, monkeypatch):
    monkeypatch.setattr(bundling.subprocess, "run",
                        lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1, "", "No matching distribution"))
    with pytest.raises(RuntimeError, match="--skip-bundling"):
        bundling.PipLayerBundling(REPO / "layers", REPO / "pyproject.toml").try_bundle(str(tmp_path))
