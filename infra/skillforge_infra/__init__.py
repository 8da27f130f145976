"""SkillForge CDK app: network, data, storage, API, workflows and observability stacks."""
