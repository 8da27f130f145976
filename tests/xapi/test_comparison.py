"""Statement comparison (idempotency): what xAPI 1.0.3 says to ignore is ignored, nothing else."""

from __future__ import annotations

import pytest

from skillforge.xapi.comparison import content_hash
from tests.xapi.statements import full, mutate

BASE = full()


def same(change) -> bool:
    return content_hash(mutate(BASE, change)) == content_hash(BASE)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(id=s["id"].upper()),
        lambda s: s.update(stored="2030-01-01T00:00:00Z", version="1.0.0"),
        lambda s: s.pop("authority"),
        lambda s: s.pop("attachments"),
        lambda s: s["verb"].update(display={"fr": "a assisté"}),
        lambda s: s["object"].pop("definition"),
        lambda s: s["context"]["contextActivities"]["category"].pop("definition"),
        lambda s: s["actor"]["member"].reverse(),
        lambda s: s.update(timestamp="2013-05-18T07:32:34.804+02:00"),
        lambda s: s["context"]["instructor"].update(mbox="mailto:andrew@EXAMPLE.com"),
        lambda s: s["context"].update(registration=s["context"]["registration"].upper()),
        lambda s: s["context"]["contextActivities"].update(
            category=[s["context"]["contextActivities"]["category"]]
        ),
    ],
    ids=[
        "uuid case",
        "lrs properties",
        "authority",
        "attachments",
        "verb display",
        "activity definition",
        "context activity definition",
        "member order",
        "timestamp timezone",
        "mbox domain case",
        "registration case",
        "single vs array context activity",
    ],
)
def test_differences_that_are_ignored(change):
    assert same(change)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["result"].update(duration="PT60M"),
        lambda s: s["result"]["score"].update(raw=51),
        lambda s: s["context"]["instructor"].update(mbox="mailto:ANDREW@example.com"),
        lambda s: s.update(timestamp="2013-05-18T05:32:35.804Z"),
        lambda s: s["verb"].update(id="http://adlnet.gov/expapi/verbs/attempted"),
        lambda s: s["context"]["contextActivities"]["parent"].append({"id": "http://example.com/x"}),
        lambda s: s["context"].update(platform="Other"),
    ],
    ids=[
        "duration serialisation",
        "score",
        "mbox local part case",
        "timestamp instant",
        "verb id",
        "context activity added",
        "platform",
    ],
)
def test_differences_that_count(change):
    assert not same(change)
