"""Lambda packaging without Docker: the `skillforge` layer is built with pip for Lambda's arm64 platform.

pip downloads manylinux aarch64 wheels only (`--only-binary=:all:`), so nothing compiles and no container is
needed. The runtime's own boto3/botocore are used (not bundled) to keep the layer small. Powertools is bundled
at the version pyproject.toml pins, so the deployed code runs the same Powertools as `skillforge serve`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

PYTHON_VERSION = "3.12"
RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
PLATFORMS = ("manylinux_2_28_aarch64", "manylinux2014_aarch64")
# Provided by the Lambda runtime; bundling them would only add ~80 MB.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
LAYER_EXCLUDES = ["**/__pycache__", "*.egg-info", "**/*.pyc", "**/.pytest_cache"]


def runtime_requirements(pyproject: Path) -> list[str]:
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return [d for d in deps if _dist_name(d) not in RUNTIME_PROVIDED]


def _dist_name(requirement: str) -> str:
    name = requirement
    for sep in "[<>=!~; ":
        name = name.split(sep)[0]
    return name.strip().lower().replace("_", "-")


@jsii.implements(ILocalBundling)
class PipLayerBundling:
    """Builds `python/` for the layer: the runtime dependencies for arm64 plus the `skillforge` package."""

    def __init__(self, layer_dir: Path, pyproject: Path):
        self.layer_dir = layer_dir
        self.pyproject = pyproject

    def try_bundle(self, output_dir: str, *, image=None, **_kwargs) -> bool:
        target = Path(output_dir) / "python"
        target.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--target", str(target), "--implementation", "cp", "--python-version", PYTHON_VERSION,
               "--only-binary=:all:", "--upgrade"]
        for platform in PLATFORMS:
            cmd += ["--platform", platform]
        cmd += runtime_requirements(self.pyproject)
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                "pip could not build the skillforge layer for Lambda arm64 (network needed, or use "
                f"`skillforge synth --skip-bundling`):\n{result.stderr[-4000:]}")
        for name in RUNTIME_PROVIDED:
            for path in list(target.glob(f"{name}")) + list(target.glob(f"{name}-*.dist-info")):
                shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(self.layer_dir / "skillforge", target / "skillforge",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), dirs_exist_ok=True)
        return True


def layer_code(layer_dir: Path, pyproject: Path) -> lambda_.Code:
    # The hash covers the layer sources and pyproject.toml (the dependency list), so either change redeploys.
    deps = "\n".join(runtime_requirements(pyproject))
    return lambda_.Code.from_asset(
        str(layer_dir),
        exclude=LAYER_EXCLUDES,
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=_source_hash(layer_dir, deps),
        bundling=BundlingOptions(
            # Never used: local bundling always succeeds or raises, so Docker is never started.
            image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.12"),
            local=PipLayerBundling(layer_dir, pyproject),
        ),
    )


def _source_hash(layer_dir: Path, extra: str) -> str:
    import hashlib

    digest = hashlib.sha256(extra.encode())
    for path in sorted((layer_dir / "skillforge").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(layer_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def function_code(path: Path) -> lambda_.Code:
    # Handlers are thin and import only the layer, so the folder itself is the package: no bundling needed.
    return lambda_.Code.from_asset(str(path), exclude=["**/__pycache__", "**/*.pyc", "tests"])
