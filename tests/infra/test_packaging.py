"""Lambda packaging without Docker: the layer's pip commands for Lambda arm64, what ends up in the layer (the pins
of the layer lock, hash-checked), the offline wheelhouse path (real pip, no network), and the layer's asset
hash."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from skillforge_infra import bundling

from .conftest import REPO

UNREACHABLE_INDEX = "http://127.0.0.1:9/simple"  # discard port: pip fails at once, as without network


def cut_off_package_index(monkeypatch) -> None:
    """pip as on a machine without network: only an unreachable index, nothing from the machine's pip.conf."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", UNREACHABLE_INDEX)
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)


def test_layer_requirements_come_from_the_lock_without_boto3():
    pins = bundling.layer_requirements(bundling.layer_lock(REPO / "layers"))
    names = {pin.name for pin in pins}
    assert "aws-lambda-powertools" in names  # Powertools is bundled, at the version the lock pins
    assert "psycopg" in names and "pydantic" in names
    assert not names & {"boto3", "botocore", "s3transfer"}  # the Lambda runtime's own
    assert not names & {"typer", "rich", "pytest", "moto"}  # CLI and test tools never reach Lambda
    assert all(pin.hashes for pin in pins)  # pip checks every file it puts in the layer


def test_read_lock_takes_exact_pins_with_hashes_and_refuses_anything_else(tmp_path):
    lock = tmp_path / "lock.txt"
    lock.write_text(
        "# generated\nDemo_Dep==1.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via x\nother==2\n"
    )
    assert bundling.read_lock(lock) == [
        bundling.Pin("demo-dep", "1.0", ("aa", "bb")),
        bundling.Pin("other", "2"),
    ]
    for line in ("demo-dep>=1.0", "demo-dep", "demo-dep==1.* ", "demo-dep==1.0 ; python_version < '3.12'"):
        lock.write_text(line + "\n")
        with pytest.raises(bundling.LockError, match="not an exact pin"):
            bundling.read_lock(lock)


def _fake_pip(calls: list[list[str]], download_rc: int = 0, install_rc: int = 0):
    def run(cmd, **kwargs):
        calls.append(cmd)
        if cmd[3] == "download":
            return subprocess.CompletedProcess(cmd, download_rc, "", "" if download_rc == 0 else "no network")
        if install_rc == 0:
            target = Path(cmd[cmd.index("--target") + 1])
            for dist in ("psycopg", "bin"):  # what pip would leave behind
                (target / dist).mkdir(parents=True)
        return subprocess.CompletedProcess(
            cmd, install_rc, "", "" if install_rc == 0 else "No matching distribution"
        )

    return run


