"""Occupation search: what people type, to the occupation they mean, best first.

Every searchable title of a release (`occupation_titles`: official, alternate, short such as "RN" or
"CPA", reported such as "Cop") is a candidate. Two retrieval paths, both on indexes:
- words: titles holding every word of the query (full text, english stemming, so "pharmacist" finds
  "Pharmacists"); the shortest 80 are scored - no similarity is computed for the thousands of titles that
  contain a common word like "manager";
- typos: only when fewer than 3 titles hold every word, trigram similarity (`%`) and word similarity
  (`<%`) on `normalized`; the 80 most similar by each are scored.
Each title scores by how closely it matches (exact > exact without the parenthesised part or plural >
starts with the query as whole words > trigram and word similarity), weighted by its kind (official titles
count most); an occupation keeps its best title, and a little credit for how many of its titles matched
breaks ties. A short curated list adds colloquial spellings O*NET lacks (COLLOQUIAL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skillforge.reference.connection import fetch_all
from skillforge.reference.releases import Release
from skillforge.search import clean_text

# Colloquial or abbreviated forms -> the wording O*NET uses, for what the titles lack or rank poorly.
COLLOQUIAL: dict[str, str] = {
    "dev": "developer",
    "devs": "developer",
    "swe": "software engineer",
    "sde": "software developer",
    "programmer": "computer programmer",
    "coder": "computer programmer",
    "doc": "physician",
    "doctor": "physician",
    "attorney": "lawyer",
    "cna": "nursing assistant",
    "lpn": "licensed practical nurse",
    "hr": "human resources",
    "it": "information technology",
    "ux": "user experience",
    "ui": "user interface",
    "qa": "quality assurance",
    "dba": "database administrator",
    "sysadmin": "network and computer systems administrator",
    "mech": "mechanic",
    "vet": "veterinarian",
    "trucker": "truck driver",
    "cabbie": "taxi driver",
    "fireman": "firefighter",
    "firemen": "firefighter",
    "sparky": "electrician",
}


@dataclass(frozen=True)
class SearchQuery:
    text: str | None
    job_zone: int | None = None
    soc_major_group: str | None = None
    limit: int = 20
    offset: int = 0


def expand(text: str) -> str:
    """Replace colloquial words with O*NET's wording (word by word, then the whole phrase)."""
    words = text.lower().split()
    phrase = " ".join(words)
    if phrase in COLLOQUIAL:
        return COLLOQUIAL[phrase]
    return " ".join(COLLOQUIAL.get(w, w) for w in words)


