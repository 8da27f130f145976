"""Assessment instruments: every version is registered with the SHA-256 of its definition, and a statement
must name a registered, unretired version of its instrument (the Activity id) with the same checksum.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillforge.xapi.validator import error
from skillforge.xapi.vocabulary import EXT_INSTRUMENT_SHA256, EXT_INSTRUMENT_VERSION

ASSESSMENT_TYPES = ("interest_profiler", "skills_test", "work_values", "personality", "aptitude", "other")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class Instrument:
    id: str
    instrument_iri: str
    version: str
    sha256: str
    assessment_type: str
    retired: bool = False


class InstrumentError(ValueError):
    pass


def sha256_of_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def register(conn, *, instrument_iri: str, version: str, sha256: str, assessment_type: str) -> Instrument:
    """Register a version (idempotent for the same checksum; a different checksum for a registered version
    is refused: a published version never changes, a changed instrument is a new version)."""
    from skillforge.xapi.validator import _IRI

    if not _IRI.match(instrument_iri):
        raise InstrumentError(f"instrument IRI {instrument_iri!r} is not an IRI with a scheme")
    if not _SHA256.match(sha256):
        raise InstrumentError("sha256 must be 64 hexadecimal characters")
    if assessment_type not in ASSESSMENT_TYPES:
        raise InstrumentError(f"assessment type must be one of {', '.join(ASSESSMENT_TYPES)}")
    if not 1 <= len(version) <= 50:
        raise InstrumentError("version must be 1 to 50 characters")
    sha256 = sha256.lower()
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO assessment_instruments (instrument_iri, version, sha256, assessment_type) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (instrument_iri, version) DO NOTHING "
            "RETURNING id, instrument_iri, version, sha256, assessment_type, retired_at",
            (instrument_iri, version, sha256, assessment_type),
        ).fetchone()
        if row is None:
            row = conn.execute(
                "SELECT id, instrument_iri, version, sha256, assessment_type, retired_at FROM assessment_instruments "
                "WHERE instrument_iri = %s AND version = %s",
                (instrument_iri, version),
            ).fetchone()
            if row["sha256"] != sha256 or row["assessment_type"] != assessment_type:
                raise InstrumentError(
                    f"{instrument_iri} version {version} is already registered with a different "
                    f"{'checksum' if row['sha256'] != sha256 else 'assessment type'}; register a new version"
                )
    return _instrument(row)


def retire(conn, *, instrument_iri: str, version: str) -> bool:
    with conn.transaction():
        return (
            conn.execute(
                "UPDATE assessment_instruments SET retired_at = now() WHERE instrument_iri = %s AND version = %s "
                "AND retired_at IS NULL",
                (instrument_iri, version),
            ).rowcount
            == 1
        )


def _instrument(row: dict) -> Instrument:
    return Instrument(
        id=str(row["id"]),
        instrument_iri=row["instrument_iri"],
        version=row["version"],
        sha256=row["sha256"],
        assessment_type=str(row["assessment_type"]),
        retired=row["retired_at"] is not None,
    )


class Registry:
    """The registered instruments, loaded once per batch (the table is small)."""

    def __init__(self, instruments: list[Instrument]):
        self._by_key = {(i.instrument_iri, i.version): i for i in instruments}
        self._iris = {i.instrument_iri for i in instruments}

    @classmethod
    def load(cls, conn) -> Registry:
        rows = conn.execute(
            "SELECT id, instrument_iri, version, sha256, assessment_type, retired_at "
            "FROM assessment_instruments"
        ).fetchall()
        return cls([_instrument(r) for r in rows])

    def knows(self, instrument_iri: Any, version: Any) -> bool:
        return (instrument_iri, version) in self._by_key

    def all(self) -> list[Instrument]:
        return sorted(self._by_key.values(), key=lambda i: (i.instrument_iri, i.version))

    def check(self, statement: dict[str, Any]) -> tuple[Instrument | None, list[dict]]:
        """The statement's instrument, or errors (path, rule, message) saying why it is not acceptable.
        Call on statements that passed xAPI validation."""
        obj = statement.get("object", {})
        activity_id = obj.get("id") if obj.get("objectType", "Activity") == "Activity" else None
        if activity_id is None:
            return None, [
                error(
                    "$.object",
                    "instrument.not-activity",
                    "an assessment statement's object must be the instrument Activity",
                )
            ]
        if activity_id not in self._iris:
            return None, [
                error(
                    "$.object.id",
                    "instrument.unknown",
                    f"{activity_id} is not a registered assessment instrument",
                )
            ]
        extensions = (statement.get("context") or {}).get("extensions") or {}
        version = extensions.get(EXT_INSTRUMENT_VERSION)
        checksum = extensions.get(EXT_INSTRUMENT_SHA256)
        vpath = f"$.context.extensions.{EXT_INSTRUMENT_VERSION}"
        cpath = f"$.context.extensions.{EXT_INSTRUMENT_SHA256}"
        errors = []
        if version is None:
            errors.append(
                error(
                    vpath,
                    "instrument.version-missing",
                    f"context.extensions must carry the instrument version under {EXT_INSTRUMENT_VERSION}",
                )
            )
        elif type(version) is not str:
            errors.append(
                error(vpath, "instrument.version-missing", "the instrument version must be a string")
            )
        if checksum is None:
            errors.append(
                error(
                    cpath,
                    "instrument.checksum-missing",
                    f"context.extensions must carry the instrument's SHA-256 under {EXT_INSTRUMENT_SHA256}",
                )
            )
        elif type(checksum) is not str or not _SHA256.match(checksum):
            errors.append(
                error(
                    cpath, "instrument.checksum-format", "the instrument checksum must be 64 hex characters"
                )
            )
        if errors:
            return None, errors
        assert isinstance(version, str) and isinstance(checksum, str)  # the checks above returned otherwise
        instrument = self._by_key.get((activity_id, version))
        if instrument is None:
            known = sorted(v for (iri, v) in self._by_key if iri == activity_id)
            return None, [
                error(
                    vpath,
                    "instrument.version-unknown",
                    f"version {version!r} of {activity_id} is not registered (registered: {', '.join(known)})",
                )
            ]
        if instrument.retired:
            return None, [
                error(
                    vpath,
                    "instrument.version-retired",
                    f"version {version!r} of {activity_id} is retired and no longer accepted",
                )
            ]
        if checksum.lower() != instrument.sha256:
            return None, [
                error(
                    cpath,
                    "instrument.checksum-mismatch",
                    f"checksum {checksum.lower()[:12]}... does not match the registered SHA-256 of "
                    f"{activity_id} version {version} ({instrument.sha256[:12]}...): the provider "
                    "administered a different instrument definition",
                )
            ]
        return instrument, []
