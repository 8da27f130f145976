"""cdk-nag (AwsSolutions pack) through CDK's Validations, and one helper to acknowledge findings with a reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def add_checks(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def ack(scope: IConstruct, reason: str, *rule_ids: str) -> None:
    """Acknowledge findings on `scope` and its children. IAM4/IAM5 need one id per finding, e.g.
    ``AwsSolutions-IAM5[Action::s3:GetObject*]``, so a new wildcard still fails the check."""
    if not reason.strip():
        raise ValueError("every cdk-nag acknowledgment needs a reason")
    Validations.of(scope).acknowledge(*(Acknowledgment(id=rule_id, reason=reason) for rule_id in rule_ids))