def _platforms(cmd: list[str]) -> list[str]:
    return [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--platform"]


def test_layer_is_built_from_the_wheelhouse_for_arm64_and_contains_skillforge(tmp_path, monkeypatch):
    calls: list[list[str]] = []
    requirement_files: list[str] = []

    def run(cmd, **kwargs):
        requirement_files.append(Path(cmd[cmd.index("--requirement") + 1]).read_text())
        return _fake_pip(calls)(cmd, **kwargs)

    monkeypatch.setattr(bundling.subprocess, "run", run)
    wheels = tmp_path / "wheels"
    bundler = bundling.PipLayerBundling(REPO / "layers", wheels=wheels)
    assert bundler.lock == REPO / "layers" / "requirements-lambda.txt"
    assert bundler.try_bundle(str(tmp_path / "out")) is True
    download, install = calls
    # 1. refresh the wheelhouse from the index, giving up at once without network
    assert download[3] == "download" and download[download.index("--dest") + 1] == str(wheels)
    assert download[download.index("--retries") + 1] == "0"
    # 2. install only from the wheelhouse: the same command works with and without network
    assert install[3] == "install" and "--no-index" in install
    assert install[install.index("--find-links") + 1] == str(wheels)
    assert "--no-compile" in install  # host .pyc files are useless on 3.12 and make builds differ
    for cmd in (download, install):
        assert "--only-binary=:all:" in cmd and "--no-deps" in cmd  # exactly the lock, nothing resolved
        assert cmd[cmd.index("--python-version") + 1] == "3.12"
        assert _platforms(cmd) and all(p.endswith("_aarch64") for p in _platforms(cmd))
    # both steps get the lock's pins (boto3 & co. left to the runtime), each with its hashes
    expected = "".join(f"{p.requirement_line()}\n" for p in bundling.layer_requirements(bundler.lock))
    assert requirement_files == [expected, expected]
    assert "aws-lambda-powertools==" in expected and "--hash=sha256:" in expected
    assert "boto3==" not in expected and "botocore==" not in expected
    layer = tmp_path / "out" / "python"
    assert install[install.index("--target") + 1] == str(layer)
    assert (layer / "skillforge" / "__init__.py").is_file()
    assert (layer / "skillforge" / "db" / "migrations" / "env.py").is_file()  # migrations ship with the layer
    assert not (layer / "bin").exists()
    assert (layer / "psycopg").is_dir()
    assert not list(layer.rglob("__pycache__"))
    assert bundler.online is True


def test_without_network_the_wheelhouse_is_enough(tmp_path, monkeypatch):
    calls: list[list[str]] = []
    monkeypatch.setattr(bundling.subprocess, "run", _fake_pip(calls, download_rc=1))
    bundler = bundling.PipLayerBundling(REPO / "layers", wheels=tmp_path / "w")
    assert bundler.try_bundle(str(tmp_path / "out")) is True
    assert bundler.online is False
    assert (tmp_path / "out" / "python" / "skillforge" / "__init__.py").is_file()


def test_without_network_or_wheels_bundling_says_how_to_get_out(tmp_path, monkeypatch):
    monkeypatch.setattr(bundling.subprocess, "run", _fake_pip([], download_rc=1, install_rc=1))
    bundling.reset_failures()
    with pytest.raises(bundling.BundlingUnavailable, match="--fetch-wheels") as raised:
        bundling.PipLayerBundling(REPO / "layers", wheels=tmp_path / "w").try_bundle(str(tmp_path))
    assert "--skip-bundling" in str(raised.value)
    assert bundling.last_failure() is raised.value  # what `skillforge synth` checks to fall back
    bundling.reset_failures()


# -- real pip, no network: a wheelhouse with one hand-made pure-Python wheel ---------------------------------
def _wheel(wheelhouse: Path, version: str) -> str:
    """Write demo_dep-<version>-py3-none-any.whl (a wheel is a zip with a dist-info folder); its sha256."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    info = f"demo_dep-{version}.dist-info"
    files = {
        "demo_dep/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: demo-dep\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join(record + [f"{info}/RECORD,,"]) + "\n"
    path = wheelhouse / f"demo_dep-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), text)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lock(layers: Path, version: str, digest: str) -> None:
    """A layer lock as `make lock` writes it: demo-dep pinned with its hash, and boto3, which the runtime has
    (no wheel for it in the wheelhouse: bundling must skip it)."""
    (layers / "requirements-lambda.txt").write_text(
        f"# This file was autogenerated by uv\ndemo-dep=={version} \\\n    --hash=sha256:{digest}\n"
        "    # via x (pyproject.toml)\nboto3==1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n"
    )


@pytest.fixture
def offline_project(tmp_path, monkeypatch):
    """A layer folder whose lock pins `demo-dep`, a wheelhouse holding it, and no reachable package index."""
    cut_off_package_index(monkeypatch)
    layers = tmp_path / "layers"
    (layers / "skillforge").mkdir(parents=True)
    (layers / "skillforge" / "__init__.py").write_text("")
    wheels = tmp_path / "wheels"
    _lock(layers, "1.0", _wheel(wheels, "1.0"))
    monkeypatch.setenv("SKILLFORGE_WHEELHOUSE", str(wheels))
    return layers, wheels


def test_offline_build_installs_from_the_wheelhouse_with_real_pip(offline_project, tmp_path):
    layers, wheels = offline_project
    bundler = bundling.PipLayerBundling(layers)
    assert bundler.wheels == wheels and bundler.lock == layers / "requirements-lambda.txt"
    bundler.try_bundle(str(tmp_path / "out"))
    assert bundler.online is False
    assert (tmp_path / "out" / "python" / "demo_dep" / "__init__.py").read_text() == "VERSION = '1.0'\n"
    assert (tmp_path / "out" / "python" / "skillforge" / "__init__.py").is_file()
    assert not (tmp_path / "out" / "python" / "boto3").exists()


def test_offline_build_installs_the_locked_version_not_the_newest_in_the_wheelhouse(
    offline_project, tmp_path
):
    layers, wheels = offline_project
    _wheel(wheels, "1.1")  # a newer release lies beside the pinned one
    bundling.PipLayerBundling(layers).try_bundle(str(tmp_path / "out"))
    assert (tmp_path / "out" / "python" / "demo_dep" / "__init__.py").read_text() == "VERSION = '1.0'\n"


def test_a_wheel_that_does_not_match_the_locked_hash_never_reaches_the_layer(offline_project, tmp_path):
    layers, wheels = offline_project
    _lock(layers, "1.0", hashlib.sha256(b"some other file").hexdigest())
    bundling.reset_failures()
    with pytest.raises(bundling.BundlingUnavailable, match="DO NOT MATCH THE HASHES"):
        bundling.PipLayerBundling(layers).try_bundle(str(tmp_path / "out"))
    assert not (tmp_path / "out" / "python" / "demo_dep").exists()
    bundling.reset_failures()


def _layer_asset_hash(tmp_path: Path, name: str, layers: Path, *, skip: bool) -> str:
    from aws_cdk import App, Stack
    from aws_cdk import aws_lambda as lambda_

    context = {"aws:cdk:bundling-stacks": []} if skip else {}
    app = App(outdir=str(tmp_path / name), context=context)
    stack = Stack(app, "LayerOnly")
    lambda_.LayerVersion(stack, "Layer", code=bundling.layer_code(layers))
    assembly = app.synth()
    (artifact,) = assembly.stacks
    assets = json.loads((tmp_path / name / "LayerOnly.assets.json").read_text())["files"]
    assert artifact.stack_name == "LayerOnly"
    return next(h for h, a in assets.items() if a["source"]["packaging"] == "zip")


def test_layer_asset_hash_follows_the_built_content(offline_project, tmp_path):
    """The hash is the built layer's: a new pin in the lock publishes a new layer, the same inputs do not,
    and an assembly synthesized without bundling can never share the hash of a built layer."""
    layers, wheels = offline_project
    first = _layer_asset_hash(tmp_path, "a", layers, skip=False)
    again = _layer_asset_hash(tmp_path, "b", layers, skip=False)
    _lock(layers, "1.1", _wheel(wheels, "1.1"))
    upgraded = _layer_asset_hash(tmp_path, "c", layers, skip=False)
    skipped = _layer_asset_hash(tmp_path, "d", layers, skip=True)
    assert first == again
    assert upgraded != first
    assert skipped not in (first, upgraded)