_SEARCH_SQL = """
WITH q AS (SELECT sf_normalize(%(q)s) AS qn, sf_normalize(%(qx)s) AS qx,
                  plainto_tsquery('english', sf_unaccent(%(q)s)) AS tq,
                  plainto_tsquery('english', sf_unaccent(%(qx)s)) AS tqx),
words AS (
  -- Titles holding every word of the query (stemmed): the full-text index answers this without computing a
  -- similarity per row; the shortest such titles are the closest, so only those are scored.
  SELECT t.onet_code, t.title, t.title_type, t.normalized FROM {titles} t, q
   WHERE to_tsvector('english', t.title) @@ q.tq OR to_tsvector('english', t.title) @@ q.tqx
   ORDER BY length(t.normalized), t.title_type = 'official' DESC
   LIMIT {per_path}
),
fuzzy_hits AS MATERIALIZED (
  -- Typos: trigram similarity of the whole title or of a part of it; only when the words did not match.
  SELECT t.onet_code, t.title, t.title_type, t.normalized,
         similarity(t.normalized, q.qn) AS sim, word_similarity(q.qn, t.normalized) AS wsim
    FROM {titles} t, q
   WHERE (SELECT count(*) FROM words) < {fuzzy_below}
     AND (t.normalized %% q.qn OR q.qn <%% t.normalized {fuzzy_qx})
),
fuzzy AS (
  (SELECT onet_code, title, title_type, normalized FROM fuzzy_hits ORDER BY sim DESC LIMIT {per_path})
  UNION
  (SELECT onet_code, title, title_type, normalized FROM fuzzy_hits ORDER BY wsim DESC, sim DESC LIMIT {per_path})
),
cand AS (SELECT * FROM words UNION SELECT * FROM fuzzy),
measured AS (
  SELECT c.*, greatest(similarity(c.normalized, q.qn), similarity(c.normalized, q.qx)) AS sim,
         greatest(word_similarity(q.qn, c.normalized), word_similarity(q.qx, c.normalized)) AS wsim
    FROM cand c, q
),
scored AS (
  SELECT m.onet_code, m.title, m.title_type,
         (CASE m.title_type WHEN 'official' THEN 1.0 WHEN 'short' THEN 0.97 WHEN 'alternate' THEN 0.95
                            ELSE 0.9 END)
         * greatest(
             CASE WHEN m.normalized IN (q.qn, q.qx) THEN 1.0
                  WHEN m.normalized IN (q.qn || 's', q.qx || 's', q.qn || 'es', q.qx || 'es') THEN 0.97
                  WHEN m.normalized LIKE q.qn || ' %%' OR m.normalized LIKE q.qx || ' %%' THEN 0.80 + 0.1 * m.sim
                  WHEN m.normalized LIKE '%%(%%'
                       AND btrim(regexp_replace(m.normalized, '\\s*\\([^)]*\\)', '', 'g')) IN (q.qn, q.qx) THEN 0.98
                  ELSE 0 END,
             0.85 * m.sim,
             0.75 * m.wsim * (0.6 + 0.4 * m.sim)
           ) AS s
    FROM measured m, q
),
best AS (
  SELECT DISTINCT ON (onet_code) onet_code, title, title_type, s,
         count(*) FILTER (WHERE s >= 0.5) OVER (PARTITION BY onet_code) AS strong
    FROM scored ORDER BY onet_code, s DESC, (title_type = 'official') DESC
)
SELECT b.onet_code, o.title, b.title AS matched_title, b.title_type AS matched_title_type,
       least(1.0, b.s + 0.01 * ln(1 + b.strong))::float8 AS score,
       o.job_zone::int AS job_zone, o.soc_major_group, o.family
  FROM best b JOIN {occupations} o USING (onet_code)
 WHERE b.s >= %(min_score)s
   AND (%(job_zone)s::int IS NULL OR o.job_zone = %(job_zone)s::int)
   AND (%(major)s::text IS NULL OR o.soc_major_group = %(major)s::text)
 ORDER BY score DESC, o.employment DESC NULLS LAST, b.onet_code
 LIMIT %(limit)s OFFSET %(offset)s
"""

_BROWSE_SQL = """
SELECT o.onet_code, o.title, NULL AS matched_title, NULL AS matched_title_type, 0.0::float8 AS score,
       o.job_zone::int AS job_zone, o.soc_major_group, o.family
  FROM {occupations} o
 WHERE (%(job_zone)s::int IS NULL OR o.job_zone = %(job_zone)s::int)
   AND (%(major)s::text IS NULL OR o.soc_major_group = %(major)s::text)
 ORDER BY o.onet_code LIMIT %(limit)s OFFSET %(offset)s
"""

MIN_SCORE = 0.3
PER_PATH = 80       # titles scored per retrieval path
FUZZY_BELOW = 3     # run the typo path when fewer titles than this hold every word of the query


def search_occupations(release: Release, query: SearchQuery) -> list[dict[str, Any]]:
    """One page (limit + 1 rows, so the caller knows whether another page exists)."""
    params = {"job_zone": query.job_zone, "major": query.soc_major_group,
              "limit": query.limit + 1, "offset": query.offset}
    tables = {"titles": release.table("occupation_titles"), "occupations": release.table("occupations")}
    if not query.text or not query.text.strip():
        return fetch_all(_BROWSE_SQL.format(**tables), params)
    text = clean_text(query.text)
    if not text:
        return fetch_all(_BROWSE_SQL.format(**tables), params)
    expanded = expand(text)
    params.update(q=text, qx=expanded, min_score=MIN_SCORE)
    fuzzy_qx = "" if expanded.lower() == text.lower() else "OR t.normalized %% q.qx OR q.qx <%% t.normalized"
    sql = _SEARCH_SQL.format(**tables, per_path=PER_PATH, fuzzy_below=FUZZY_BELOW, fuzzy_qx=fuzzy_qx)
    return fetch_all(sql, params)
