"""API Gateway's request model for /v1/match takes its limits from skillforge.limits, the constants the
application's own request models use, so the two can never disagree."""

from __future__ import annotations

import importlib

import pytest

from skillforge import limits


def test_the_match_model_is_built_from_the_constants(monkeypatch):
    """No synth: rebuild the module's schema with other values and see them come through."""
    from skillforge_infra import api_stack

    monkeypatch.setattr(limits, "MAX_MATCH_SKILLS", 7)
    monkeypatch.setattr(limits, "MAX_PAGE", 3)
    try:
        changed = importlib.reload(api_stack).MATCH_SCHEMA
        assert changed.properties["skills"].max_items == 7
        assert changed.properties["limit"].maximum == 3
    finally:
        monkeypatch.undo()
        importlib.reload(api_stack)
    assert api_stack.MATCH_SCHEMA.properties["skills"].max_items == limits.MAX_MATCH_SKILLS


@pytest.mark.infra
def test_the_synthesized_match_model_has_the_api_limits(dev):
    """The session's dev synth (shared with the other infra tests), as deployed."""
    from skillforge.api.models import MatchRequest

    [model] = [r for key, r in dev.resources("AWS::ApiGateway::Model").items() if "MatchRequest" in key]
    schema = model["Properties"]["Schema"]["properties"]
    assert schema["skills"]["maxItems"] == limits.MAX_MATCH_SKILLS
    assert schema["limit"]["maximum"] == limits.MAX_PAGE
    app_schema = MatchRequest.model_json_schema()["properties"]
    assert app_schema["skills"]["maxItems"] == schema["skills"]["maxItems"]
    assert app_schema["limit"]["maximum"] == schema["limit"]["maximum"]
