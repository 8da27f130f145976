"""Free text -> O*NET skills, knowledge, abilities and technology skills, with a confidence.

Candidates come from `skill_aliases` (element names, Technology Skills examples and commodity titles,
curated aliases; each with a source weight) by exact key or trigram similarity, and from the element
names themselves. confidence = alias weight x match quality (1 for an exact key, else trigram similarity),
the best per element.
"""

from __future__ import annotations

from typing import Any

from skillforge.reference.connection import fetch_all
from skillforge.search import clean_text
from skillforge.reference.releases import Release

RESOLVE_MIN_CONFIDENCE = 0.5


def element_kind(element_id: str) -> str:
    if element_id.startswith("TECH-"):
        return "technology"
    if element_id.startswith("2.C"):
        return "knowledge"
    if element_id.startswith("1.A"):
        return "ability"
    return "skill"


_SQL = """
WITH q AS (SELECT sf_skill_key(%(q)s) AS k, sf_normalize(%(q)s) AS n),
hits AS (
  SELECT a.element_id, a.alias AS matched,
         least(1.0, coalesce(a.weight, 1.0)) *
         CASE WHEN a.alias_normalized = q.k THEN 1.0
              ELSE greatest(similarity(a.alias_normalized, q.k), 0.9 * word_similarity(q.k, a.alias_normalized)
                            * similarity(a.alias_normalized, q.k) ^ 0.25) END AS confidence
    FROM {aliases} a, q
   WHERE q.k <> '' AND (a.alias_normalized = q.k OR a.alias_normalized %% q.k OR q.k <%% a.alias_normalized)
  UNION ALL
  SELECT e.element_id, e.name,
         CASE WHEN sf_normalize(e.name) = q.n THEN 1.0 ELSE similarity(sf_normalize(e.name), q.n) END
    FROM {skills} e, q WHERE sf_normalize(e.name) %% q.n OR sf_normalize(e.name) = q.n
  UNION ALL
  SELECT e.element_id, e.name,
         CASE WHEN sf_normalize(e.name) = q.n THEN 1.0 ELSE similarity(sf_normalize(e.name), q.n) END
    FROM {knowledge} e, q WHERE sf_normalize(e.name) %% q.n
  UNION ALL
  SELECT e.element_id, e.name,
         CASE WHEN sf_normalize(e.name) = q.n THEN 1.0 ELSE similarity(sf_normalize(e.name), q.n) END
    FROM {abilities} e, q WHERE sf_normalize(e.name) %% q.n
),
best AS (
  SELECT DISTINCT ON (element_id) element_id, matched, confidence FROM hits
   ORDER BY element_id, confidence DESC, length(matched)
)
SELECT b.element_id, coalesce(s.name, k.name, ab.name) AS name, coalesce(s.category, k.category, ab.category)
       AS category, b.matched, round(b.confidence::numeric, 3)::float8 AS confidence
  FROM best b
  LEFT JOIN {skills} s ON s.element_id = b.element_id
  LEFT JOIN {knowledge} k ON k.element_id = b.element_id
  LEFT JOIN {abilities} ab ON ab.element_id = b.element_id
 WHERE coalesce(s.name, k.name, ab.name) IS NOT NULL AND b.confidence >= %(min)s
 ORDER BY b.confidence DESC, (b.element_id LIKE 'TECH-%%'), name
 LIMIT %(limit)s
"""


def normalise_skills(release: Release, text: str, limit: int = 10, min_confidence: float = 0.3) -> list[dict[str, Any]]:
    sql = _SQL.format(aliases=release.table("skill_aliases"), skills=release.table("skills"),
                      knowledge=release.table("knowledge"), abilities=release.table("abilities"))
    text = clean_text(text)
    if not text:
        return []
    rows = fetch_all(sql, {"q": text, "limit": limit, "min": min_confidence})
    for row in rows:
        row["kind"] = element_kind(row["element_id"])
        row["confidence"] = max(0.0, min(1.0, row["confidence"]))
    return rows


def elements_by_id(release: Release, element_ids: list[str]) -> dict[str, dict[str, Any]]:
    if not element_ids:
        return {}
    rows = fetch_all(
        f"SELECT element_id, name FROM {release.table('skills')} WHERE element_id = ANY(%(ids)s) "
        f"UNION ALL SELECT element_id, name FROM {release.table('knowledge')} WHERE element_id = ANY(%(ids)s) "
        f"UNION ALL SELECT element_id, name FROM {release.table('abilities')} WHERE element_id = ANY(%(ids)s)",
        {"ids": element_ids})
    return {r["element_id"]: r for r in rows}
