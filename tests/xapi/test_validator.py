"""The strict xAPI 1.0.3 validator: valid statements pass, each violation is reported with path and rule."""

from __future__ import annotations

import pytest

from skillforge.xapi.validator import (
    RULES,
    is_duration,
    is_language_tag,
    timestamp_problem,
    validate_statement,
)
from tests.xapi.statements import (
    components,
    full,
    interaction,
    interest_profiler,
    minimal,
    mutate,
    substatement,
    voiding,
)


def pairs(statement) -> set[tuple[str, str]]:
    return {(e["path"], e["rule"]) for e in validate_statement(statement)}


# -- valid ----------------------------------------------------------------------------------------------
VALID = {
    "minimal": minimal(),
    "full ADL-style statement": full(),
    "substatement": substatement(),
    "voiding": voiding(),
    "interest profiler": interest_profiler(),
    "agent object": mutate(
        minimal(), lambda s: s.update(object={"objectType": "Agent", "mbox": "mailto:x@y.z"})
    ),
    "anonymous group actor": mutate(
        minimal(),
        lambda s: s.update(
            actor={
                "objectType": "Group",
                "member": [{"mbox": "mailto:a@example.com"}, {"openid": "https://openid.example.org/b"}],
            }
        ),
    ),
    "statement ref object with context (no revision)": mutate(
        minimal(),
        lambda s: s.update(
            object={"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
            context={"registration": "8f87ccde-bb56-4c2e-ab83-44982ef22df0", "language": "en-US"},
        ),
    ),
    "version 1.0.0": mutate(minimal(), lambda s: s.update(version="1.0.0")),
    # The ADL LRS conformance suite sends version "1.0" and expects 200 (Data 2.4.10, Communication 3.3).
    "version 1.0": mutate(minimal(), lambda s: s.update(version="1.0")),
    "version 1.0.9": mutate(minimal(), lambda s: s.update(version="1.0.9")),
    "attachment sha2 SHA-512": mutate(full(), lambda s: s["attachments"][0].update(sha2="D" * 128)),
    "attachment sha2 SHA-224": mutate(full(), lambda s: s["attachments"][0].update(sha2="c" * 56)),
    "signature attachment": mutate(
        minimal(),
        lambda s: s.update(
            attachments=[
                {
                    "usageType": "http://adlnet.gov/expapi/attachments/signature",
                    "display": {"en-US": "JWS"},
                    "contentType": "application/octet-stream",
                    "length": 10,
                    "sha2": "b" * 64,
                }
            ]
        ),
    ),
    "authority 3-legged OAuth group": mutate(
        minimal(),
        lambda s: s.update(
            authority={
                "objectType": "Group",
                "member": [
                    {
                        "account": {
                            "homePage": "http://example.com/xAPI/OAuth/Token",
                            "name": "oauth_consumer_x75db",
                        }
                    },
                    {"mbox": "mailto:bob@example.com"},
                ],
            }
        ),
    ),
    "choice interaction": interaction("choice", choices=components("golf", "tetris")),
    "likert interaction": interaction("likert", scale=components("likert_0", "likert_1")),
    "matching interaction": interaction("matching", source=components("ben"), target=components("1")),
    "performance interaction": interaction("performance", steps=components("pong")),
    "sequencing interaction": interaction("sequencing", choices=components("tim", "ben")),
    "numeric interaction": interaction("numeric"),
    "raw equals bounds": mutate(
        minimal(), lambda s: s.update(result={"score": {"raw": 0, "min": 0, "max": 1}})
    ),
    "negative scaled": mutate(minimal(), lambda s: s.update(result={"score": {"scaled": -1}})),
    "uppercase UUID": mutate(minimal(), lambda s: s.update(id="FD41C918-B88B-4B20-A0A5-A4C32391AAA0")),
    "timestamp without zone": mutate(minimal(), lambda s: s.update(timestamp="2024-02-29T23:59:59.999")),
    "timestamp basic format": mutate(minimal(), lambda s: s.update(timestamp="20240229T235959Z")),
    "empty extensions": mutate(
        minimal(),
        lambda s: s.update(
            verb={"id": "http://x.example/v", "display": {"en": "v"}}, result={"extensions": {}}
        ),
    ),
    "definition with one property": mutate(
        minimal(),
        lambda s: s["object"].update(definition={"moreInfo": "http://virtualmeeting.example.com/345256"}),
    ),
}


@pytest.mark.parametrize("statement", VALID.values(), ids=VALID.keys())
def test_valid_statements_pass(statement):
    assert validate_statement(statement) == []


# -- invalid: (builder, path, rule) ----------------------------------------------------------------------
def _set(path: str, value):
    """Set a dotted path (numbers index arrays) on a copy of minimal()/full()."""

    def fn(s):
        *parents, last = path.split(".")
        node = s
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return fn


def _del(path: str):
    def fn(s):
        *parents, last = path.split(".")
        node = s
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]

    return fn


