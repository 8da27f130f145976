"""The two lock files agree with pyproject.toml and with each other, so the deployed layer is the tested one.

- `layers/requirements-lambda.txt`: what the Lambda layer is built from (Python 3.12, manylinux aarch64).
- `layers/requirements-dev.txt`: what `make install` installs for tests, the CLI and the checks (universal).
Both are written by `make lock` (`uv pip compile`); these tests fail when pyproject.toml changed without it, or
when a lock was edited by hand so that the two drift apart.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from skillforge_infra import bundling

from .conftest import REPO

LAYER_LOCK = REPO / "layers" / "requirements-lambda.txt"
DEV_LOCK = REPO / "layers" / "requirements-dev.txt"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
# The Lambda runtime that infra deploys to (bundling.RUNTIME / ARCHITECTURE), as PEP 508 marker values.
LAMBDA_ENV = {
    **default_environment(),
    "python_version": bundling.PYTHON_VERSION,
    "python_full_version": f"{bundling.PYTHON_VERSION}.0",
    "platform_machine": "aarch64",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}
FROM_PYPROJECT = "skillforge (pyproject.toml)"


@dataclass
class Entry:
    requirement: Requirement
    via: set[str] = field(default_factory=set)

    @property
    def version(self) -> str:
        (spec,) = self.requirement.specifier
        assert spec.operator == "==", self.requirement
        return spec.version

    def applies(self, env: dict[str, str]) -> bool:
        marker = self.requirement.marker
        return marker is None or marker.evaluate(env)


def read(lock: Path) -> list[Entry]:
    """A `uv pip compile` lock: pins (with markers and hashes), each followed by its `# via` comments."""
    entries: list[Entry] = []
    for raw in lock.read_text().replace("\\\n", " ").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            via = re.sub(r"^#\s*(via\s*)?", "", line).strip()
            if entries and via and raw.startswith(" "):
                entries[-1].via.add(via)
            continue
        spec = re.sub(r"\s--hash=\S+", "", line).strip()
        entries.append(Entry(Requirement(spec)))
    return entries


def pins(lock: Path, env: dict[str, str]) -> dict[str, Entry]:
    """The pins of `lock` that apply to an interpreter described by `env`: exactly one per package."""
    out: dict[str, Entry] = {}
    for entry in read(lock):
        if entry.applies(env):
            name = canonicalize_name(entry.requirement.name)
            assert name not in out, f"{lock.name}: {name} pinned twice for {env['python_full_version']}"
            out[name] = entry
    return out


def direct(requirements: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for r in map(Requirement, requirements)}


RUNTIME = direct(PROJECT["dependencies"])
EXTRAS = {extra: direct(reqs) for extra, reqs in PROJECT["optional-dependencies"].items()}


def extra_requirements(requirement: Requirement) -> set[str]:
    """The packages that the extras of `requirement` (e.g. `psycopg[binary]`) add, from its installed metadata."""
    names = set()
    for text in metadata.requires(requirement.name) or []:
        dep = Requirement(text)
        if dep.marker and any(dep.marker.evaluate({**LAMBDA_ENV, "extra": e}) for e in requirement.extras):
            if not dep.marker.evaluate({**LAMBDA_ENV, "extra": ""}):
                names.add(canonicalize_name(dep.name))
    return names


@pytest.mark.parametrize("lock", [LAYER_LOCK, DEV_LOCK], ids=["layer", "dev"])
def test_every_runtime_dependency_is_pinned_within_its_range_in_both_locks(lock):
    env = LAMBDA_ENV if lock == LAYER_LOCK else default_environment()
    pinned = pins(lock, env)
    for name, requirement in RUNTIME.items():
        assert name in pinned, f"{name} is a runtime dependency but {lock.name} has no pin: run `make lock`"
        assert requirement.specifier.contains(pinned[name].version, prereleases=True), (
            f"{lock.name} pins {name}=={pinned[name].version}, outside pyproject's {requirement}: run `make lock`"
        )
        missing = extra_requirements(requirement) - set(pinned)
        assert not missing, f"{lock.name}: {requirement} needs {sorted(missing)}: run `make lock`"


def test_the_dev_lock_pins_every_cli_and_dev_dependency_within_its_range():
    pinned = pins(DEV_LOCK, default_environment())
    for extra, requirements in EXTRAS.items():
        for name, requirement in requirements.items():
            assert name in pinned, f"[{extra}] {name}: not in {DEV_LOCK.name}: run `make lock`"
            assert requirement.specifier.contains(pinned[name].version, prereleases=True), (
                f"{DEV_LOCK.name} pins {name}=={pinned[name].version}, outside [{extra}] {requirement}"
            )


def test_locks_name_exactly_what_pyproject_asks_for():
    """A dependency removed from pyproject.toml leaves the locks too (uv marks what pyproject asks for)."""
    layer = {n for n, e in pins(LAYER_LOCK, LAMBDA_ENV).items() if FROM_PYPROJECT in e.via}
    assert layer == set(RUNTIME)
    dev = {n for n, e in pins(DEV_LOCK, default_environment()).items() if FROM_PYPROJECT in e.via}
    assert dev == set(RUNTIME).union(*EXTRAS.values())


def test_the_layer_carries_no_cli_or_test_tool():
    layer = pins(LAYER_LOCK, LAMBDA_ENV)
    only_outside_lambda = (set(EXTRAS["cli"]) | set(EXTRAS["dev"])) - set(RUNTIME)
    assert not only_outside_lambda & set(layer), "the layer lock carries CLI or dev-only packages"
    assert {"typer", "rich", "openpyxl", "pytest"}.isdisjoint(layer)


@pytest.mark.parametrize(
    "env",
    [LAMBDA_ENV, default_environment()],
    ids=["dev-lock-on-lambda-python", "dev-lock-on-this-python"],
)
def test_every_package_of_the_layer_is_pinned_at_the_same_version_in_the_dev_lock(env):
    """The tests run against what Lambda runs: same versions (the builds differ only by platform)."""
    layer = pins(LAYER_LOCK, LAMBDA_ENV)
    dev = pins(DEV_LOCK, env)
    drift = {
        name: (entry.version, dev[name].version if name in dev else None)
        for name, entry in layer.items()
        if name not in dev or dev[name].version != entry.version
    }
    assert not drift, f"layer vs dev lock (layer, dev): {drift}: run `make lock`"


def test_the_layer_lock_is_for_one_platform_with_hashes():
    """Bundling installs it pin by pin with hash checking: no markers, a hash on every pin."""
    entries = bundling.read_lock(LAYER_LOCK)
    assert entries and all(pin.hashes for pin in entries)
    assert {pin.name for pin in entries} == set(pins(LAYER_LOCK, LAMBDA_ENV))


def test_this_environment_is_the_dev_lock():
    """`make install` installs the dev lock: what the tests import is what the lock pins."""
    wrong = {}
    for name, entry in pins(DEV_LOCK, default_environment()).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != entry.version:
            wrong[name] = (entry.version, installed)
    assert not wrong, f"(locked, installed): {wrong}: run `make install`"


def test_make_lock_compiles_the_layer_lock_for_the_runtime_that_infra_deploys():
    """`make lock` targets the Python and platform that bundling installs for (and so Lambda runs)."""
    makefile = (REPO / "Makefile").read_text()
    python = re.search(r"^LAMBDA_PYTHON := (\S+)$", makefile, re.M)
    platform = re.search(r"^LAMBDA_PLATFORM := (\S+)$", makefile, re.M)
    assert python and platform
    assert python.group(1) == bundling.PYTHON_VERSION == bundling.RUNTIME.name.removeprefix("python")
    arch, _, glibc = platform.group(1).partition("-")
    assert bundling.ARCHITECTURE.name == "arm64" and arch == "aarch64"
    assert f"{glibc}_{arch}" in bundling.PLATFORMS  # the newest manylinux tag pip is allowed to take
