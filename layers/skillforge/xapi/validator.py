"""Strict xAPI 1.0.3 statement validation (Data section: every MUST an LRS enforces on statements).

A hand-written recursive checker over the parsed JSON with precompiled regular expressions: it reports
every problem of a statement (not only the first) as `{"path", "rule", "message"}`, where `path` is a
JSONPath (`$.context.contextActivities.parent[0].id`) and `rule` a short stable id (see RULES). Most xAPI
rules are cross-field (exactly one identifier, revision only with an Activity object, components allowed
by the interaction type, voiding needs a StatementRef) and each needs its own rule id, so they are plain
Python either way; the walk keeps them in one place and runs at tens of thousands of statements per
second (tests/benchmarks/bench_xapi.py). The report shapes are pydantic models (skillforge.xapi.models).

Decisions where the specification leaves room (documented in docs and tests):
- Unknown properties are rejected everywhere except inside `extensions` values (any JSON is allowed
  there, and an LRS MUST NOT reject a statement based on extension values).
- An anonymous Group needs a non-empty `member` array ("listing constituent Agents").
- Timestamps are ISO 8601 combined date-time (extended or basic format, not mixed), seconds and fraction
  optional, with a date that exists and an offset that is not the "unknown" negative zero (-00:00).
- Durations follow ISO 8601:2004 4.4.3.2 strictly (time components need `T`; weeks stand alone; only
  the last component may carry a fraction). The spec's own example `P16559.14S` is therefore invalid.
- `authority` is an Agent, or a Group of exactly two Agents (3-legged OAuth).
- Language maps and Activity definitions may not be empty, and a language tag's primary subtag may not be
  the 4-letter form RFC 5646 reserves (as the ADL LRS conformance suite expects: `{"test": ...}` fails).
- Statement `version` is "1.0" or "1.0.<patch>" (the conformance suite sends "1.0" and expects 200).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

RULES = {
    "type": "the value has the wrong JSON type",
    "required": "a required property is missing",
    "unknown-property": "a property not defined by xAPI 1.0.3 (keys are case sensitive)",
    "object-type": "objectType is not one of the values allowed here (case sensitive)",
    "ifi.exactly-one": "an Agent or identified Group needs exactly one inverse functional identifier",
    "mbox": "mbox must be a mailto: IRI with an address",
    "mbox-sha1sum": "mbox_sha1sum must be 40 hexadecimal characters",
    "iri": "an IRI with a scheme is required",
    "irl": "an IRL (scheme://...) is required",
    "group.members-required": "an anonymous Group must list its member Agents",
    "group.member-not-agent": "Group members must be Agents, not Groups",
    "team.group": "context.team must be a Group",
    "authority.group": "a Group authority must have exactly two Agent members (3-legged OAuth)",
    "language-tag": "language map keys and context.language must be RFC 5646 language tags",
    "language-map.empty": "a language map needs at least one entry",
    "definition.empty": "an Activity definition needs at least one property",
    "uuid": "a UUID in standard string form (8-4-4-4-12 hex) is required",
    "timestamp": "an ISO 8601 date-time is required",
    "timestamp.calendar": "the date or time does not exist on the calendar",
    "timestamp.offset": "the UTC offset is invalid (the negative zero offset -00:00 is not allowed)",
    "duration": "an ISO 8601 duration (PnYnMnDTnHnMnS or PnW) is required",
    "score.scaled": "score.scaled must be between -1 and 1 inclusive",
    "score.min-max": "score.min must be less than score.max",
    "score.raw": "score.raw must be between min and max inclusive",
    "context.revision": "context.revision is only allowed when the statement's object is an Activity",
    "context.platform": "context.platform is only allowed when the statement's object is an Activity",
    "context-activities.key": "contextActivities keys are parent, grouping, category, other",
    "context-activities.value": "contextActivities values are an Activity or an array of Activities",
    "substatement.property": "a SubStatement must not have id, stored, version or authority",
    "substatement.nested": "a SubStatement must not contain a SubStatement",
    "interaction.type": "interactionType must be one of the xAPI interaction types",
    "interaction.type-required": "interaction properties require an interactionType",
    "interaction.component-not-allowed": "this interaction component list is not allowed for the interactionType",
    "interaction.component-id-duplicate": "interaction component ids must be distinct within a list",
    "attachment.length": "attachment length must be a non-negative integer",
    "attachment.sha2": "attachment sha2 must be a hex SHA-2 digest (224, 256, 384 or 512 bits)",
    "attachment.content-type": "attachment contentType must be an Internet Media Type",
    "attachment.signature-content-type": "a signature attachment (usageType .../attachments/signature) must have "
    "contentType application/octet-stream",
    "voiding.object": "a voiding statement's object must be a StatementRef",
    "version": "version must be 1.0 or 1.0.x",
    "number": "a finite JSON number is required",
}

# -- lexical rules -------------------------------------------------------------------------------------
_IRI_FORBIDDEN = r"\s<>\"{}|\\^`\x00-\x1f\x7f"
_IRI = re.compile(rf"^[A-Za-z][A-Za-z0-9+.\-]*:[^{_IRI_FORBIDDEN}]+$")
# Every pattern here must run in linear time on untrusted text (tests/xapi/test_hostile_input.py feeds 1 MB
# strings): no two adjacent repeats that can match the same characters. `[^F/?#]+[^F]*` was quadratic on a
# long authority followed by a forbidden character; one authority character then `[^F]*` means the same.
_IRL = re.compile(rf"^[A-Za-z][A-Za-z0-9+.\-]*://[^{_IRI_FORBIDDEN}/?#][^{_IRI_FORBIDDEN}]*$")
_MBOX = re.compile(rf"^mailto:[^{_IRI_FORBIDDEN}@]+@[^{_IRI_FORBIDDEN}@]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
# Data 2.4.11: "the SHA-2 hash of the Attachment data" - any SHA-2 digest (224, 256, 384 or 512 bits).
_SHA2 = re.compile(r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# "1.0" or "1.0.x" (Data 2.4.10 / Communication 3.3; the ADL conformance suite requires "1.0" to pass).
_VERSION = re.compile(r"^1\.0(?:\.[0-9]+)?$")
# RFC 2045/6838 type "/" subtype, then optional parameters.
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_MEDIA_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}(?:\s*;\s*{_TOKEN}=(?:{_TOKEN}|\"(?:[^\"\\]|\\.)*\"))*$")

# RFC 5646 langtag / privateuse / grandfathered (case-insensitive).
_LANGTAG = re.compile(
    r"^(?:"
    r"(?P<lang>(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{5,8}))"  # 4 letters: reserved (2.2.1)
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)"
    r"(?P<extensions>(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*)"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"
    r"|x(?:-[a-z0-9]{1,8})+"
    r")$",
    re.IGNORECASE,
)
_GRANDFATHERED = frozenset(
    t.lower()
    for t in (
        "en-GB-oed",
        "i-ami",
        "i-bnn",
        "i-default",
        "i-enochian",
        "i-hak",
        "i-klingon",
        "i-lux",
        "i-mingo",
        "i-navajo",
        "i-pwn",
        "i-tao",
        "i-tay",
        "i-tsu",
        "sgn-BE-FR",
        "sgn-BE-NL",
        "sgn-CH-DE",
        "art-lojban",
        "cel-gaulish",
        "no-bok",
        "no-nyn",
        "zh-guoyu",
        "zh-hakka",
        "zh-min",
        "zh-min-nan",
        "zh-xiang",
    )
)

# ISO 8601 date-time: extended (2024-02-29T13:05:00.123+01:00) or basic (20240229T130500Z); the
# back-references keep one format throughout.
_TIMESTAMP = re.compile(
    r"^(?P<y>[0-9]{4})(?P<ds>-?)(?P<mo>[0-9]{2})(?P=ds)(?P<d>[0-9]{2})"
    r"[Tt](?P<h>[0-9]{2})(?P<ts>:?)(?P<mi>[0-9]{2})(?:(?P=ts)(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]+))?)?"
    r"(?P<tz>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_DURATION = re.compile(
    rf"^P(?:(?P<w>{_NUM})W|(?=[0-9]|T[0-9])(?:(?P<y>{_NUM})Y)?(?:(?P<mo>{_NUM})M)?(?:(?P<d>{_NUM})D)?"
    rf"(?:T(?=[0-9])(?:(?P<h>{_NUM})H)?(?:(?P<mi>{_NUM})M)?(?:(?P<s>{_NUM})S)?)?)$"
)
_DURATION_PARTS = ("y", "mo", "d", "h", "mi", "s")

INTERACTION_COMPONENTS = {
    "true-false": (),
    "fill-in": (),
    "long-fill-in": (),
    "numeric": (),
    "other": (),
    "choice": ("choices",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "matching": ("source", "target"),
    "performance": ("steps",),
}
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")

STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
SUBSTATEMENT_FORBIDDEN = frozenset({"id", "stored", "version", "authority"})
AGENT_KEYS = frozenset({"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
GROUP_KEYS = AGENT_KEYS | {"member"}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
ACCOUNT_KEYS = frozenset({"homePage", "name"})
VERB_KEYS = frozenset({"id", "display"})
ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *_COMPONENT_LISTS,
    }
)
COMPONENT_KEYS = frozenset({"id", "description"})
STATEMENT_REF_KEYS = frozenset({"objectType", "id"})
RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
CONTEXT_KEYS = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
CONTEXT_ACTIVITY_KEYS = frozenset({"parent", "grouping", "category", "other"})
ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)

_JSON_TYPE = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}

Error = dict[str, str]


def error(path: str, rule: str, message: str) -> Error:
    """One problem with a statement: where (a JSONPath), which rule, and what is wrong, never the value."""
    return {"path": path, "rule": rule, "message": message}


def _json_type(value: Any) -> str:
    return _JSON_TYPE.get(type(value), type(value).__name__)


class _Checker:
    """Collects errors for one statement; methods are named after the xAPI object they check."""

    __slots__ = ("errors",)

    def __init__(self) -> None:
        self.errors: list[Error] = []

    def err(self, path: str, rule: str, message: str) -> None:
        self.errors.append(error(path, rule, message))

    # -- generic helpers -----------------------------------------------------------------------------
    def obj(self, value: Any, path: str, what: str) -> bool:
        if type(value) is dict:
            return True
        self.err(path, "type", f"{what} must be a JSON object, got {_json_type(value)}")
        return False

    def keys(self, value: dict, allowed: frozenset, path: str, what: str) -> None:
        for key in value:
            if key not in allowed:
                self.err(
                    f"{path}.{key}",
                    "unknown-property",
                    f"{key!r} is not a property of {what} in xAPI 1.0.3 (properties are case sensitive)",
                )

    def string(self, value: Any, path: str) -> bool:
        if type(value) is str:
            return True
        self.err(path, "type", f"must be a string, got {_json_type(value)}")
        return False

    def boolean(self, value: Any, path: str) -> None:
        if type(value) is not bool:
            self.err(path, "type", f"must be a boolean, got {_json_type(value)}")

    def number(self, value: Any, path: str) -> bool:
        t = type(value)
        if t is int or (t is float and math.isfinite(value)):
            return True
        self.err(
            path, "number" if t is float else "type", f"must be a finite number, got {_json_type(value)}"
        )
        return False

    def iri(self, value: Any, path: str) -> None:
        if self.string(value, path) and not _IRI.match(value):
            self.err(path, "iri", f"{value!r} is not an IRI with a scheme (e.g. https://example.com/x)")

    def irl(self, value: Any, path: str) -> None:
        if self.string(value, path) and not _IRL.match(value):
            self.err(path, "irl", f"{value!r} is not an IRL (scheme://host/...)")

    def uuid(self, value: Any, path: str) -> None:
        if self.string(value, path) and not _UUID.match(value):
            self.err(path, "uuid", f"{value!r} is not a UUID in standard string form")

    def lang_tag(self, value: Any, path: str) -> None:
        if self.string(value, path) and not is_language_tag(value):
            self.err(path, "language-tag", f"{value!r} is not an RFC 5646 language tag")

    def lang_map(self, value: Any, path: str) -> None:
        if not self.obj(value, path, "a language map"):
            return
        if not value:
            self.err(path, "language-map.empty", "a language map needs at least one language tag/string pair")
        for tag, text in value.items():
            if not is_language_tag(tag):
                self.err(f"{path}.{tag}", "language-tag", f"{tag!r} is not an RFC 5646 language tag")
            if type(text) is not str:
                self.err(
                    f"{path}.{tag}", "type", f"language map values must be strings, got {_json_type(text)}"
                )

    def extensions(self, value: Any, path: str) -> None:
        if not self.obj(value, path, "extensions"):
            return
        for key in value:
            if not _IRI.match(key):
                self.err(f"{path}.{key}", "iri", f"extension key {key!r} is not an IRI with a scheme")

    def timestamp(self, value: Any, path: str) -> None:
        if self.string(value, path):
            problem = timestamp_problem(value)
            if problem:
                self.err(path, problem[0], problem[1])

    # -- actors ----------------------------------------------------------------------------------------
    def actor(self, value: Any, path: str) -> None:
        if not self.obj(value, path, "an Agent or Group"):
            return
        object_type = value.get("objectType", None) if "objectType" in value else _MISSING
        if object_type == "Group":
            self.group(value, path)
        elif object_type is _MISSING or object_type == "Agent":
            self.agent(value, path)
        else:
            self.err(
                f"{path}.objectType",
                "object-type",
                f"objectType must be 'Agent' or 'Group' here, got {object_type!r}",
            )

    def agent(self, value: dict, path: str) -> None:
        self.keys(value, AGENT_KEYS, path, "an Agent")
        if "name" in value:
            self.string(value["name"], f"{path}.name")
        count = self.ifis(value, path)
        if count != 1:
            self.err(
                path,
                "ifi.exactly-one",
                f"an Agent needs exactly one of mbox, mbox_sha1sum, openid, account; found {count}",
            )

    def group(self, value: dict, path: str, *, authority: bool = False) -> None:
        self.keys(value, GROUP_KEYS, path, "a Group")
        if "name" in value:
            self.string(value["name"], f"{path}.name")
        count = self.ifis(value, path)
        if count > 1:
            self.err(
                path,
                "ifi.exactly-one",
                f"an identified Group needs exactly one of mbox, mbox_sha1sum, openid, account; found {count}",
            )
        members = value.get("member", _MISSING) if "member" in value else _MISSING
        if members is _MISSING:
            if count == 0:
                self.err(
                    f"{path}.member",
                    "group.members-required",
                    "an anonymous Group (no identifier) must list its members",
                )
            return
        if type(members) is not list:
            self.err(
                f"{path}.member", "type", f"member must be an array of Agents, got {_json_type(members)}"
            )
            return
        if count == 0 and not members:
            self.err(
                f"{path}.member", "group.members-required", "an anonymous Group must list at least one member"
            )
        for i, member in enumerate(members):
            mpath = f"{path}.member[{i}]"
            if not self.obj(member, mpath, "a Group member"):
                continue
            mtype = member.get("objectType", "Agent")
            if mtype == "Group":
                self.err(mpath, "group.member-not-agent", "a Group's members must be Agents, not Groups")
            elif mtype != "Agent":
                self.err(
                    f"{mpath}.objectType",
                    "object-type",
                    f"a member's objectType must be 'Agent', got {mtype!r}",
                )
            else:
                self.agent(member, mpath)
        if authority and (count != 0 or len(members) != 2):
            self.err(
                path,
                "authority.group",
                "a Group authority must be an anonymous Group of exactly two Agents (OAuth consumer and user)",
            )

    def ifis(self, value: dict, path: str) -> int:
        count = 0
        if "mbox" in value:
            count += 1
            mbox = value["mbox"]
            if self.string(mbox, f"{path}.mbox") and not _MBOX.match(mbox):
                self.err(f"{path}.mbox", "mbox", f"{mbox!r} is not a mailto: IRI (mailto:name@example.com)")
        if "mbox_sha1sum" in value:
            count += 1
            sha = value["mbox_sha1sum"]
            if self.string(sha, f"{path}.mbox_sha1sum") and not _SHA1.match(sha):
                self.err(
                    f"{path}.mbox_sha1sum", "mbox-sha1sum", "mbox_sha1sum must be 40 hexadecimal characters"
                )
        if "openid" in value:
            count += 1
            self.iri(value["openid"], f"{path}.openid")
        if "account" in value:
            count += 1
            account, apath = value["account"], f"{path}.account"
            if self.obj(account, apath, "an account"):
                self.keys(account, ACCOUNT_KEYS, apath, "an account")
                if "homePage" in account:
                    self.irl(account["homePage"], f"{apath}.homePage")
                else:
                    self.err(f"{apath}.homePage", "required", "an account needs homePage (an IRL)")
                if "name" in account:
                    self.string(account["name"], f"{apath}.name")
                else:
                    self.err(f"{apath}.name", "required", "an account needs name")
        return count

    # -- verb, object, activity --------------------------------------------------------------------
    def verb(self, value: Any, path: str) -> str | None:
        if not self.obj(value, path, "a Verb"):
            return None
        self.keys(value, VERB_KEYS, path, "a Verb")
        verb_id = value.get("id")
        if "id" in value:
            self.iri(verb_id, f"{path}.id")
        else:
            self.err(f"{path}.id", "required", "a Verb needs id (an IRI)")
        if "display" in value:
            self.lang_map(value["display"], f"{path}.display")
        return verb_id if type(verb_id) is str else None

    def object(self, value: Any, path: str, *, in_substatement: bool) -> str | None:
        """Check a statement's object; returns its objectType (None when unusable)."""
        if not self.obj(value, path, "a statement object"):
            return None
        object_type = value.get("objectType", "Activity") if "objectType" in value else "Activity"
        if object_type == "Activity":
            self.activity(value, path)
        elif object_type == "Agent":
            self.agent(value, path)
        elif object_type == "Group":
            self.group(value, path)
        elif object_type == "StatementRef":
            self.statement_ref(value, path)
        elif object_type == "SubStatement":
            if in_substatement:
                self.err(path, "substatement.nested", "a SubStatement must not contain another SubStatement")
            else:
                self.statement(value, path, substatement=True)
        else:
            self.err(
                f"{path}.objectType",
                "object-type",
                "objectType must be one of Activity, Agent, Group, SubStatement, StatementRef "
                f"(case sensitive), got {object_type!r}",
            )
            return None
        return object_type

    def activity(self, value: Any, path: str) -> None:
        if not self.obj(value, path, "an Activity"):
            return
        self.keys(value, ACTIVITY_KEYS, path, "an Activity")
        if "objectType" in value and value["objectType"] != "Activity":
            self.err(
                f"{path}.objectType",
                "object-type",
                f"objectType must be 'Activity' here, got {value['objectType']!r}",
            )
        if "id" in value:
            self.iri(value["id"], f"{path}.id")
        else:
            self.err(f"{path}.id", "required", "an Activity needs id (an IRI)")
        if "definition" in value:
            self.definition(value["definition"], f"{path}.definition")

    def definition(self, value: Any, path: str) -> None:
        if not self.obj(value, path, "an Activity definition"):
            return
        self.keys(value, DEFINITION_KEYS, path, "an Activity definition")
        if not value:
            self.err(
                path,
                "definition.empty",
                "an Activity definition needs at least one of name, description, "
                "type, moreInfo, interactionType, extensions (omit it otherwise)",
            )
        for key in ("name", "description"):
            if key in value:
                self.lang_map(value[key], f"{path}.{key}")
        if "type" in value:
            self.iri(value["type"], f"{path}.type")
        if "moreInfo" in value:
            self.irl(value["moreInfo"], f"{path}.moreInfo")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")
        allowed: tuple[str, ...] | None = None
        if "interactionType" in value:
            itype = value["interactionType"]
            if self.string(itype, f"{path}.interactionType"):
                allowed = INTERACTION_COMPONENTS.get(itype)
                if allowed is None:
                    self.err(
                        f"{path}.interactionType",
                        "interaction.type",
                        f"{itype!r} is not one of {', '.join(INTERACTION_COMPONENTS)} (case sensitive)",
                    )
        interaction_keys = [k for k in ("correctResponsesPattern", *_COMPONENT_LISTS) if k in value]
        if interaction_keys and "interactionType" not in value:
            for key in interaction_keys:
                self.err(
                    f"{path}.{key}",
                    "interaction.type-required",
                    f"{key} makes this an interaction Activity, which needs interactionType",
                )
        if "correctResponsesPattern" in value:
            crp, cpath = value["correctResponsesPattern"], f"{path}.correctResponsesPattern"
            if type(crp) is not list:
                self.err(
                    cpath,
                    "type",
                    f"correctResponsesPattern must be an array of strings, got {_json_type(crp)}",
                )
            else:
                for i, pattern in enumerate(crp):
                    self.string(pattern, f"{cpath}[{i}]")
        for key in _COMPONENT_LISTS:
            if key not in value:
                continue
            lpath = f"{path}.{key}"
            if allowed is not None and key not in allowed:
                self.err(
                    lpath,
                    "interaction.component-not-allowed",
                    f"{key} is not used with interactionType {value['interactionType']!r}"
                    + (f" (allowed: {', '.join(allowed)})" if allowed else " (no component lists)"),
                )
            self.components(value[key], lpath)

    def components(self, value: Any, path: str) -> None:
        if type(value) is not list:
            self.err(path, "type", f"must be an array of interaction components, got {_json_type(value)}")
            return
        seen: set[str] = set()
        for i, component in enumerate(value):
            cpath = f"{path}[{i}]"
            if not self.obj(component, cpath, "an interaction component"):
                continue
            self.keys(component, COMPONENT_KEYS, cpath, "an interaction component")
            if "id" not in component:
                self.err(f"{cpath}.id", "required", "an interaction component needs id")
            elif self.string(component["id"], f"{cpath}.id"):
                if component["id"] in seen:
                    self.err(
                        f"{cpath}.id",
                        "interaction.component-id-duplicate",
                        f"component id {component['id']!r} appears more than once in this list",
                    )
                seen.add(component["id"])
            if "description" in component:
                self.lang_map(component["description"], f"{cpath}.description")

    def statement_ref(self, value: Any, path: str) -> None:
        if not self.obj(value, path, "a StatementRef"):
            return
        self.keys(value, STATEMENT_REF_KEYS, path, "a StatementRef")
        if value.get("objectType") != "StatementRef":
            if "objectType" in value:
                self.err(
                    f"{path}.objectType",
                    "object-type",
                    f"objectType must be 'StatementRef', got {value['objectType']!r}",
                )
            else:
                self.err(f"{path}.objectType", "required", "a StatementRef needs objectType 'StatementRef'")
        if "id" in value:
            self.uuid(value["id"], f"{path}.id")
        else:
            self.err(f"{path}.id", "required", "a StatementRef needs id (the referenced statement's UUID)")

    # -- result, context, attachments --------------------------------------------------------------
    def result(self, value: Any, path: str) -> None:
        if not self.obj(value, path, "a Result"):
            return
        self.keys(value, RESULT_KEYS, path, "a Result")
        if "score" in value:
            self.score(value["score"], f"{path}.score")
        for key in ("success", "completion"):
            if key in value:
                self.boolean(value[key], f"{path}.{key}")
        if "response" in value:
            self.string(value["response"], f"{path}.response")
        if (
            "duration" in value
            and self.string(value["duration"], f"{path}.duration")
            and not is_duration(value["duration"])
        ):
            self.err(
                f"{path}.duration",
                "duration",
                f"{value['duration']!r} is not an ISO 8601 duration (e.g. PT1H30M, P3D, P2W)",
            )
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")

    def score(self, value: Any, path: str) -> None:
        if not self.obj(value, path, "a Score"):
            return
        self.keys(value, SCORE_KEYS, path, "a Score")
        ok = {
            key: self.number(value[key], f"{path}.{key}")
            for key in ("scaled", "raw", "min", "max")
            if key in value
        }
        if ok.get("scaled") and not -1 <= value["scaled"] <= 1:
            self.err(f"{path}.scaled", "score.scaled", f"scaled is {value['scaled']}, outside -1..1")
        lo = value["min"] if ok.get("min") else None
        hi = value["max"] if ok.get("max") else None
        if lo is not None and hi is not None and not lo < hi:
            self.err(f"{path}.min", "score.min-max", f"min ({lo}) must be less than max ({hi})")
        if ok.get("raw"):
            raw = value["raw"]
            if lo is not None and raw < lo:
                self.err(f"{path}.raw", "score.raw", f"raw ({raw}) is below min ({lo})")
            if hi is not None and raw > hi:
                self.err(f"{path}.raw", "score.raw", f"raw ({raw}) is above max ({hi})")

    def context(self, value: Any, path: str, object_type: str | None) -> None:
        if not self.obj(value, path, "a Context"):
            return
        self.keys(value, CONTEXT_KEYS, path, "a Context")
        if "registration" in value:
            self.uuid(value["registration"], f"{path}.registration")
        if "instructor" in value:
            self.actor(value["instructor"], f"{path}.instructor")
        if "team" in value:
            team, tpath = value["team"], f"{path}.team"
            if self.obj(team, tpath, "a Group"):
                if team.get("objectType") != "Group":
                    self.err(
                        f"{tpath}.objectType",
                        "team.group",
                        f"context.team must be a Group (objectType 'Group'), got {team.get('objectType')!r}",
                    )
                else:
                    self.group(team, tpath)
        if "contextActivities" in value:
            self.context_activities(value["contextActivities"], f"{path}.contextActivities")
        for key in ("revision", "platform"):
            if key in value:
                self.string(value[key], f"{path}.{key}")
                if object_type is not None and object_type != "Activity":
                    self.err(
                        f"{path}.{key}",
                        f"context.{key}",
                        f"context.{key} is only allowed when the object is an Activity, not a {object_type}",
                    )
        if "language" in value:
            self.lang_tag(value["language"], f"{path}.language")
        if "statement" in value:
            self.statement_ref(value["statement"], f"{path}.statement")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")

    def context_activities(self, value: Any, path: str) -> None:
        if not self.obj(value, path, "contextActivities"):
            return
        for key, activities in value.items():
            kpath = f"{path}.{key}"
            if key not in CONTEXT_ACTIVITY_KEYS:
                self.err(
                    kpath,
                    "context-activities.key",
                    f"{key!r} is not a contextActivities key (parent, grouping, category, other; case sensitive)",
                )
                continue
            if type(activities) is dict:
                self.activity(activities, kpath)
            elif type(activities) is list:
                for i, activity in enumerate(activities):
                    self.activity(activity, f"{kpath}[{i}]")
            else:
                self.err(
                    kpath,
                    "context-activities.value",
                    f"must be an Activity or an array of Activities, got {_json_type(activities)}",
                )

    def attachments(self, value: Any, path: str) -> None:
        if type(value) is not list:
            self.err(path, "type", f"attachments must be an array, got {_json_type(value)}")
            return
        for i, attachment in enumerate(value):
            apath = f"{path}[{i}]"
            if not self.obj(attachment, apath, "an Attachment"):
                continue
            self.keys(attachment, ATTACHMENT_KEYS, apath, "an Attachment")
            for key in ("usageType", "display", "contentType", "length", "sha2"):
                if key not in attachment:
                    self.err(f"{apath}.{key}", "required", f"an Attachment needs {key}")
            if "usageType" in attachment:
                self.iri(attachment["usageType"], f"{apath}.usageType")
            if "display" in attachment:
                self.lang_map(attachment["display"], f"{apath}.display")
            if "description" in attachment:
                self.lang_map(attachment["description"], f"{apath}.description")
            if "contentType" in attachment:
                ctype = attachment["contentType"]
                if self.string(ctype, f"{apath}.contentType") and not _MEDIA_TYPE.match(ctype):
                    self.err(
                        f"{apath}.contentType",
                        "attachment.content-type",
                        f"{ctype!r} is not an Internet Media Type (type/subtype)",
                    )
                elif (
                    attachment.get("usageType") == SIGNATURE_USAGE
                    and type(ctype) is str
                    and ctype.split(";")[0].strip().lower() != "application/octet-stream"
                ):
                    self.err(
                        f"{apath}.contentType",
                        "attachment.signature-content-type",
                        f"a signature attachment's contentType must be application/octet-stream, got {ctype!r}",
                    )
            if "length" in attachment:
                length = attachment["length"]
                if type(length) is not int or length < 0:
                    self.err(
                        f"{apath}.length",
                        "attachment.length",
                        f"length must be a non-negative integer number of octets, got {length!r}",
                    )
            if "sha2" in attachment:
                sha2 = attachment["sha2"]
                if self.string(sha2, f"{apath}.sha2") and not _SHA2.match(sha2):
                    self.err(
                        f"{apath}.sha2",
                        "attachment.sha2",
                        "sha2 must be the hex SHA-2 digest of the attachment (56, 64, 96 or 128 hex characters)",
                    )
            if "fileUrl" in attachment:
                self.irl(attachment["fileUrl"], f"{apath}.fileUrl")

    # -- statement ---------------------------------------------------------------------------------
    def statement(self, value: dict, path: str, *, substatement: bool = False) -> None:
        if substatement:
            for key in value:
                if key in SUBSTATEMENT_FORBIDDEN:
                    self.err(
                        f"{path}.{key}", "substatement.property", f"a SubStatement must not have {key!r}"
                    )
                elif key not in SUBSTATEMENT_KEYS:
                    self.err(
                        f"{path}.{key}",
                        "unknown-property",
                        f"{key!r} is not a property of a SubStatement in xAPI 1.0.3 (case sensitive)",
                    )
        else:
            self.keys(value, STATEMENT_KEYS, path, "a Statement")
            if "id" in value:
                self.uuid(value["id"], f"{path}.id")
            if "stored" in value:
                self.timestamp(value["stored"], f"{path}.stored")
            if "version" in value:
                version = value["version"]
                if self.string(version, f"{path}.version") and not _VERSION.match(version):
                    self.err(f"{path}.version", "version", f"version {version!r} is not 1.0 or 1.0.x")
            if "authority" in value:
                authority, apath = value["authority"], f"{path}.authority"
                if self.obj(authority, apath, "an authority"):
                    if authority.get("objectType") == "Group":
                        self.group(authority, apath, authority=True)
                    else:
                        self.actor(authority, apath)
        for key, what in (("actor", "an Agent or Group"), ("verb", "a Verb"), ("object", "an object")):
            if key not in value:
                self.err(
                    f"{path}.{key}",
                    "required",
                    f"a {'SubStatement' if substatement else 'Statement'} needs {key} ({what})",
                )
        if "actor" in value:
            self.actor(value["actor"], f"{path}.actor")
        verb_id = self.verb(value["verb"], f"{path}.verb") if "verb" in value else None
        object_type = None
        if "object" in value:
            object_type = self.object(value["object"], f"{path}.object", in_substatement=substatement)
        if (
            verb_id == VOIDED_VERB
            and not substatement
            and "object" in value
            and object_type != "StatementRef"
        ):
            self.err(
                f"{path}.object",
                "voiding.object",
                "a voiding statement (verb http://adlnet.gov/expapi/verbs/voided) must have a StatementRef "
                "object naming the voided statement",
            )
        if "result" in value:
            self.result(value["result"], f"{path}.result")
        if "context" in value:
            self.context(value["context"], f"{path}.context", object_type)
        if "timestamp" in value:
            self.timestamp(value["timestamp"], f"{path}.timestamp")
        if "attachments" in value:
            self.attachments(value["attachments"], f"{path}.attachments")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


