"""Lambda packaging without Docker: the `skillforge` layer is built with pip for Lambda's arm64 platform.

What goes in the layer is the lock file `layers/requirements-lambda.txt` (`make lock` compiles it from the runtime
dependencies of pyproject.toml for Python 3.12 on manylinux aarch64, constrained by the dev lock, so the layer
carries the very versions the tests ran against), installed pin by pin: `--no-deps` and pip's hash checking, so
the layer is exactly the lock, never what an index offers today. pip takes manylinux aarch64 wheels only
(`--only-binary=:all:`), so nothing compiles and no container is needed. The runtime's own boto3/botocore/
s3transfer are used (their pins are skipped) to keep the layer small.

Offline: the layer is installed from a local *wheelhouse* of arm64 wheels (`pip install --no-index
--find-links`). Every bundling first refreshes the wheelhouse from PyPI (`pip download`, quick to give up when
there is no network), so after one online synth or `skillforge synth --fetch-wheels`, later synths build the
same deployable arm64 layer with no network at all. With neither network nor wheelhouse, bundling raises
`BundlingUnavailable` and `skillforge synth` falls back to an undeployable review assembly (and says so).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
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
REPO_ROOT = Path(__file__).resolve().parents[2]
LOCK_NAME = "requirements-lambda.txt"  # in the layer folder (layers/)


class BundlingUnavailable(RuntimeError):
    """pip could reach neither an index nor a wheelhouse holding every wheel the layer needs."""


_FAILURES: list[BundlingUnavailable] = []


def last_failure() -> BundlingUnavailable | None:
    """The bundling failure of this process, if any: jsii re-raises it as a plain error, so callers that need to
    tell "no wheels" apart from other synth errors (`skillforge synth`) look here."""
    return _FAILURES[-1] if _FAILURES else None


def reset_failures() -> None:
    _FAILURES.clear()


def wheelhouse() -> Path:
    """Where arm64 wheels for the layer are kept (gitignored): SKILLFORGE_WHEELHOUSE, else under .skillforge/."""
    configured = os.environ.get("SKILLFORGE_WHEELHOUSE")
    return Path(configured) if configured else REPO_ROOT / ".skillforge" / "wheelhouse" / "lambda-cp312-arm64"


@dataclass(frozen=True)
class Pin:
    """One entry of a lock file: `name==version`, with the sha256 hashes of its allowed files."""

    name: str
    version: str
    hashes: tuple[str, ...] = ()

    def requirement_line(self) -> str:
        return " ".join([f"{self.name}=={self.version}", *(f"--hash=sha256:{h}" for h in self.hashes)])


class LockError(ValueError):
    """The lock file has an entry that is not an exact pin (`name==version`)."""


def read_lock(lock: Path) -> list[Pin]:
    """The pins of a requirements lock as `uv pip compile` writes it (continuation lines, `--hash`, comments).
    Only exact pins without markers are accepted: the layer lock is for one platform."""
    text = lock.read_text().replace("\\\n", " ")
    pins = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *options = line.split()
        name, sep, version = spec.partition("==")
        if not sep or not name or not version or ";" in line or any(c in version for c in "<>=!~*,"):
            raise LockError(f"{lock}: not an exact pin: {raw.strip()!r}")
        hashes = tuple(o.removeprefix("--hash=sha256:") for o in options if o.startswith("--hash=sha256:"))
        pins.append(Pin(_dist_name(name), version, hashes))
    return pins


def layer_lock(layer_dir: Path) -> Path:
    return layer_dir / LOCK_NAME


def layer_requirements(lock: Path) -> list[Pin]:
    """What pip installs into the layer: every pin of the lock but those the Lambda runtime provides."""
    return [pin for pin in read_lock(lock) if pin.name not in RUNTIME_PROVIDED]


def write_requirements(pins: list[Pin], path: Path) -> Path:
    path.write_text("".join(f"{pin.requirement_line()}\n" for pin in pins))
    return path


def _dist_name(requirement: str) -> str:
    name = requirement
    for sep in "[<>=!~; ":
        name = name.split(sep)[0]
    return name.strip().lower().replace("_", "-")


def _platform_args() -> list[str]:
    # --no-deps: the lock is complete, so pip installs exactly its pins and resolves nothing of its own.
    args = ["--implementation", "cp", "--python-version", PYTHON_VERSION, "--only-binary=:all:", "--no-deps"]
    for platform in PLATFORMS:
        args += ["--platform", platform]
    return args


def fetch_wheels(requirements: Path, dest: Path) -> subprocess.CompletedProcess:
    """Download (or keep) the arm64 wheels pinned by the requirements file `requirements` into `dest`, checking
    their hashes. Gives up fast without network (no retries, short timeout) instead of pip's minute of
    back-off."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--retries",
        "0",
        "--timeout",
        "10",
        "--dest",
        str(dest),
        *_platform_args(),
        "--requirement",
        str(requirements),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def fetch_locked_wheels(lock: Path, dest: Path) -> subprocess.CompletedProcess:
    """`fetch_wheels` for what the layer installs from `lock` (`skillforge synth --fetch-wheels`)."""
    with tempfile.TemporaryDirectory(prefix="skillforge-layer-") as scratch:
        requirements = write_requirements(layer_requirements(lock), Path(scratch) / "requirements.txt")
        return fetch_wheels(requirements, dest)


