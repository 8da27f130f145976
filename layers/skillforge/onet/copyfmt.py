"""Rows -> PostgreSQL COPY text format, written in large chunks (the fastest path through psycopg 3)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
CHUNK = 1 << 20  # ~1 MB per copy.write


def _array(values: list) -> str:
    items = []
    for v in values:
        s = str(v).replace("\\", "\\\\").replace('"', '\\"')
        items.append(f'"{s}"')
    return "{" + ",".join(items) + "}"


def field(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return _array(list(value)).translate(_ESCAPES)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def chunks(rows: Iterable[tuple]) -> Iterator[str]:
    buf: list[str] = []
    size = 0
    for row in rows:
        line = "\t".join([field(v) for v in row]) + "\n"
        buf.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(buf)
            buf, size = [], 0
    if buf:
        yield "".join(buf)