# -- public API -------------------------------------------------------------------------------------
def validate_statement(statement: Any) -> list[Error]:
    """Every violation of xAPI 1.0.3 in one statement (an empty list when it is valid)."""
    checker = _Checker()
    if type(statement) is not dict:
        checker.err("$", "type", f"a statement must be a JSON object, got {_json_type(statement)}")
        return checker.errors
    unicode_errors = _unicode_errors(statement)
    if unicode_errors:  # nothing downstream (UTF-8 storage, error messages) can handle such a string
        return unicode_errors
    checker.statement(statement, "$")
    return checker.errors


# JSON's \ud800 escapes decode to lone surrogates (a valid pair becomes one character): not Unicode text.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unicode_errors(statement: dict) -> list[Error]:
    try:
        json.dumps(statement, ensure_ascii=False).encode("utf-8")  # one C-speed pass finds any
    except UnicodeEncodeError:
        pass
    except (TypeError, ValueError):  # not JSON data at all: the checker reports it field by field
        return []
    else:
        return []
    found: list[Error] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, str):
            if _SURROGATE.search(value):
                found.append(error(path, "string.unicode", _UNICODE_MESSAGE))
        elif isinstance(value, dict):
            for key, child in value.items():
                if isinstance(key, str) and _SURROGATE.search(key):
                    found.append(error(path, "string.unicode", "a property name " + _UNICODE_MESSAGE))
                    continue
                walk(child, f"{path}.{key}")
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, f"{path}[{i}]")

    walk(statement, "$")
    return found[:20]