def install_from_wheelhouse(requirements: Path, source: Path, target: Path) -> subprocess.CompletedProcess:
    # --no-index: the wheelhouse is the only source, so this never touches the network. --no-compile: the
    # .pyc files pip would write are for this interpreter, not Lambda's, and would make the output (and so the
    # asset hash) differ on every build.
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-index",
        "--find-links",
        str(source),
        "--no-compile",
        "--target",
        str(target),
        *_platform_args(),
        "--upgrade",
        "--requirement",
        str(requirements),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


@jsii.implements(ILocalBundling)
class PipLayerBundling:
    """Builds `python/` for the layer: the pins of the layer lock for arm64 plus the `skillforge` package."""

    def __init__(self, layer_dir: Path, lock: Path | None = None, wheels: Path | None = None):
        self.layer_dir = layer_dir
        self.lock = lock or layer_lock(layer_dir)
        self.wheels = wheels or wheelhouse()
        self.online: bool | None = None  # whether the last bundling could refresh the wheelhouse

    def try_bundle(self, output_dir: str, *, image=None, **_kwargs) -> bool:
        target = Path(output_dir) / "python"
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="skillforge-layer-") as scratch:
            requirements = write_requirements(
                layer_requirements(self.lock), Path(scratch) / "requirements.txt"
            )
            fetched = fetch_wheels(requirements, self.wheels)
            self.online = fetched.returncode == 0
            installed = install_from_wheelhouse(requirements, self.wheels, target)
        if installed.returncode != 0:
            failure = BundlingUnavailable(
                f"pip could not build the skillforge layer for Lambda arm64 from {self.lock.name}: no package index "
                f"reachable ({(fetched.stderr or '').strip().splitlines()[-1:] or ['?']}) and the wheelhouse "
                f"{self.wheels} lacks wheels matching the lock (fill it once online with `skillforge synth "
                f"--fetch-wheels`, or use `skillforge synth --skip-bundling`):\n{installed.stderr[-4000:]}"
            )
            _FAILURES.append(failure)
            raise failure
        shutil.rmtree(
            target / "bin", ignore_errors=True
        )  # console scripts: not importable, absolute shebangs
        shutil.copytree(
            self.layer_dir / "skillforge",
            target / "skillforge",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            dirs_exist_ok=True,
        )
        return True


def layer_code(layer_dir: Path, lock: Path | None = None) -> lambda_.Code:
    # The asset hash is the hash of the built layer, so a new pin in the lock or a source change publishes a new
    # layer version, and the same inputs give the same hash. When bundling is skipped, CDK gives the asset a hash
    # derived from its construct path, so an undeployable review assembly can never pose as a built layer.
    return lambda_.Code.from_asset(
        str(layer_dir),
        exclude=LAYER_EXCLUDES,
        asset_hash_type=AssetHashType.OUTPUT,
        bundling=BundlingOptions(
            # Never used: local bundling always succeeds or raises, so Docker is never started.
            image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.12"),
            local=PipLayerBundling(layer_dir, lock),
        ),
    )


def function_code(path: Path) -> lambda_.Code:
    # Handlers are thin and import only the layer, so the folder itself is the package: no bundling needed.
    return lambda_.Code.from_asset(str(path), exclude=["**/__pycache__", "**/*.pyc", "tests"])