M, F = minimal, full
INVALID = [
    # required properties
    ("missing actor", M, _del("actor"), "$.actor", "required"),
    ("missing verb", M, _del("verb"), "$.verb", "required"),
    ("missing object", M, _del("object"), "$.object", "required"),
    ("verb without id", M, _set("verb", {"display": {"en-US": "x"}}), "$.verb.id", "required"),
    ("activity without id", M, _set("object", {"objectType": "Activity"}), "$.object.id", "required"),
    # unknown keys and case sensitivity
    ("unknown top-level key", M, _set("Actor", {}), "$.Actor", "unknown-property"),
    ("unknown agent key", M, _set("actor.email", "x"), "$.actor.email", "unknown-property"),
    ("verb key wrong case", M, _set("verb.Display", {}), "$.verb.Display", "unknown-property"),
    ("objectType wrong case", M, _set("actor.objectType", "agent"), "$.actor.objectType", "object-type"),
    (
        "object objectType wrong case",
        M,
        _set("object.objectType", "activity"),
        "$.object.objectType",
        "object-type",
    ),
    ("objectType null", M, _set("object.objectType", None), "$.object.objectType", "object-type"),
    # actor types and IFIs
    ("actor not object", M, _set("actor", "mailto:a@b.c"), "$.actor", "type"),
    ("agent without IFI", M, _set("actor", {"name": "Nobody"}), "$.actor", "ifi.exactly-one"),
    (
        "agent with two IFIs",
        M,
        _set("actor.openid", "https://openid.example.org/x"),
        "$.actor",
        "ifi.exactly-one",
    ),
    ("mbox without mailto", M, _set("actor.mbox", "learner@example.com"), "$.actor.mbox", "mbox"),
    ("mbox without address", M, _set("actor.mbox", "mailto:"), "$.actor.mbox", "mbox"),
    ("mbox not string", M, _set("actor.mbox", 5), "$.actor.mbox", "type"),
    (
        "sha1sum too short",
        M,
        _set("actor", {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee"}),
        "$.actor.mbox_sha1sum",
        "mbox-sha1sum",
    ),
    (
        "sha1sum non-hex",
        M,
        _set("actor", {"mbox_sha1sum": "zbd31e95054c018b10727ccffd2ef2ec3a016ee9"}),
        "$.actor.mbox_sha1sum",
        "mbox-sha1sum",
    ),
    (
        "openid without scheme",
        M,
        _set("actor", {"openid": "toby.openid.example.org"}),
        "$.actor.openid",
        "iri",
    ),
    (
        "account without homePage",
        M,
        _set("actor", {"account": {"name": "1"}}),
        "$.actor.account.homePage",
        "required",
    ),
    (
        "account without name",
        M,
        _set("actor", {"account": {"homePage": "http://x.example"}}),
        "$.actor.account.name",
        "required",
    ),
    (
        "account homePage not IRL",
        M,
        _set("actor", {"account": {"homePage": "example.com", "name": "1"}}),
        "$.actor.account.homePage",
        "irl",
    ),
    (
        "account homePage urn",
        M,
        _set("actor", {"account": {"homePage": "urn:example:lms", "name": "1"}}),
        "$.actor.account.homePage",
        "irl",
    ),
    (
        "account extra key",
        M,
        _set("actor", {"account": {"homePage": "http://x.example", "name": "1", "id": 2}}),
        "$.actor.account.id",
        "unknown-property",
    ),
    (
        "account name number",
        M,
        _set("actor", {"account": {"homePage": "http://x.example", "name": 1}}),
        "$.actor.account.name",
        "type",
    ),
    ("agent name not string", M, _set("actor.name", ["x"]), "$.actor.name", "type"),
    # groups
    (
        "anonymous group without members",
        M,
        _set("actor", {"objectType": "Group", "name": "g"}),
        "$.actor.member",
        "group.members-required",
    ),
    (
        "anonymous group empty members",
        M,
        _set("actor", {"objectType": "Group", "member": []}),
        "$.actor.member",
        "group.members-required",
    ),
    (
        "group member is group",
        M,
        _set(
            "actor",
            {
                "objectType": "Group",
                "mbox": "mailto:g@example.com",
                "member": [{"objectType": "Group", "mbox": "mailto:h@example.com"}],
            },
        ),
        "$.actor.member[0]",
        "group.member-not-agent",
    ),
    (
        "group member without IFI",
        M,
        _set("actor", {"objectType": "Group", "member": [{"name": "x"}]}),
        "$.actor.member[0]",
        "ifi.exactly-one",
    ),
    (
        "identified group with two IFIs",
        M,
        _set(
            "actor",
            {"objectType": "Group", "mbox": "mailto:g@example.com", "openid": "http://g.example.com/"},
        ),
        "$.actor",
        "ifi.exactly-one",
    ),
    (
        "group member not array",
        M,
        _set("actor", {"objectType": "Group", "member": {"mbox": "mailto:a@b.c"}}),
        "$.actor.member",
        "type",
    ),
    (
        "team not a group",
        M,
        _set("context", {"team": {"objectType": "Agent", "mbox": "mailto:a@b.c"}}),
        "$.context.team.objectType",
        "team.group",
    ),
    (
        "authority group of three",
        M,
        _set(
            "authority",
            {
                "objectType": "Group",
                "member": [
                    {"mbox": "mailto:a@example.com"},
                    {"mbox": "mailto:b@example.com"},
                    {"mbox": "mailto:c@example.com"},
                ],
            },
        ),
        "$.authority",
        "authority.group",
    ),
    # IRIs
    ("verb id without scheme", M, _set("verb.id", "completed"), "$.verb.id", "iri"),
    ("verb id with space", M, _set("verb.id", "http://example.com/my verb"), "$.verb.id", "iri"),
    ("activity id relative", M, _set("object.id", "/activities/1"), "$.object.id", "iri"),
    (
        "activity type not IRI",
        M,
        _set("object.definition", {"type": "assessment"}),
        "$.object.definition.type",
        "iri",
    ),
    (
        "moreInfo not IRL",
        M,
        _set("object.definition", {"moreInfo": "mailto:x@y.z"}),
        "$.object.definition.moreInfo",
        "irl",
    ),
    (
        "extension key not IRI",
        M,
        _set("result", {"extensions": {"riasec": {}}}),
        "$.result.extensions.riasec",
        "iri",
    ),
    # language maps and tags
    (
        "display key not a language tag",
        M,
        _set("verb.display", {"English (US)": "completed"}),
        "$.verb.display.English (US)",
        "language-tag",
    ),
    (
        "display key with underscore",
        M,
        _set("verb.display", {"en_US": "completed"}),
        "$.verb.display.en_US",
        "language-tag",
    ),
    ("display value not string", M, _set("verb.display", {"en-US": 1}), "$.verb.display.en-US", "type"),
    ("display not object", M, _set("verb.display", "completed"), "$.verb.display", "type"),
    (
        "context language invalid",
        M,
        _set("context", {"language": "english-US-x"}),
        "$.context.language",
        "language-tag",
    ),
    (
        "duplicate variant",
        M,
        _set("verb.display", {"sl-rozaj-rozaj": "x"}),
        "$.verb.display.sl-rozaj-rozaj",
        "language-tag",
    ),
    # UUIDs
    ("id not UUID", M, _set("id", "12345"), "$.id", "uuid"),
    ("id UUID without hyphens", M, _set("id", "fd41c918b88b4b20a0a5a4c32391aaa0"), "$.id", "uuid"),
    ("id braces", M, _set("id", "{fd41c918-b88b-4b20-a0a5-a4c32391aaa0}"), "$.id", "uuid"),
    (
        "registration not UUID",
        M,
        _set("context", {"registration": "reg-1"}),
        "$.context.registration",
        "uuid",
    ),
    ("id number", M, _set("id", 5), "$.id", "type"),
    # timestamps and durations
    ("timestamp Feb 30", M, _set("timestamp", "2023-02-30T10:00:00Z"), "$.timestamp", "timestamp.calendar"),
    (
        "timestamp Feb 29 non-leap",
        M,
        _set("timestamp", "2023-02-29T10:00:00Z"),
        "$.timestamp",
        "timestamp.calendar",
    ),
    ("timestamp month 13", M, _set("timestamp", "2023-13-01T10:00:00Z"), "$.timestamp", "timestamp.calendar"),
    ("timestamp hour 24", M, _set("timestamp", "2023-01-01T24:00:00Z"), "$.timestamp", "timestamp.calendar"),
    (
        "timestamp minute 60",
        M,
        _set("timestamp", "2023-01-01T10:60:00Z"),
        "$.timestamp",
        "timestamp.calendar",
    ),
    ("timestamp date only", M, _set("timestamp", "2023-01-01"), "$.timestamp", "timestamp"),
    ("timestamp free text", M, _set("timestamp", "yesterday"), "$.timestamp", "timestamp"),
    (
        "timestamp mixed basic/extended",
        M,
        _set("timestamp", "2023-0101T10:00:00Z"),
        "$.timestamp",
        "timestamp",
    ),
    ("timestamp with space", M, _set("timestamp", "2023-01-01 10:00:00Z"), "$.timestamp", "timestamp"),
    (
        "timestamp negative zero offset",
        M,
        _set("timestamp", "2023-01-01T10:00:00-00:00"),
        "$.timestamp",
        "timestamp.offset",
    ),
    (
        "timestamp offset hour 25",
        M,
        _set("timestamp", "2023-01-01T10:00:00+25:00"),
        "$.timestamp",
        "timestamp.offset",
    ),
    ("stored invalid", M, _set("stored", "2023-04-31T10:00:00Z"), "$.stored", "timestamp.calendar"),
    ("timestamp number", M, _set("timestamp", 1700000000), "$.timestamp", "type"),
    ("duration without P", M, _set("result", {"duration": "T1H"}), "$.result.duration", "duration"),
    (
        "duration seconds without T",
        M,
        _set("result", {"duration": "P16559.14S"}),
        "$.result.duration",
        "duration",
    ),
    ("duration weeks combined", M, _set("result", {"duration": "P4W1D"}), "$.result.duration", "duration"),
    ("duration empty T", M, _set("result", {"duration": "P1DT"}), "$.result.duration", "duration"),
    ("duration bare P", M, _set("result", {"duration": "P"}), "$.result.duration", "duration"),
    (
        "duration alternative format",
        M,
        _set("result", {"duration": "P0003-04-06T12:00:00"}),
        "$.result.duration",
        "duration",
    ),
    (
        "duration fraction not last",
        M,
        _set("result", {"duration": "PT1.5H30M"}),
        "$.result.duration",
        "duration",
    ),
    ("duration lowercase", M, _set("result", {"duration": "pt1h"}), "$.result.duration", "duration"),
    # scores and result types
    (
        "scaled above 1",
        M,
        _set("result", {"score": {"scaled": 1.01}}),
        "$.result.score.scaled",
        "score.scaled",
    ),
    (
        "scaled below -1",
        M,
        _set("result", {"score": {"scaled": -2}}),
        "$.result.score.scaled",
        "score.scaled",
    ),
    (
        "raw above max",
        M,
        _set("result", {"score": {"raw": 101, "min": 0, "max": 100}}),
        "$.result.score.raw",
        "score.raw",
    ),
    ("raw below min", M, _set("result", {"score": {"raw": -1, "min": 0}}), "$.result.score.raw", "score.raw"),
    (
        "min equals max",
        M,
        _set("result", {"score": {"min": 5, "max": 5}}),
        "$.result.score.min",
        "score.min-max",
    ),
    (
        "min above max",
        M,
        _set("result", {"score": {"min": 6, "max": 5}}),
        "$.result.score.min",
        "score.min-max",
    ),
    ("score as string", M, _set("result", {"score": {"raw": "50"}}), "$.result.score.raw", "type"),
    ("score boolean", M, _set("result", {"score": {"scaled": True}}), "$.result.score.scaled", "type"),
    (
        "score unknown key",
        M,
        _set("result", {"score": {"percent": 5}}),
        "$.result.score.percent",
        "unknown-property",
    ),
    ("success string", M, _set("result", {"success": "true"}), "$.result.success", "type"),
    ("completion number", M, _set("result", {"completion": 1}), "$.result.completion", "type"),
    ("response number", M, _set("result", {"response": 42}), "$.result.response", "type"),
    ("result not object", M, _set("result", [1]), "$.result", "type"),
    # context
    (
        "revision with agent object",
        M,
        lambda s: s.update(object={"objectType": "Agent", "mbox": "mailto:x@y.z"}, context={"revision": "2"}),
        "$.context.revision",
        "context.revision",
    ),
    (
        "platform with statementref object",
        M,
        lambda s: s.update(
            object={"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
            context={"platform": "web"},
        ),
        "$.context.platform",
        "context.platform",
    ),
    (
        "platform with substatement object",
        substatement,
        _set("context", {"platform": "web"}),
        "$.context.platform",
        "context.platform",
    ),
    ("revision not string", M, _set("context", {"revision": 2}), "$.context.revision", "type"),
    (
        "contextActivities bad key",
        M,
        _set("context", {"contextActivities": {"parents": []}}),
        "$.context.contextActivities.parents",
        "context-activities.key",
    ),
    (
        "contextActivities key case",
        M,
        _set("context", {"contextActivities": {"Parent": []}}),
        "$.context.contextActivities.Parent",
        "context-activities.key",
    ),
    (
        "contextActivities string value",
        M,
        _set("context", {"contextActivities": {"parent": "http://x.example/a"}}),
        "$.context.contextActivities.parent",
        "context-activities.value",
    ),
    (
        "contextActivities item without id",
        M,
        _set("context", {"contextActivities": {"other": [{}]}}),
        "$.context.contextActivities.other[0].id",
        "required",
    ),
    (
        "contextActivities item is agent",
        M,
        _set(
            "context", {"contextActivities": {"other": [{"objectType": "Agent", "id": "http://x.example/a"}]}}
        ),
        "$.context.contextActivities.other[0].objectType",
        "object-type",
    ),
    (
        "context statement without objectType",
        M,
        _set("context", {"statement": {"id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}}),
        "$.context.statement.objectType",
        "required",
    ),
    ("context unknown key", M, _set("context", {"mood": "happy"}), "$.context.mood", "unknown-property"),
    (
        "instructor without IFI",
        M,
        _set("context", {"instructor": {"name": "x"}}),
        "$.context.instructor",
        "ifi.exactly-one",
    ),
    # substatements and statement references
    (
        "substatement with id",
        substatement,
        _set("object.id", "8f87ccde-bb56-4c2e-ab83-44982ef22df0"),
        "$.object.id",
        "substatement.property",
    ),
    (
        "substatement with stored",
        substatement,
        _set("object.stored", "2020-01-01T00:00:00Z"),
        "$.object.stored",
        "substatement.property",
    ),
    (
        "substatement with version",
        substatement,
        _set("object.version", "1.0.0"),
        "$.object.version",
        "substatement.property",
    ),
    (
        "substatement with authority",
        substatement,
        _set("object.authority", {"mbox": "mailto:a@b.c"}),
        "$.object.authority",
        "substatement.property",
    ),
    (
        "nested substatement",
        substatement,
        _set("object.object", {"objectType": "SubStatement"}),
        "$.object.object",
        "substatement.nested",
    ),
    ("substatement without verb", substatement, _del("object.verb"), "$.object.verb", "required"),
    (
        "substatement bad actor",
        substatement,
        _set("object.actor", {"mbox": "a@b.c"}),
        "$.object.actor.mbox",
        "mbox",
    ),
    (
        "statementref bad id",
        M,
        _set("object", {"objectType": "StatementRef", "id": "abc"}),
        "$.object.id",
        "uuid",
    ),
    ("statementref missing id", M, _set("object", {"objectType": "StatementRef"}), "$.object.id", "required"),
    (
        "statementref extra key",
        M,
        _set(
            "object",
            {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0", "definition": {}},
        ),
        "$.object.definition",
        "unknown-property",
    ),
    (
        "agent object without objectType is an Activity",
        M,
        _set("object", {"mbox": "mailto:a@b.c"}),
        "$.object.mbox",
        "unknown-property",
    ),
    # voiding
    (
        "voiding an activity",
        voiding,
        _set("object", {"id": "http://example.com/a"}),
        "$.object",
        "voiding.object",
    ),
    (
        "voiding an agent",
        voiding,
        _set("object", {"objectType": "Agent", "mbox": "mailto:a@b.c"}),
        "$.object",
        "voiding.object",
    ),
    # interactions
    (
        "unknown interactionType",
        lambda: interaction("multiple-choice"),
        lambda s: None,
        "$.object.definition.interactionType",
        "interaction.type",
    ),
    (
        "interactionType wrong case",
        lambda: interaction("Choice"),
        lambda s: None,
        "$.object.definition.interactionType",
        "interaction.type",
    ),
    (
        "choices on true-false",
        lambda: interaction("true-false", choices=components("a")),
        lambda s: None,
        "$.object.definition.choices",
        "interaction.component-not-allowed",
    ),
    (
        "scale on choice",
        lambda: interaction("choice", scale=components("a")),
        lambda s: None,
        "$.object.definition.scale",
        "interaction.component-not-allowed",
    ),
    (
        "steps on matching",
        lambda: interaction("matching", steps=components("a")),
        lambda s: None,
        "$.object.definition.steps",
        "interaction.component-not-allowed",
    ),
    (
        "components without interactionType",
        M,
        _set("object.definition", {"choices": components("a")}),
        "$.object.definition.choices",
        "interaction.type-required",
    ),
    (
        "correctResponsesPattern without interactionType",
        M,
        _set("object.definition", {"correctResponsesPattern": []}),
        "$.object.definition.correctResponsesPattern",
        "interaction.type-required",
    ),
    (
        "duplicate component ids",
        lambda: interaction("choice", choices=components("a", "b", "a")),
        lambda s: None,
        "$.object.definition.choices[2].id",
        "interaction.component-id-duplicate",
    ),
    (
        "component without id",
        lambda: interaction("likert", scale=[{"description": {"en": "x"}}]),
        lambda s: None,
        "$.object.definition.scale[0].id",
        "required",
    ),
    (
        "correctResponsesPattern not strings",
        lambda: interaction("numeric"),
        _set("object.definition.correctResponsesPattern", [4]),
        "$.object.definition.correctResponsesPattern[0]",
        "type",
    ),
    (
        "correctResponsesPattern string",
        lambda: interaction("numeric"),
        _set("object.definition.correctResponsesPattern", "4"),
        "$.object.definition.correctResponsesPattern",
        "type",
    ),
    # attachments
    ("attachment missing sha2", F, _del("attachments.0.sha2"), "$.attachments[0].sha2", "required"),
    ("attachment missing display", F, _del("attachments.0.display"), "$.attachments[0].display", "required"),
    (
        "attachment missing usageType",
        F,
        _del("attachments.0.usageType"),
        "$.attachments[0].usageType",
        "required",
    ),
    (
        "attachment length string",
        F,
        _set("attachments.0.length", "4235"),
        "$.attachments[0].length",
        "attachment.length",
    ),
    (
        "attachment length negative",
        F,
        _set("attachments.0.length", -1),
        "$.attachments[0].length",
        "attachment.length",
    ),
    (
        "attachment length float",
        F,
        _set("attachments.0.length", 1.5),
        "$.attachments[0].length",
        "attachment.length",
    ),
    (
        "attachment sha2 wrong size",
        F,
        _set("attachments.0.sha2", "abc123"),
        "$.attachments[0].sha2",
        "attachment.sha2",
    ),
    (
        "attachment sha2 between sizes",
        F,
        _set("attachments.0.sha2", "c" * 60),
        "$.attachments[0].sha2",
        "attachment.sha2",
    ),
    (
        "attachment usageType not IRI",
        F,
        _set("attachments.0.usageType", "signature"),
        "$.attachments[0].usageType",
        "iri",
    ),
    (
        "attachment contentType invalid",
        F,
        _set("attachments.0.contentType", "pdf"),
        "$.attachments[0].contentType",
        "attachment.content-type",
    ),
    (
        "attachment display not lang map",
        F,
        _set("attachments.0.display", {"Signature": "x"}),
        "$.attachments[0].display.Signature",
        "language-tag",
    ),
    (
        "attachment fileUrl not IRL",
        F,
        _set("attachments.0.fileUrl", "file.pdf"),
        "$.attachments[0].fileUrl",
        "irl",
    ),
    ("attachments not array", M, _set("attachments", {}), "$.attachments", "type"),
    # ADL LRS conformance suite (languages.js, activities.js): empty maps and definitions are rejected
    (
        "verb display empty",
        M,
        _set("verb", {"id": "http://x.example/v", "display": {}}),
        "$.verb.display",
        "language-map.empty",
    ),
    (
        "attachment display empty",
        F,
        _set("attachments.0.display", {}),
        "$.attachments[0].display",
        "language-map.empty",
    ),
    (
        "attachment description empty",
        F,
        _set("attachments.0.description", {}),
        "$.attachments[0].description",
        "language-map.empty",
    ),
    (
        "definition name empty",
        M,
        _set("object", {"id": "http://x.example/a", "definition": {"name": {}}}),
        "$.object.definition.name",
        "language-map.empty",
    ),
    (
        "definition empty",
        M,
        _set("object", {"id": "http://x.example/a", "definition": {}}),
        "$.object.definition",
        "definition.empty",
    ),
    (
        "component description reserved 4-letter tag",
        M,
        _set(
            "object",
            {
                "id": "http://x.example/a",
                "definition": {
                    "interactionType": "choice",
                    "choices": [{"id": "valid", "description": {"test": "value"}}],
                },
            },
        ),
        "$.object.definition.choices[0].description.test",
        "language-tag",
    ),
    (
        "display tag a12345",
        M,
        _set("verb", {"id": "http://x.example/v", "display": {"a12345": "x"}}),
        "$.verb.display.a12345",
        "language-tag",
    ),
    (
        "signature attachment not octet-stream",
        F,
        lambda s: s["attachments"][0].update(
            usageType="http://adlnet.gov/expapi/attachments/signature",
            contentType="text/plain; charset=ascii",
        ),
        "$.attachments[0].contentType",
        "attachment.signature-content-type",
    ),
    # version
    ("version 1.1.0", M, _set("version", "1.1.0"), "$.version", "version"),
    ("version 0.95", M, _set("version", "0.95"), "$.version", "version"),
    ("version 1.0.", M, _set("version", "1.0."), "$.version", "version"),
    ("version 0.9.9", M, _set("version", "0.9.9"), "$.version", "version"),
    ("version 1.0.3 with suffix", M, _set("version", "1.0.3-beta"), "$.version", "version"),
    ("version 2.0.0", M, _set("version", "2.0.0"), "$.version", "version"),
    ("version number", M, _set("version", 1.0), "$.version", "type"),
]


@pytest.mark.parametrize("build, change, path, rule", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_statement_reports_path_and_rule(build, change, path, rule):
    statement = mutate(build(), change)
    found = pairs(statement)
    assert (path, rule) in found, f"expected {(path, rule)}, got {sorted(found)}"
    assert rule in RULES


def test_every_error_has_path_rule_and_message():
    statement = mutate(full(), lambda s: s.update(version="2.0", timestamp="2023-02-30T00:00:00Z", actor={}))
    errors = validate_statement(statement)
    assert len(errors) >= 3
    for error in errors:
        assert set(error) == {"path", "rule", "message"}
        assert error["path"].startswith("$") and error["message"]
        assert error["rule"] in RULES


def test_all_errors_reported_not_only_the_first():
    statement = {
        "actor": {"mbox": "x"},
        "verb": {"id": "nope"},
        "object": {"id": "also nope"},
        "timestamp": "2021-02-29T00:00:00Z",
        "version": "0.9",
    }
    assert pairs(statement) >= {
        ("$.actor.mbox", "mbox"),
        ("$.verb.id", "iri"),
        ("$.object.id", "iri"),
        ("$.timestamp", "timestamp.calendar"),
        ("$.version", "version"),
    }


@pytest.mark.parametrize("value", [None, [], "statement", 3])
def test_non_object_statement(value):
    assert pairs(value) == {("$", "type")}


def test_extension_values_are_never_validated():
    statement = mutate(
        minimal(),
        lambda s: s.update(
            result={
                "extensions": {
                    "http://example.com/ext": {"Anything": [None, "goes", {"objectType": "agent"}]}
                }
            }
        ),
    )
    assert validate_statement(statement) == []


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "en-US",
        "zh-Hant-TW",
        "es-419",
        "sr-Latn-RS",
        "de-CH-1901",
        "tlh",
        "x-private",
        "en-a-bbb-x-a-ccc",
        "i-klingon",
        "EN-us",
        "zh-yue-HK",
        "hy-Latn-IT-arevela",
    ],
)
def test_language_tags_accepted(tag):
    assert is_language_tag(tag)


@pytest.mark.parametrize(
    "tag",
    [
        "",
        "e",
        "english-US-",
        "en_US",
        "en--US",
        "123",
        "en-US-",
        "a-DE",
        "en-a-b",
        "de-419-DE",
        "en-a-bbb-a-ccc",
        "toolongtag-US",
        "test",
        "abcd-US",
    ],
)
def test_language_tags_rejected(tag):
    assert not is_language_tag(tag)


@pytest.mark.parametrize(
    "value",
    [
        "2024-02-29T00:00:00Z",
        "2013-05-18T05:32:34.804+00:00",
        "2013-05-18T05:32:34.804+0530",
        "2013-05-18T05:32Z",
        "2013-05-18t05:32:34z",
        "20130518T053234,5-04",
        "2000-02-29T23:59:59+14:00",
    ],
)
def test_timestamps_accepted(value):
    assert timestamp_problem(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "PT4H35M59.14S",
        "P3Y1M29DT4H35M59.14S",
        "P3Y",
        "P4W",
        "PT1H0M0S",
        "PT0S",
        "P1M",
        "PT1M",
        "P1DT12H",
        "P0.5Y",
        "PT1,5S",
    ],
)
def test_durations_accepted(value):
    assert is_duration(value)
