"""xAPI 1.0.3 time values: ISO 8601 timestamps and durations, as the validator's patterns accept them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from skillforge.xapi.validator import _DURATION, _TIMESTAMP


def parse_timestamp(value: str) -> datetime:
    m = _TIMESTAMP.match(value)
    if not m:
        raise ValueError(f"not a timestamp: {value!r}")
    fraction = (m["f"] or "0")[:6].ljust(6, "0")
    moment = datetime(
        int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"] or 0), int(fraction)
    )
    tz = m["tz"]
    if not tz or tz in ("Z", "z"):
        return moment.replace(tzinfo=UTC)
    digits = tz[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return moment.replace(tzinfo=timezone(offset if tz[0] == "+" else -offset))


_DAYS = {"y": 365.2425, "mo": 30.436875, "w": 7.0, "d": 1.0}
_SECONDS = {"h": 3600.0, "mi": 60.0, "s": 1.0}


def parse_duration(value: str) -> timedelta:
    m = _DURATION.match(value)
    if not m:
        raise ValueError(f"not a duration: {value!r}")
    seconds = 0.0
    for part, days in _DAYS.items():
        if m[part]:
            seconds += float(m[part].replace(",", ".")) * days * 86400
    for part, factor in _SECONDS.items():
        if m[part]:
            seconds += float(m[part].replace(",", ".")) * factor
    return timedelta(seconds=seconds)
