"""Occupation search: what people type, to the occupation they mean, best first.

Every searchable title of a release (`occupation_titles`: official, alternate, short such as "RN" or
"CPA", reported such as "Cop") is a candidate. The query becomes a few phrases: as typed, with colloquial
words in O*NET's wording (COLLOQUIAL), with hyphens split, and with each word no title uses corrected to the
closest title word (`vocabulary.py`, in memory). Two retrieval paths, both on indexes:
- words: titles holding every word of one of the phrases (full text, english stemming, so "pharmacist"
  finds "Pharmacists"); the shortest 80 are scored - no similarity is computed for the thousands of titles
  that contain a common word like "manager";
- typos: a last resort for what correction could not explain - only when fewer than 3 titles hold every
  word (none of them one of the phrases), trigram similarity (`%`) and word similarity (`<%`) on
  `normalized`; the 80 most similar by each are scored. This scan is what made typos slow (10-100 ms).
Each title scores by how closely it matches its best phrase (exact > exact without the parenthesised part
or plural > starts with the phrase as whole words > trigram and word similarity), weighted by its kind
(official titles count most) and the phrase (a corrected one a little less); an occupation keeps its best
title, and a little credit for how many of its titles matched breaks ties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from skillforge.reference.connection import fetch_all
from skillforge.reference.releases import Release
from skillforge.search import clean_text
from skillforge.search.vocabulary import TitleVocabulary, vocabulary_for

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
    "rep": "representative",
    "reps": "representative",
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
WITH q AS (
  -- The phrases a title is measured against: what was typed, its colloquial expansion and its spelling
  -- corrections (weight < 1: a corrected match is not quite an exact one), normalised as titles are.
  SELECT array_agg(sf_normalize(p.phrase) ORDER BY p.n) AS phrases, array_agg(p.weight ORDER BY p.n) AS weights,
         array_agg(sf_normalize(p.phrase) || 's') AS plurals,
         sf_normalize(%(q)s) AS qn, sf_normalize(%(qx)s) AS qx
    FROM unnest(%(phrases)s::text[], %(weights)s::float8[]) WITH ORDINALITY AS p(phrase, weight, n)
),
tq AS (
  -- Titles must hold every word of one of the phrases (stemmed); one tsquery ORs them for one index scan.
  SELECT {tsquery} AS tq
),
words AS (
  -- The full-text index answers this without computing a similarity per row; the shortest such titles are
  -- the closest, so only those are scored.
  SELECT t.onet_code, t.title, t.title_type, t.normalized FROM {titles} t, tq
   WHERE to_tsvector('english', t.title) @@ tq.tq
   ORDER BY length(t.normalized), t.title_type = 'official' DESC
   LIMIT {per_path}
),
fuzzy_hits AS MATERIALIZED (
  -- Typos no correction explained: trigram similarity of the whole title or of a part of it; only when the
  -- words did not match.
  SELECT t.onet_code, t.title, t.title_type, t.normalized,
         similarity(t.normalized, q.qn) AS sim, word_similarity(q.qn, t.normalized) AS wsim
    FROM {titles} t, q
   WHERE (SELECT count(*) FROM words) < {fuzzy_below}
     -- a title that is one of the phrases (or its plural) cannot be beaten by a similar one
     AND NOT EXISTS (SELECT 1 FROM words w WHERE w.normalized = ANY(q.phrases) OR w.normalized = ANY(q.plurals))
     AND (t.normalized %% q.qn OR q.qn <%% t.normalized {fuzzy_qx})
),
fuzzy AS (
  (SELECT onet_code, title, title_type, normalized FROM fuzzy_hits ORDER BY sim DESC LIMIT {per_path})
  UNION
  (SELECT onet_code, title, title_type, normalized FROM fuzzy_hits ORDER BY wsim DESC, sim DESC LIMIT {per_path})
),
cand AS (SELECT * FROM words UNION SELECT * FROM fuzzy),
measured AS MATERIALIZED (
  -- Each similarity once per (title, phrase): the score below reads them several times.
  SELECT c.onet_code, c.title, c.title_type, c.normalized, p.phrase, p.weight,
         similarity(c.normalized, p.phrase) AS sim, word_similarity(p.phrase, c.normalized) AS wsim
    FROM cand c, q, unnest(q.phrases, q.weights) AS p(phrase, weight)
),
scored AS (
  SELECT m.onet_code, m.title, m.title_type,
         max((CASE m.title_type WHEN 'official' THEN 1.0 WHEN 'short' THEN 0.97 WHEN 'alternate' THEN 0.95
                                ELSE 0.9 END)
             * m.weight
             * greatest(
                 CASE WHEN m.normalized = m.phrase THEN 1.0
                      WHEN m.normalized IN (m.phrase || 's', m.phrase || 'es') THEN 0.97
                      WHEN left(m.normalized, length(m.phrase) + 1) = m.phrase || ' ' THEN 0.80 + 0.1 * m.sim
                      WHEN m.normalized LIKE '%%(%%'
                           AND btrim(regexp_replace(m.normalized, '\\s*\\([^)]*\\)', '', 'g')) = m.phrase THEN 0.98
                      ELSE 0 END,
                 0.85 * m.sim,
                 0.75 * m.wsim * (0.6 + 0.4 * m.sim)
               )) AS s
    FROM measured m
   GROUP BY m.onet_code, m.title, m.title_type
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
PER_PATH = 80  # titles scored per retrieval path
FUZZY_BELOW = 3  # run the typo path when fewer titles than this hold every word of the query
CORRECTED_WEIGHT = 0.95  # a title matching the spelling-corrected query scores a little below a typed match


_JOINERS = re.compile(r"\s*[-/]+\s*")


def _phrases(text: str, vocabulary: TitleVocabulary) -> tuple[list[str], list[float], bool]:
    """What was typed, its colloquial expansion and its spelling corrections (expanded too), with weights;
    and whether the corrections explain every unknown word."""
    phrases, weights = [text], [1.0]
    expanded = expand(text)
    if expanded.lower() != text.lower():
        phrases.append(expanded)
        weights.append(1.0)
    separated = _JOINERS.sub(" ", expanded)  # "sous-chef" finds "Sous Chef" (full text keeps compounds whole)
    if separated != expanded:
        phrases.append(separated)
        weights.append(1.0)
    corrected, complete = vocabulary.corrections(text)
    for phrase in corrected:
        phrase = expand(phrase)
        if phrase not in phrases:
            phrases.append(phrase)
            weights.append(CORRECTED_WEIGHT)
    return phrases, weights, bool(corrected) and complete


def search_occupations(release: Release, query: SearchQuery) -> list[dict[str, Any]]:
    """One page (limit + 1 rows, so the caller knows whether another page exists)."""
    params: dict[str, Any] = {
        "job_zone": query.job_zone,
        "major": query.soc_major_group,
        "limit": query.limit + 1,
        "offset": query.offset,
    }
    tables = {"titles": release.table("occupation_titles"), "occupations": release.table("occupations")}
    if not query.text or not query.text.strip():
        return fetch_all(_BROWSE_SQL.format(**tables), params)
    text = clean_text(query.text)
    if not text:
        return fetch_all(_BROWSE_SQL.format(**tables), params)
    phrases, weights, corrected = _phrases(text, vocabulary_for(release, tuple(COLLOQUIAL)))
    expansion = expand(text)
    expanded = expansion if expansion.lower() != text.lower() else None
    params.update(q=text, qx=expanded, phrases=phrases, weights=weights, min_score=MIN_SCORE)
    params.update({f"p{i}": phrase for i, phrase in enumerate(phrases)})
    tsquery = " || ".join(f"plainto_tsquery('english', sf_unaccent(%(p{i})s))" for i in range(len(phrases)))
    fuzzy_qx = "OR t.normalized %% q.qx OR q.qx <%% t.normalized" if expanded else ""
    # A complete correction already reached the words path; the trigram scan is then only a last resort.
    fuzzy_below = 1 if corrected else FUZZY_BELOW
    sql = _SEARCH_SQL.format(
        **tables, tsquery=tsquery, per_path=PER_PATH, fuzzy_below=fuzzy_below, fuzzy_qx=fuzzy_qx
    )
    return fetch_all(sql, params)
