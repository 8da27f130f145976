"""Reading statement payloads: one statement, a JSON array of statements, or JSON Lines.

Strict JSON: the non-standard constants NaN/Infinity that Python's json module accepts are refused, and so
is an object with a duplicate key (xAPI: each property at most once; json would keep the last silently).
"""

from __future__ import annotations

import json
from typing import Any


class PayloadError(ValueError):
    """The input is not JSON (or not JSON Lines); the message says where."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # xAPI 1.0.3 Data 2.2: a property is used at most once. json would silently keep the last value.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        duplicate = None
        for key, _ in pairs:
            if key in seen:
                duplicate = key
                break
            seen.add(key)
        raise ValueError(
            f"duplicate key {duplicate!r} in one JSON object (each property may appear only once)"
        )
    return obj


_decoder = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_unique_keys)


def loads(text: str | bytes) -> Any:
    """Strict json.loads (no NaN/Infinity)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    return _decoder.decode(text)


def parse_statements(text: str | bytes, *, allow_json_lines: bool = True) -> tuple[list[Any], bool]:
    """Return (statements, was_batch). A JSON object is one statement; an array is a batch; otherwise,
    with `allow_json_lines`, every non-blank line must be one JSON value (a statement)."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PayloadError(f"input is not UTF-8: {exc}") from exc
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise PayloadError("input is empty: expected a statement, a JSON array or JSON Lines")
    try:
        value = _decoder.decode(text)
    except RecursionError as exc:
        raise PayloadError("malformed JSON: nested too deeply") from exc
    except ValueError as whole_error:
        if not allow_json_lines:
            raise PayloadError(f"malformed JSON: {whole_error}") from whole_error
        statements = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                statements.append(_decoder.decode(line))
            except RecursionError as exc:
                raise PayloadError(f"line {number}: malformed JSON: nested too deeply") from exc
            except ValueError as exc:
                if number == 1 and len(statements) == 0 and _looks_multiline(text):
                    raise PayloadError(f"malformed JSON: {whole_error}") from whole_error
                raise PayloadError(f"line {number}: malformed JSON: {exc}") from exc
        return statements, True
    if isinstance(value, list):
        return value, True
    return [value], False


def _looks_multiline(text: str) -> bool:
    # A pretty-printed document broken somewhere: report the document's error, not line 1's.
    first = text.lstrip().splitlines()[0].strip() if text.strip() else ""
    return first in ("{", "[")
