"""Every function folder, Glue script and state machine definition in the repository is deployed by the app,
and every `${Placeholder}` of a definition is filled.

When this fails for your new code: add its row to infra/skillforge_infra/registry.py (FUNCTIONS or GLUE_JOBS),
or its entry to RESOURCES.state_machines, and use only the placeholder names listed in docs/deploy.md.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from skillforge.resources import RESOURCES, physical_name
from skillforge_infra import registry

from .conftest import REPO, Synth

pytestmark = pytest.mark.infra

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def deployed(synth: Synth, type_: str, name_property: str) -> set[str]:
    return {
        r["Properties"][name_property]
        for r in synth.resources(type_).values()
        if isinstance(r["Properties"].get(name_property), str)
    }


def unwired(repo: Path, synth: Synth) -> list[str]:
    env = synth.env
    problems = []
    functions = deployed(synth, "AWS::Lambda::Function", "FunctionName")
    for name in registry.discovered_functions(repo):
        if physical_name(env, name) not in functions:
            problems.append(
                f"functions/{name}/handler.py has no Lambda function in the app: add a FunctionSpec "
                "to FUNCTIONS in infra/skillforge_infra/registry.py"
            )
    jobs = deployed(synth, "AWS::Glue::Job", "Name")
    for name in registry.discovered_glue_jobs(repo):
        if physical_name(env, name) not in jobs:
            problems.append(
                f"glue_jobs/{name}.py has no Glue job in the app: add a GlueJobSpec to GLUE_JOBS in "
                "infra/skillforge_infra/registry.py"
            )
    machines = deployed(synth, "AWS::StepFunctions::StateMachine", "StateMachineName")
    by_file = {m.definition: m for m in RESOURCES.state_machines}
    for file in registry.discovered_state_machines(repo):
        machine = by_file.get(file)
        if machine is None:
            problems.append(
                f"step_functions/{file} is not listed in RESOURCES.state_machines "
                "(layers/skillforge/resources.py)"
            )
        elif physical_name(env, machine.key) not in machines:
            problems.append(f"step_functions/{file}: state machine {machine.key!r} is missing from the app")
    return problems


def unfilled_placeholders(synth: Synth) -> list[str]:
    problems = []
    for name, resource in synth.resources("AWS::StepFunctions::StateMachine").items():
        props = resource["Properties"]
        definition = json.dumps(props.get("DefinitionString", ""))
        filled = set(props.get("DefinitionSubstitutions", {}))
        for placeholder in sorted(set(PLACEHOLDER.findall(definition)) - filled):
            problems.append(
                f"{props.get('StateMachineName', name)}: ${{{placeholder}}} has no value "
                "(see docs/deploy.md for the placeholder names the app provides)"
            )
    return problems


def test_every_function_glue_script_and_definition_is_deployed(synth):
    problems = unwired(REPO, synth)
    assert problems == [], "\n".join(problems)


def test_every_placeholder_of_every_definition_is_filled(synth):
    assert synth.resources("AWS::StepFunctions::StateMachine"), "no state machine synthesized"
    problems = unfilled_placeholders(synth)
    assert problems == [], "\n".join(problems)


def test_unregistered_code_is_reported(dev, tmp_path):
    """The wiring check itself: code the app does not know about is named, with the fix."""
    for sub in ("functions/new_feature", "glue_jobs", "step_functions"):
        (tmp_path / sub).mkdir(parents=True)
    (tmp_path / "functions/new_feature/handler.py").write_text("def handler(e, c): ...\n")
    (tmp_path / "glue_jobs/new_job.py").write_text("print()\n")
    (tmp_path / "step_functions/new_flow.asl.json").write_text("{}")
    problems = unwired(tmp_path, dev)
    assert len(problems) == 3
    assert "functions/new_feature" in problems[0] and "FUNCTIONS" in problems[0]
    assert "glue_jobs/new_job.py" in problems[1] and "GLUE_JOBS" in problems[1]
    assert "step_functions/new_flow.asl.json" in problems[2]


def test_unknown_placeholder_is_reported(tmp_path, scratch_root):
    """A definition using a name the app does not provide synthesizes with a warning and fails the check."""
    from .conftest import synthesize

    root = tmp_path / "repo"
    root.mkdir()
    for entry in scratch_root.iterdir():
        target = entry.resolve() if entry.is_symlink() else entry
        (root / entry.name).symlink_to(target) if entry.name != "step_functions" else None
    (root / "step_functions").mkdir()
    for machine in RESOURCES.state_machines[:1]:
        (root / "step_functions" / machine.definition).write_text(
            json.dumps(
                {
                    "StartAt": "A",
                    "States": {
                        "A": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::sns:publish",
                            "Parameters": {"TopicArn": "${NoSuchTopicArn}", "Message": "m"},
                            "End": True,
                        }
                    },
                }
            )
        )
    synth = synthesize("dev", root, tmp_path / "out")
    assert unfilled_placeholders(synth) == [
        (
            f"{physical_name('dev', RESOURCES.state_machines[0].key)}: ${{NoSuchTopicArn}} has no value "
            "(see docs/deploy.md for the placeholder names the app provides)"
        )
    ]


def test_registered_but_missing_code_is_skipped_with_a_warning(tmp_path, capsys):
    """Teammates' code that is registered but not written yet must not break synth."""
    from skillforge_infra.app_builder import build_app

    root = tmp_path / "repo"
    for sub in ("functions", "glue_jobs", "step_functions"):
        (root / sub).mkdir(parents=True)
    (root / "layers").symlink_to(REPO / "layers")
    (root / "pyproject.toml").symlink_to(REPO / "pyproject.toml")
    registry._WARNED.clear()
    assembly = build_app(
        {"env": "dev", "aws:cdk:bundling-stacks": []}, outdir=str(tmp_path / "out"), root=root
    ).synth()
    err = capsys.readouterr().err
    assert "functions/career_api/handler.py not found" in err
    assert "step_functions/onet_refresh.asl.json not found" in err
    api = json.loads(
        (tmp_path / "out" / assembly.get_stack_by_name("Skillforge-dev-api").template_file).read_text()
    )
    assert not [
        r
        for r in api["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
        and "career" in json.dumps(r["Properties"].get("FunctionName", ""))
    ]
    shutil.rmtree(tmp_path / "out")
