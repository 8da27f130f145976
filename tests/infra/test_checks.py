"""cdk-nag (AwsSolutions, through Validations) and cfn-lint on every synthesized template."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.infra

EXPECTED_STACKS = ("network", "data", "storage", "api", "workflows", "observability")
# CDK adds explicit DependsOn next to GetAtt references; harmless and not ours to change.
CFN_LINT_IGNORED = ("W3005",)


def test_every_stack_is_synthesized(synth):
    assert sorted(synth.templates) == sorted(f"Skillforge-{synth.env}-{name}" for name in EXPECTED_STACKS)


def test_cdk_nag_has_no_unacknowledged_findings(synth):
    assert synth.violations() == [], "\n".join(synth.violations())
    assert synth.error is None, synth.error


def test_cfn_lint_is_clean(synth):
    from cfnlint.api import ManualArgs, lint

    problems = []
    for name, path in sorted((n, synth.outdir / f"{n}.template.json") for n in synth.templates):
        matches = lint(
            path.read_text(), config=ManualArgs(regions=["us-east-1"], ignore_checks=list(CFN_LINT_IGNORED))
        )
        problems += [f"{name}: {m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches]
    assert problems == [], "\n".join(problems)


def test_acknowledgments_all_carry_a_reason():
    from skillforge_infra.nag import ack

    with pytest.raises(ValueError, match="reason"):
        ack(None, "  ", "AwsSolutions-S1")


def test_an_unacknowledged_finding_fails_the_synth(monkeypatch, scratch_root, tmp_path):
    """The nag check is live: drop one acknowledgment and the synth fails, naming the rule and construct."""
    from skillforge_infra import api_stack, nag

    from .conftest import synthesize

    def ack_all_but_cog2(scope, reason, *rule_ids):
        kept = [r for r in rule_ids if r != "AwsSolutions-COG2"]
        if kept:
            nag.ack(scope, reason, *kept)

    monkeypatch.setattr(api_stack, "ack", ack_all_but_cog2)
    synth = synthesize("dev", scratch_root, tmp_path / "out")
    assert synth.error is not None
    assert synth.violations() == ["AwsSolutions: AwsSolutions-COG2 at Skillforge-dev-api/Users/Resource"]