_UNICODE_MESSAGE = "must be Unicode text: it contains a lone surrogate escape (\\ud800-\\udfff)"


def validate_statements(statements: Iterable[Any]) -> list[list[Error]]:
    return [validate_statement(s) for s in statements]


# Only plausible tags are remembered: 10,000 one-megabyte keys would be a memory exhaustion.
MAX_CACHED_LANGUAGE_TAGS = 10_000
MAX_CACHED_LANGUAGE_TAG_LENGTH = 64
_lang_cache: dict[str, bool] = {}


def is_language_tag(tag: str) -> bool:
    cached = _lang_cache.get(tag)
    if cached is not None:
        return cached
    result = _check_language_tag(tag) if type(tag) is str else False
    if len(_lang_cache) < MAX_CACHED_LANGUAGE_TAGS and len(tag) <= MAX_CACHED_LANGUAGE_TAG_LENGTH:
        _lang_cache[tag] = result
    return result


def _check_language_tag(tag: str) -> bool:
    if tag.lower() in _GRANDFATHERED:
        return True
    match = _LANGTAG.match(tag)
    if not match:
        return False
    # RFC 5646 2.2.5/2.2.6: a variant or extension singleton must not repeat.
    variants = [v.lower() for v in (match.group("variants") or "").split("-") if v]
    if len(variants) != len(set(variants)):
        return False
    ext = match.group("extensions") or ""
    singletons = [p.lower() for p in ext.split("-") if len(p) == 1]
    return len(singletons) == len(set(singletons))


