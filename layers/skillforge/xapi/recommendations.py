"""Occupation recommendations from an Interest Profiler result, the way O*NET's Interest Profiler does it:
the learner's six RIASEC scores are correlated (Pearson) with each occupation's O*NET Interests profile
(the OI scale, 1-7), occupations outside the learner's job zone are left out, and the best correlations win.

`rank_occupations` is pure (tested on its own); `InterestIndex.load` reads the current release's
`occupations` and `occupation_interests` views once and precomputes normalised vectors, so ranking a
profile costs one dot product per occupation.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

RIASEC = ("R", "I", "A", "S", "E", "C")
RIASEC_NAMES = {
    "R": "Realistic",
    "I": "Investigative",
    "A": "Artistic",
    "S": "Social",
    "E": "Enterprising",
    "C": "Conventional",
}
_LETTER_BY_NAME = {name.lower(): letter for letter, name in RIASEC_NAMES.items()}


@dataclass(frozen=True)
class OccupationInterests:
    onet_code: str
    title: str
    job_zone: int | None
    scores: Mapping[str, float]  # letter -> OI score (1-7)


@dataclass(frozen=True)
class Recommendation:
    onet_code: str
    title: str
    job_zone: int | None
    correlation: float

    def as_dict(self) -> dict:
        return {
            "onet_code": self.onet_code,
            "title": self.title,
            "job_zone": self.job_zone,
            "correlation": round(self.correlation, 4),
        }


class ProfileError(ValueError):
    pass


def normalise_profile(raw: Mapping[str, object]) -> dict[str, float]:
    """Accept letters (R..C) or names (Realistic..Conventional), in any case; all six are required."""
    profile: dict[str, float] = {}
    for key, value in raw.items():
        letter = key.upper() if key.upper() in RIASEC else _LETTER_BY_NAME.get(str(key).lower())
        if letter is None:
            raise ProfileError(f"{key!r} is not a RIASEC area (R, I, A, S, E, C or their names)")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ProfileError(f"the {RIASEC_NAMES[letter]} score must be a number")
        profile[letter] = float(value)
    missing = [RIASEC_NAMES[x] for x in RIASEC if x not in profile]
    if missing:
        raise ProfileError(f"the RIASEC profile lacks {', '.join(missing)}")
    return profile


def _unit_centred(values: list[float]) -> tuple[float, ...] | None:
    mean = sum(values) / len(values)
    centred = [v - mean for v in values]
    norm = math.sqrt(sum(c * c for c in centred))
    if norm == 0:
        return None
    return tuple(c / norm for c in centred)


def high_point_code(profile: Mapping[str, float], size: int = 3) -> str:
    """O*NET's interest code: the highest areas in order (ties in RIASEC order)."""
    return "".join(sorted(RIASEC, key=lambda x: (-profile[x], RIASEC.index(x)))[:size])


class InterestIndex:
    def __init__(self, occupations: Iterable[OccupationInterests]):
        self._entries: list[tuple[tuple[float, ...], OccupationInterests]] = []
        for occupation in occupations:
            if not all(x in occupation.scores for x in RIASEC):
                continue
            vector = _unit_centred([float(occupation.scores[x]) for x in RIASEC])
            if vector is not None:
                self._entries.append((vector, occupation))
        self._cache: dict[tuple, list[Recommendation]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def rank(
        self, profile: Mapping[str, float], *, job_zone: int | None = None, limit: int = 10
    ) -> list[Recommendation]:
        key = (tuple(profile[x] for x in RIASEC), job_zone, limit)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        user = _unit_centred([float(profile[x]) for x in RIASEC])
        if user is None:
            raise ProfileError("the RIASEC scores are all equal: no interest stands out to correlate with")
        u0, u1, u2, u3, u4, u5 = user
        scored = (
            (v[0] * u0 + v[1] * u1 + v[2] * u2 + v[3] * u3 + v[4] * u4 + v[5] * u5, occ)
            for v, occ in self._entries
            if job_zone is None or occ.job_zone == job_zone
        )
        best = heapq.nlargest(limit, scored, key=lambda pair: (round(pair[0], 12), _neg(pair[1].onet_code)))
        result = [Recommendation(o.onet_code, o.title, o.job_zone, r) for r, o in best]
        if len(self._cache) < 4096:
            self._cache[key] = result
        return result

    @classmethod
    def load(cls, conn) -> InterestIndex:
        rows = conn.execute(
            "SELECT o.onet_code, o.title, o.job_zone, i.riasec, i.score::float8 AS score "
            "FROM occupations o JOIN occupation_interests i ON i.onet_code = o.onet_code "
            "WHERE i.scale_id = 'OI' AND i.riasec IS NOT NULL AND i.score IS NOT NULL"
        ).fetchall()
        grouped: dict[str, dict] = {}
        for row in rows:
            entry = grouped.setdefault(
                row["onet_code"], {"title": row["title"], "job_zone": row["job_zone"], "scores": {}}
            )
            entry["scores"][row["riasec"].strip().upper()] = row["score"]
        return cls(
            OccupationInterests(code, e["title"], e["job_zone"], e["scores"]) for code, e in grouped.items()
        )


def _neg(code: str) -> tuple:
    # Ties broken by ascending O*NET code inside nlargest (which wants "larger is better").
    return tuple(-ord(c) for c in code)


def rank_occupations(
    profile: Mapping[str, object],
    occupations: Iterable[OccupationInterests],
    *,
    job_zone: int | None = None,
    limit: int = 10,
) -> list[Recommendation]:
    """Pure entry point: rank `occupations` for a RIASEC `profile` (letters or names -> numbers)."""
    return InterestIndex(occupations).rank(normalise_profile(profile), job_zone=job_zone, limit=limit)


def latest_pathways(conn, onet_codes: list[str]) -> dict[str, str]:
    """onet_code -> id of the most recently published active pathway for it."""
    if not onet_codes:
        return {}
    rows = conn.execute(
        "SELECT DISTINCT ON (target_onet_code) target_onet_code, id::text AS id FROM learning_pathways "
        "WHERE status = 'active' AND target_onet_code = ANY(%s) "
        "ORDER BY target_onet_code, published_at DESC, version DESC",
        (onet_codes,),
    ).fetchall()
    return {r["target_onet_code"]: r["id"] for r in rows}
