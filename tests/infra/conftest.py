"""One synth per environment for the whole infra suite (a synth costs 5-10 s).

The app is synthesized from a scratch copy of the repository layout: real function folders, Glue scripts and
state machine definitions are linked in as they are; registered ones that teammates have not written yet get
a minimal stand-in here (never in the real tree), so every wiring path is exercised. Bundling is skipped
(`aws:cdk:bundling-stacks=[]`): no network, no pip, no Docker.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "infra"))

from skillforge.resources import RESOURCES
from skillforge_infra import registry

ENVIRONMENTS = ("dev", "prod")

# A workflow function that exists only in the tests, so the workflows-stack function path (VPC, grants,
# invoke from a state machine, alarms) is synthesized and checked even before teammates register theirs.
STAND_IN_WORKFLOW_FUNCTION = registry.FunctionSpec(
    "stand_in_step",
    "test stand-in workflow step",
    registry.WORKFLOWS,
    memory_mb=256,
    timeout_s=60,
    reserved={"dev": None, "prod": 2},
    pii_keys=("pii_user",),
    buckets_read=("exports",),
    publish_alerts=True,
)

# Stand-in state machine: uses one placeholder of each kind the app provides, so grants are exercised.
STAND_IN_ASL = {
    "Comment": "test stand-in",
    "StartAt": "Notify",
    "States": {
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "${AlertsTopicArn}", "Message": "${Env}"},
            "Next": "Enqueue",
        },
        "Enqueue": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "${NotificationsQueueUrl}", "MessageBody": "x"},
            "Next": "Event",
        },
        "Event": {
            "Type": "Task",
            "Resource": "arn:aws:states:::events:putEvents",
            "Parameters": {
                "Entries": [
                    {
                        "EventBusName": "${EventBusName}",
                        "Source": "skillforge.test",
                        "DetailType": "t",
                        "Detail": {},
                    }
                ]
            },
            "Next": "Write",
        },
        "Write": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
            "Parameters": {"Bucket": "${ExportsBucketName}", "Key": "k", "Body": "b"},
            "Next": "Step",
        },
        "Step": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${StandInStepFunctionArn}", "Payload.$": "$"},
            "Next": "Import",
        },
        "Import": {
            "Type": "Task",
            "Resource": "arn:aws:states:::glue:startJobRun.sync",
            "Parameters": {"JobName": "${PartnerProvisioningGlueJobName}"},
            "End": True,
        },
    },
}


@dataclass
class Synth:
    env: str
    outdir: Path
    error: str | None
    templates: dict[str, dict] = field(default_factory=dict)  # stack name -> template JSON

    def stack(self, name: str) -> dict:
        return self.templates[f"Skillforge-{self.env}-{name}"]

    def resources(self, type_: str, stack: str | None = None) -> dict[str, dict]:
        found = {}
        for stack_name, template in self.templates.items():
            if stack and not stack_name.endswith(f"-{stack}"):
                continue
            for logical_id, resource in template.get("Resources", {}).items():
                if resource["Type"] == type_:
                    found[f"{stack_name}/{logical_id}"] = resource
        return found

    def violations(self) -> list[str]:
        report = self.outdir / "validation-report.json"
        if not report.is_file():
            return []
        out = []
        for plugin in json.loads(report.read_text()).get("pluginReports", []):
            for violation in plugin.get("violations", []):
                for construct in violation.get("violatingConstructs", []):
                    out.append(
                        f"{plugin.get('pluginName')}: {violation['ruleName']} at {construct['constructPath']}"
                    )
        return out


def build_scratch_root(root: Path, repo: Path = REPO) -> dict[str, list[str]]:
    """Lay out `root` like the repository; returns the stand-ins created, by kind."""
    stand_ins: dict[str, list[str]] = {"functions": [], "glue_jobs": [], "step_functions": []}
    (root / "layers").symlink_to(repo / "layers")
    (root / "pyproject.toml").symlink_to(repo / "pyproject.toml")
    for sub in ("functions", "glue_jobs", "step_functions"):
        (root / sub).mkdir()
    for name in registry.discovered_functions(repo):
        (root / "functions" / name).symlink_to(repo / "functions" / name)
    stand_in = root / "functions" / STAND_IN_WORKFLOW_FUNCTION.name
    stand_in.mkdir()
    (stand_in / "handler.py").write_text("def handler(event, context):\n    return event\n")
    for spec in registry.FUNCTIONS:
        if not spec.exists(root):
            folder = root / "functions" / spec.name
            folder.mkdir(exist_ok=True)
            (folder / "handler.py").write_text("def handler(event, context):\n    return {}\n")
            stand_ins["functions"].append(spec.name)
    for name in registry.discovered_glue_jobs(repo):
        (root / "glue_jobs" / f"{name}.py").symlink_to(repo / "glue_jobs" / f"{name}.py")
    for job in registry.GLUE_JOBS:
        if not job.exists(root):
            job.path(root).write_text("print('stand-in')\n")
            stand_ins["glue_jobs"].append(job.name)
    for name in registry.discovered_state_machines(repo):
        (root / "step_functions" / name).symlink_to(repo / "step_functions" / name)
    for machine in RESOURCES.state_machines:
        path = root / "step_functions" / machine.definition
        if not path.exists():
            path.write_text(json.dumps(STAND_IN_ASL))
            stand_ins["step_functions"].append(machine.definition)
    return stand_ins


@pytest.fixture(scope="session")
def scratch_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    build_scratch_root(root)
    return root


def synthesize(env: str, root: Path, outdir: Path) -> Synth:
    from skillforge_infra.app_builder import build_app

    error = None
    try:
        build_app(
            {"env": env, "aws:cdk:bundling-stacks": []},
            outdir=str(outdir),
            root=root,
            extra_functions=(STAND_IN_WORKFLOW_FUNCTION,),
        ).synth()
    except Exception as exc:
        error = str(exc).splitlines()[0]
    synth = Synth(env=env, outdir=outdir, error=error)
    for path in outdir.glob("*.template.json"):
        synth.templates[path.name.removesuffix(".template.json")] = json.loads(path.read_text())
    return synth


_SYNTHS: dict[str, Synth] = {}


@pytest.fixture(scope="session", params=ENVIRONMENTS)
def synth(request, scratch_root, tmp_path_factory) -> Synth:
    return synth_for(request.param, scratch_root, tmp_path_factory)


@pytest.fixture(scope="session")
def dev(scratch_root, tmp_path_factory) -> Synth:
    return synth_for("dev", scratch_root, tmp_path_factory)


@pytest.fixture(scope="session")
def prod(scratch_root, tmp_path_factory) -> Synth:
    return synth_for("prod", scratch_root, tmp_path_factory)


def synth_for(env: str, root: Path, tmp_path_factory) -> Synth:
    if env not in _SYNTHS:
        _SYNTHS[env] = synthesize(env, root, tmp_path_factory.mktemp(f"cdk-{env}"))
    return _SYNTHS[env]
