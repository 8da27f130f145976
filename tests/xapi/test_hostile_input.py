"""Hostile input to the xAPI validator and intake: 1 MB strings in every string-typed field, lone surrogates,
crafted multipart headers. Each must be a fast, clear 400 (or a per-message failure on SQS), never a hang or a
500."""

from __future__ import annotations

import copy
import json
import time

import pytest

from skillforge.xapi.validator import validate_statement
from tests.xapi.statements import full, substatement

MB = 1024 * 1024
# Shapes that make a backtracking pattern go quadratic (or worse): a long run that almost matches, then the
# one character that makes the whole match fail at the very end.
HOSTILE = {
    "letters": "a" * MB,
    "irl-then-space": "http://" + "a" * MB + " ",
    "iri-then-space": "urn:" + "a" * MB + " ",
    "mbox-many-ats": "mailto:" + "a@" * (MB // 2) + " ",
    "digits": "1" * MB,
    "duration": "P" + "1" * MB + "X",
    "duration-time": "PT" + "1." * (MB // 2),
    "timestamp": "2024-01-01T00:00:00." + "1" * MB + "Q",
    "langtag": "en" + "-abcde" * (MB // 6) + "-",
    "media-type": "text/plain" + ";a=b" * (MB // 4) + ";",
    "media-quoted": 'text/plain;a="' + "\\a" * (MB // 2),
    "uuid-ish": "0" * MB,
}


def _string_paths(value, path=()):
    """Every string leaf of a statement, and every object key that the validator checks (maps of IRIs and
    language tags), as paths."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _string_paths(child, (*path, key))
            if path and path[-1] in ("extensions", "display", "name", "description"):
                yield (*path, ("key", key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _string_paths(child, (*path, i))
    elif isinstance(value, str):
        yield path


def _replace(statement, path, text):
    out = copy.deepcopy(statement)
    target = out
    for step in path[:-1]:
        target = target[step]
    last = path[-1]
    if isinstance(last, tuple):  # a key
        target[text] = target.pop(last[1])
    else:
        target[last] = text
    return out


def _statements():
    with_sub = full()
    with_sub["object"] = substatement()
    return {"full": full(), "substatement": with_sub}


CASES = sorted(
    {(name, path) for name, s in _statements().items() for path in _string_paths(s)}, key=lambda c: repr(c)
)


@pytest.mark.timeout(30)  # a quadratic pattern would run for hours: fail fast instead
@pytest.mark.parametrize("name,path", CASES, ids=lambda v: v if isinstance(v, str) else ".".join(map(str, v)))
def test_one_megabyte_in_any_string_field_is_judged_fast(name, path):
    statement = _statements()[name]
    worst = 0.0
    for shape, text in HOSTILE.items():
        candidate = _replace(statement, path, text)
        started = time.perf_counter()
        errors = validate_statement(candidate)
        elapsed = time.perf_counter() - started
        worst = max(worst, elapsed)
        assert elapsed < 0.5, f"{shape} in {path}: {elapsed:.2f} s"
        assert isinstance(errors, list)
    assert worst < 0.5


def test_the_fuzzed_paths_cover_every_kind_of_string_field():
    flat = {".".join(str(p if not isinstance(p, tuple) else "<key>") for p in path) for _, path in CASES}
    for expected in (
        "actor.mbox",
        "verb.id",
        "object.id",
        "timestamp",
        "result.duration",
        "context.language",
    ):
        assert any(f.startswith(expected) or f == expected for f in flat), expected
    assert any("<key>" in f for f in flat)  # extension IRIs and language-map keys


@pytest.mark.parametrize(
    "where",
    [
        ("actor", "name"),
        ("verb", "display", "en-US"),
        ("object", "definition", "description", "en-US"),
        ("result", "response"),
        ("context", "extensions", "http://example.com/ext"),
    ],
)
def test_a_lone_surrogate_is_a_clear_error_with_its_path(where):
    statement = full()
    target = statement
    for step in where[:-1]:
        target = target.setdefault(step, {})
    target[where[-1]] = "before\ud800after"
    errors = validate_statement(statement)
    assert [e["rule"] for e in errors] == ["string.unicode"]
    assert errors[0]["path"].startswith("$." + where[0])
    json.dumps(errors, ensure_ascii=False).encode("utf-8")  # the error itself is valid UTF-8


def test_a_lone_surrogate_in_a_key_is_a_clear_error():
    statement = full()
    statement["context"]["extensions"] = {"http://example.com/\udfff": 1}
    assert "string.unicode" in [e["rule"] for e in validate_statement(statement)]
