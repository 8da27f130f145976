"""`skillforge synth`: the CDK app to CloudFormation in cdk.out/, without Docker or AWS credentials."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import typer

from skillforge.cli._output import emit, fail

REPO_ROOT = Path(__file__).resolve().parents[3]


def _violations(outdir: Path) -> list[str]:
    report = outdir / "validation-report.json"
    if not report.is_file():
        return []
    lines = []
    for plugin in json.loads(report.read_text()).get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                lines.append(f"{violation['ruleName']} at {construct['constructPath']}: "
                             f"{violation.get('description', '')}")
    return lines


def synth(
    env: str = typer.Option("dev", "--env", help="Environment context: dev or prod"),
    outdir: Path = typer.Option(Path("cdk.out"), "--outdir", help="Cloud assembly folder"),
    skip_bundling: bool = typer.Option(
        False, "--skip-bundling",
        help="Do not build the Lambda layer with pip (no network needed; the assembly is not deployable)"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output"),
) -> None:
    """Synthesize every stack (network, data, storage, api, workflows, observability) with cdk-nag checks.

    The skillforge layer is built locally with pip for Lambda arm64 (wheels only, no Docker)."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    infra = REPO_ROOT / "infra"
    if not (infra / "skillforge_infra").is_dir():
        fail(f"infra/skillforge_infra not found under {REPO_ROOT}: run from a SkillForge checkout", as_json, 2)
    sys.path.insert(0, str(infra))
    from skillforge_infra.app_builder import build_app

    context: dict = {"env": env}
    if skip_bundling:
        context["aws:cdk:bundling-stacks"] = []
    outdir = outdir.resolve()
    started = time.monotonic()
    try:
        app = build_app(context, outdir=str(outdir))
        assembly = app.synth()
    except ValueError as exc:
        fail(str(exc), as_json, 2)
    except Exception as exc:  # noqa: BLE001 - jsii surfaces validation and bundling failures as RuntimeError
        problems = _violations(outdir)
        fail(f"synth failed: {str(exc).splitlines()[0]}" + "".join(f"\n  {p}" for p in problems), as_json)
    stacks = [{"stack": s.stack_name, "template": str(outdir / s.template_file)} for s in assembly.stacks]
    seconds = round(time.monotonic() - started, 1)
    emit({"env": env, "outdir": str(outdir), "bundled": not skip_bundling, "seconds": seconds, "stacks": stacks},
         as_json,
         human="\n".join([f"synthesized {len(stacks)} stacks ({env}) to {outdir} in {seconds}s"]
                         + [f"  {s['stack']}" for s in stacks]))


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)