def timestamp_problem(value: str) -> tuple[str, str] | None:
    """None when `value` is a valid ISO 8601 date-time that exists, else (rule, message)."""
    m = _TIMESTAMP.match(value)
    if not m:
        return ("timestamp", f"{value!r} is not an ISO 8601 date-time (e.g. 2024-05-01T13:45:00.000Z)")
    year, month, day = int(m["y"]), int(m["mo"]), int(m["d"])
    try:
        date(year, month, day)
    except ValueError:
        return (
            "timestamp.calendar",
            f"{value!r}: {year:04d}-{month:02d}-{day:02d} does not exist on the calendar",
        )
    hour, minute = int(m["h"]), int(m["mi"])
    second = int(m["s"]) if m["s"] else 0
    if hour > 23 or minute > 59 or second > 59:
        return ("timestamp.calendar", f"{value!r}: {m['h']}:{m['mi']}:{m['s'] or '00'} is not a time of day")
    tz = m["tz"]
    if tz and tz not in ("Z", "z"):
        digits = tz[1:].replace(":", "")
        off_h, off_m = int(digits[:2]), int(digits[2:] or 0)
        if off_h > 23 or off_m > 59:
            return ("timestamp.offset", f"{value!r}: UTC offset {tz} is not valid")
        if tz[0] == "-" and off_h == 0 and off_m == 0:
            return (
                "timestamp.offset",
                f"{value!r}: the negative zero offset {tz} is not allowed; use Z or +00:00",
            )
    return None


def is_duration(value: str) -> bool:
    m = _DURATION.match(value)
    if not m:
        return False
    if m["w"] is not None:
        return True
    present = [m[p] for p in _DURATION_PARTS if m[p] is not None]
    # ISO 8601: only the lowest-order component present may have a decimal fraction.
    return all("." not in p and "," not in p for p in present[:-1])
