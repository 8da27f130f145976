"""Statement comparison (xAPI 1.0.3 Data 2.3.1): the content hash that makes intake idempotent by id."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from skillforge.xapi.timestamps import parse_timestamp


def content_hash(statement: dict) -> str:
    """SHA-256 of the statement's comparable form (xAPI 1.0.3 Data 2.3.1, Statement Comparison Requirements):
    differences that Statement immutability's exceptions could cause are ignored - LRS-assigned properties
    (id, authority, stored, version), Activity definitions, Verb display, attachments, the serialisation of
    timestamps (compared as instants), the order of Group members, single versus array contextActivities,
    and case where the value is case-insensitive (UUIDs, the domain of an mbox). Everything else counts."""
    text = json.dumps(
        _comparable(statement, top=True), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _comparable_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    out = dict(agent)
    if isinstance(out.get("mbox"), str) and "@" in out["mbox"]:
        local, _, domain = out["mbox"].rpartition("@")
        out["mbox"] = f"{local}@{domain.lower()}"
    if isinstance(out.get("mbox_sha1sum"), str):
        out["mbox_sha1sum"] = out["mbox_sha1sum"].lower()
    if isinstance(out.get("member"), list):
        members = [_comparable_agent(m) for m in out["member"]]
        out["member"] = sorted(members, key=lambda m: json.dumps(m, sort_keys=True))
    return out


def _comparable_activity(activity: Any) -> Any:
    if isinstance(activity, dict):
        return {k: v for k, v in activity.items() if k != "definition"}
    return activity


def _comparable(statement: dict, *, top: bool) -> dict:
    out = {
        k: v for k, v in statement.items() if k not in ("id", "authority", "stored", "version", "attachments")
    }
    if "actor" in out:
        out["actor"] = _comparable_agent(out["actor"])
    if isinstance(out.get("verb"), dict):
        out["verb"] = {k: v for k, v in out["verb"].items() if k != "display"}
    if "timestamp" in out:
        out["timestamp"] = parse_timestamp(out["timestamp"]).astimezone(UTC).isoformat()
    obj = out.get("object")
    if isinstance(obj, dict):
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            out["object"] = _comparable_activity(obj)
        elif kind in ("Agent", "Group"):
            out["object"] = _comparable_agent(obj)
        elif kind == "StatementRef":
            out["object"] = {**obj, "id": str(obj.get("id", "")).lower()}
        elif kind == "SubStatement" and top:
            out["object"] = _comparable(obj, top=False)
    context = out.get("context")
    if isinstance(context, dict):
        context = dict(context)
        if isinstance(context.get("registration"), str):
            context["registration"] = context["registration"].lower()
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _comparable_agent(context[key])
        if isinstance(context.get("statement"), dict):
            context["statement"] = {
                **context["statement"],
                "id": str(context["statement"].get("id", "")).lower(),
            }
        if isinstance(context.get("contextActivities"), dict):
            context["contextActivities"] = {
                key: [_comparable_activity(a) for a in (value if isinstance(value, list) else [value])]
                for key, value in context["contextActivities"].items()
            }
        out["context"] = context
    return out
