"""The occupation x element matrix of one release, loaded once per process and kept in memory.

Rows: occupations with ratings; columns: skills, knowledge and (when the release has them) abilities.
`importance` is O*NET's IM (1-5, 1 where unrated), `level` its LV (0-7, 0 where unrated). `similarity` is
the occupation-to-occupation Pearson correlation of the full importance profiles, used to smooth rankings
(docs/matching.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skillforge.reference.connection import fetch_all
from skillforge.reference.release_cache import LatestReleaseCache
from skillforge.reference.releases import Release

CRITICAL_IMPORTANCE = 3.0


@dataclass
class ReleaseMatrix:
    release: str
    codes: list[str]
    titles: list[str]
    job_zones: list[int | None]
    element_ids: list[str]
    element_names: list[str]
    importance: np.ndarray  # (occupations, elements) float32
    level: np.ndarray
    # Technology skills (TECH-...) each occupation uses: no importance or level in O*NET, only membership.
    tech_ids: list[str] = field(default_factory=list)
    tech_uses: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    critical: np.ndarray = field(init=False)  # bool: importance >= 3, the seed's "required"
    similarity: np.ndarray = field(init=False)
    required_count: np.ndarray = field(init=False)
    # Per occupation, its critical elements as plain Python (column, importance, level) tuples, most
    # important first: explaining 20 results then needs no numpy scalar access.
    critical_rows: list[list[tuple[int, float, float]]] = field(init=False)
    code_index: dict[str, int] = field(init=False)
    element_index: dict[str, int] = field(init=False)
    tech_index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.critical = self.importance >= CRITICAL_IMPORTANCE
        self.code_index = {c: i for i, c in enumerate(self.codes)}
        self.element_index = {e: i for i, e in enumerate(self.element_ids)}
        self.tech_index = {e: i for i, e in enumerate(self.tech_ids)}
        self.similarity = occupation_similarity(self.importance)
        self.required_count = self.critical.sum(axis=1)
        importance, level = self.importance.tolist(), self.level.tolist()
        self.critical_rows = [
            sorted(
                (
                    (j, round(importance[i][j], 2), round(level[i][j], 2))
                    for j in np.flatnonzero(row).tolist()
                ),
                key=lambda t: (-t[1], t[0]),
            )
            for i, row in enumerate(self.critical)
        ]
        self._importance_rows = importance
        self._level_rows = level

    def rating(self, row: int, column: int) -> tuple[float, float]:
        """(importance, level) as Python floats, rounded to O*NET's two decimals."""
        return round(self._importance_rows[row][column], 2), round(self._level_rows[row][column], 2)


def occupation_similarity(importance: np.ndarray) -> np.ndarray:
    if importance.size == 0:
        return np.zeros((importance.shape[0], importance.shape[0]), dtype=np.float32)
    centred = importance - importance.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit = centred / norms
    return (unit @ unit.T).astype(np.float32)


_SQL = """
SELECT r.onet_code, r.element_id, e.name, r.importance::float8 AS importance, r.level::float8 AS level
  FROM {ratings} r JOIN {elements} e USING (element_id)
 WHERE r.use_for_matching AND r.importance IS NOT NULL
"""


def load_matrix(release: Release) -> ReleaseMatrix:
    rows: list[dict[str, Any]] = []
    for elements, ratings in (
        ("skills", "occupation_skills"),
        ("knowledge", "occupation_knowledge"),
        ("abilities", "occupation_abilities"),
    ):
        rows += fetch_all(_SQL.format(ratings=release.table(ratings), elements=release.table(elements)))
    occupations = fetch_all(
        f"SELECT onet_code, title, job_zone::int AS job_zone FROM {release.table('occupations')}"
    )
    info = {o["onet_code"]: o for o in occupations}
    codes = sorted({r["onet_code"] for r in rows if r["onet_code"] in info})
    names: dict[str, str] = {}
    for r in rows:
        names.setdefault(r["element_id"], r["name"])
    element_ids = sorted(names)
    ci = {c: i for i, c in enumerate(codes)}
    ei = {e: i for i, e in enumerate(element_ids)}
    importance = np.ones((len(codes), len(element_ids)), dtype=np.float32)
    level = np.zeros((len(codes), len(element_ids)), dtype=np.float32)
    for r in rows:
        i = ci.get(r["onet_code"])
        if i is None:
            continue
        j = ei[r["element_id"]]
        importance[i, j] = r["importance"]
        level[i, j] = r["level"] if r["level"] is not None else 0.0
    tech_rows = fetch_all(
        f"SELECT DISTINCT onet_code, element_id FROM {release.table('occupation_technology_skills')}"
    )
    tech_ids = sorted({r["element_id"] for r in tech_rows})
    ti = {e: i for i, e in enumerate(tech_ids)}
    tech_uses = np.zeros((len(codes), len(tech_ids)), dtype=bool)
    for r in tech_rows:
        i = ci.get(r["onet_code"])
        if i is not None:
            tech_uses[i, ti[r["element_id"]]] = True
    return ReleaseMatrix(
        release=release.release,
        codes=codes,
        titles=[info[c]["title"] for c in codes],
        job_zones=[info[c]["job_zone"] for c in codes],
        element_ids=element_ids,
        element_names=[names[e] for e in element_ids],
        importance=importance,
        level=level,
        tech_ids=tech_ids,
        tech_uses=tech_uses,
    )


_cache: LatestReleaseCache[ReleaseMatrix] = LatestReleaseCache()


def matrix_for(release: Release) -> ReleaseMatrix:
    key = (release.release, release.fingerprint)
    return _cache.get(key, lambda: load_matrix(release))


def clear_cache() -> None:
    _cache.clear()
