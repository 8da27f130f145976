"""`skillforge synth`: the CDK app to CloudFormation in cdk.out/, without Docker or AWS credentials.

Bundling modes (what `make synth` runs is the default):
- default: build the `skillforge` layer for Lambda arm64 from the local wheelhouse, refreshed from PyPI when
  there is network. Without network and without the wheels, fall back to a review assembly (bundling skipped)
  and say so: `"deployable": false` and a warning; the exit code stays 0 because every stack was synthesized.
- `--require-bundling`: the same, but fail instead of falling back (for a pipeline that deploys cdk.out/).
- `--fetch-wheels`: download the layer's arm64 wheels into the wheelhouse first (network needed once).
- `--skip-bundling`: never run pip; the assembly is for review and tests, not for deploying.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from skillforge.cli._output import emit, fail

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_OUTDIR = Path("cdk.out")


def _violations(outdir: Path) -> list[str]:
    report = outdir / "validation-report.json"
    if not report.is_file():
        return []
    lines = []
    for plugin in json.loads(report.read_text()).get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                lines.append(
                    f"{violation['ruleName']} at {construct['constructPath']}: "
                    f"{violation.get('description', '')}"
                )
    return lines


def _synthesize(env: str, outdir: Path, skip_bundling: bool):
    from skillforge_infra.app_builder import build_app

    context: dict = {"env": env}
    if skip_bundling:
        context["aws:cdk:bundling-stacks"] = []
    return build_app(context, outdir=str(outdir)).synth()


def synth(
    env: str = typer.Option("dev", "--env", help="Environment context: dev or prod"),
    outdir: Annotated[Path, typer.Option("--outdir", help="Cloud assembly folder")] = DEFAULT_OUTDIR,
    skip_bundling: bool = typer.Option(
        False,
        "--skip-bundling",
        help="Do not build the Lambda layer with pip (no network needed; the assembly is not deployable)",
    ),
    require_bundling: bool = typer.Option(
        False,
        "--require-bundling",
        help="Fail when the layer cannot be built, instead of falling back to an undeployable assembly",
    ),
    fetch_wheels: bool = typer.Option(
        False,
        "--fetch-wheels",
        help="First download the layer's arm64 wheels into the wheelhouse (network needed), for offline synths",
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output"),
) -> None:
    """Synthesize every stack (network, data, storage, api, workflows, observability) with cdk-nag checks.

    The skillforge layer is built locally with pip for Lambda arm64 (wheels only, no Docker), from the wheelhouse
    (SKILLFORGE_WHEELHOUSE, default .skillforge/wheelhouse/lambda-cp312-arm64) so that it works offline."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    infra = REPO_ROOT / "infra"
    if not (infra / "skillforge_infra").is_dir():
        fail(
            f"infra/skillforge_infra not found under {REPO_ROOT}: run from a SkillForge checkout", as_json, 2
        )
    if skip_bundling and (require_bundling or fetch_wheels):
        fail("--skip-bundling cannot be combined with --require-bundling or --fetch-wheels", as_json, 2)
    sys.path.insert(0, str(infra))
    from skillforge_infra import bundling
    from skillforge_infra.settings import ENVIRONMENTS

    if env not in ENVIRONMENTS:
        fail(f"--env must be one of {sorted(ENVIRONMENTS)}, got {env!r}", as_json, 2)
    if fetch_wheels:
        fetched = bundling.fetch_locked_wheels(
            bundling.layer_lock(REPO_ROOT / "layers"), bundling.wheelhouse()
        )
        if fetched.returncode != 0:
            fail(
                f"could not download the layer's wheels into {bundling.wheelhouse()}:\n{fetched.stderr[-2000:]}",
                as_json,
            )
    bundling.reset_failures()
    outdir = outdir.resolve()
    started = time.monotonic()
    note = None
    bundled = not skip_bundling
    try:
        try:
            assembly = _synthesize(env, outdir, skip_bundling)
        except Exception:  # jsii wraps the bundler's exception; the bundler records its own
            if skip_bundling or require_bundling or bundling.last_failure() is None:
                raise
            note = (
                "no package index and no wheelhouse: the skillforge layer was NOT built, this assembly is "
                "for review only (run `skillforge synth --fetch-wheels` once with network to synth "
                "deployable assemblies offline)"
            )
            print(f"warning: {note}\n  {str(bundling.last_failure()).splitlines()[0]}", file=sys.stderr)
            bundled = False
            for leftover in outdir.glob("bundling-temp-*"):  # the failed layer build's scratch folder
                shutil.rmtree(leftover, ignore_errors=True)
            assembly = _synthesize(env, outdir, True)
    except ValueError as exc:
        fail(str(exc), as_json, 2)
    except Exception as exc:
        problems = _violations(outdir)
        reason = bundling.last_failure() or exc
        fail(f"synth failed: {str(reason).splitlines()[0]}" + "".join(f"\n  {p}" for p in problems), as_json)
    stacks = [{"stack": s.stack_name, "template": str(outdir / s.template_file)} for s in assembly.stacks]
    seconds = round(time.monotonic() - started, 1)
    payload = {
        "env": env,
        "outdir": str(outdir),
        "bundled": bundled,
        "deployable": bundled,
        "seconds": seconds,
        "stacks": stacks,
    }
    if note:
        payload["note"] = note
    human = [
        f"synthesized {len(stacks)} stacks ({env}) to {outdir} in {seconds}s"
        + ("" if bundled else " (layer not built: review only, not deployable)")
    ]
    emit(payload, as_json, human="\n".join(human + [f"  {s['stack']}" for s in stacks]))


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)
