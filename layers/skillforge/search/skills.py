"""Free text -> O*NET skills, knowledge, abilities and technology skills, with a confidence.

Candidates come from `skill_aliases` (element names, Technology Skills examples and commodity titles,
curated aliases; each with a source weight) by exact key or trigram similarity, and from the element
names themselves. confidence = alias weight x match quality (1 for an exact key, else trigram similarity),
the best per element.
"""

from __future__ import annotations

from typing import Any

from skillforge.reference.connection import fetch_all
from skillforge.reference.elements import element_kind
from skillforge.reference.releases import Release
from skillforge.search import clean_text

__all__ = ["CURATED", "RESOLVE_MIN_CONFIDENCE", "element_kind", "elements_by_id", "normalise_skills"]

RESOLVE_MIN_CONFIDENCE = 0.5
CURATED_CONFIDENCE = 0.95

_LANGUAGES = (
    "spanish",
    "french",
    "german",
    "chinese",
    "mandarin",
    "cantonese",
    "japanese",
    "arabic",
    "portuguese",
    "italian",
    "russian",
    "korean",
    "hindi",
    "vietnamese",
    "tagalog",
    "polish",
)
# Everyday words for O*NET skills and knowledge that neither the element names nor the technology aliases
# contain (checked on 29.0: each of these found nothing useful before).
CURATED: dict[str, str] = {
    **{lang: "2.C.7.b" for lang in _LANGUAGES},
    "foreign languages": "2.C.7.b",
    "languages": "2.C.7.b",
    "translation": "2.C.7.b",
    "leadership": "2.B.5.d",
    "people management": "2.B.5.d",
    "team leadership": "2.B.5.d",
    "budgeting": "2.B.5.b",
    "budget management": "2.B.5.b",
    "accounting": "2.C.1.c",
    "bookkeeping": "2.C.1.c",
    "finance": "2.C.1.c",
    "coding": "2.B.3.e",
    "software development": "2.B.3.e",
    "teamwork": "2.B.1.b",
    "communication": "2.A.1.d",
    "public speaking": "2.A.1.d",
    "problem solving": "2.B.2.i",
    "decision making": "2.B.4.e",
    "sales": "2.C.1.d",
    "marketing": "2.C.1.d",
    "customer service": "2.C.1.e",
    "maths": "2.A.1.e",
    "statistics": "2.C.4.a",
    "english": "2.C.7.a",
    "grammar": "2.C.7.a",
    "repair": "2.B.3.l",
    "maintenance": "2.B.3.j",
    "teaching": "2.B.1.e",
    "training": "2.C.6",
    "law": "2.C.8.b",
    "legal": "2.C.8.b",
    "cooking": "2.C.2.b",
    "construction": "2.C.3.d",
    "electronics": "2.C.3.a",
    "computers": "2.C.3.a",
    "negotiating": "2.B.1.d",
    "hr": "2.C.1.f",
    "human resources": "2.C.1.f",
    "counseling": "2.C.5.b",
    "counselling": "2.C.5.b",
    "nursing": "2.C.5.a",
    "security": "2.C.8.a",
    "drawing": "2.C.3.c",
    "art": "2.C.7.c",
}


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


def normalise_skills(
    release: Release, text: str, limit: int = 10, min_confidence: float = 0.3
) -> list[dict[str, Any]]:
    sql = _SQL.format(
        aliases=release.table("skill_aliases"),
        skills=release.table("skills"),
        knowledge=release.table("knowledge"),
        abilities=release.table("abilities"),
    )
    text = clean_text(text)
    if not text:
        return []
    rows = fetch_all(sql, {"q": text, "limit": limit, "min": min_confidence})
    curated = CURATED.get(text.lower())
    if curated is not None:
        known = elements_by_id(release, [curated])
        if curated in known:
            rows = [r for r in rows if r["element_id"] != curated]
            rows.insert(
                0 if not rows or rows[0]["confidence"] < 1.0 else 1,
                {
                    "element_id": curated,
                    "name": known[curated]["name"],
                    "category": None,
                    "matched": text,
                    "confidence": CURATED_CONFIDENCE,
                },
            )
            rows = rows[:limit]
    lowered = text.lower()
    for row in rows:
        row["kind"] = element_kind(row["element_id"])
        row["confidence"] = max(0.0, min(1.0, row["confidence"]))
    # Equal confidence: the element whose own name is the query first ("c++" -> C++, not C).
    rows.sort(key=lambda r: (-r["confidence"], r["name"].lower() != lowered))
    return rows


def elements_by_id(release: Release, element_ids: list[str]) -> dict[str, dict[str, Any]]:
    if not element_ids:
        return {}
    rows = fetch_all(
        f"SELECT element_id, name FROM {release.table('skills')} WHERE element_id = ANY(%(ids)s) "
        f"UNION ALL SELECT element_id, name FROM {release.table('knowledge')} WHERE element_id = ANY(%(ids)s) "
        f"UNION ALL SELECT element_id, name FROM {release.table('abilities')} WHERE element_id = ANY(%(ids)s)",
        {"ids": element_ids},
    )
    return {r["element_id"]: r for r in rows}
