"""Matching and gap analysis for the API: resolve the user's skills, score every occupation, explain the
top ones (gaps with learning pathways, transferable skills)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from skillforge.errors import InvalidInput, NotFound
from skillforge.matching.matrix import ReleaseMatrix, matrix_for
from skillforge.matching.scoring import Profile, score_all
from skillforge.reference import queries
from skillforge.reference.releases import Release
from skillforge.search.skills import RESOLVE_MIN_CONFIDENCE, element_kind, normalise_skills

METHOD = (
    "level-aware soft Jaccard over critical skills+knowledge(+abilities), smoothed by occupation similarity"
)
GAPS_PER_ITEM = 10
TRANSFERABLE_MIN_IMPORTANCE = (
    2.0  # below "somewhat important" a skill does not carry over in any useful sense
)
LEVEL_EPSILON = 1e-3  # the matrix holds float32 levels; a level typed as 4.4 equals a required 4.4


def resolve_skills(
    release: Release, matrix: ReleaseMatrix, skills: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each input -> one element (by id, or by name through normalisation). Unknown ones are a 422."""
    resolved, problems = [], []
    known = {e: {"name": matrix.element_names[j]} for e, j in matrix.element_index.items()}
    outside = [s["element_id"] for s in skills if s.get("element_id") and s["element_id"] not in known]
    known.update(queries_elements(release, outside))
    for i, skill in enumerate(skills):
        if skill.get("element_id"):
            element_id = skill["element_id"]
            info = known.get(element_id)
            if info is None:
                problems.append(
                    {
                        "field": f"body.skills.{i}.element_id",
                        "rule": "known_element",
                        "message": f"{element_id} is not an element of O*NET {release.release}",
                    }
                )
                continue
            resolved.append(
                {
                    "input_index": i,
                    "element_id": element_id,
                    "name": info["name"],
                    "kind": element_kind(element_id),
                    "level": skill.get("level"),
                    "confidence": 1.0,
                }
            )
            continue
        candidates = normalise_skills(release, skill["name"], limit=5)
        # Prefer an element the matrix can score when the text is about as close to it as to a technology.
        best = None
        for cand in candidates:
            if cand["confidence"] < RESOLVE_MIN_CONFIDENCE:
                continue
            if best is None or (
                cand["element_id"] in matrix.element_index
                and best["element_id"] not in matrix.element_index
                and cand["confidence"] >= best["confidence"] - 0.05
            ):
                best = cand
        if best is None:
            problems.append(
                {
                    "field": f"body.skills.{i}.name",
                    "rule": "known_skill",
                    "message": f"no O*NET skill, knowledge or technology matches {skill['name']!r}",
                }
            )
            continue
        resolved.append(
            {
                "input_index": i,
                "element_id": best["element_id"],
                "name": best["name"],
                "kind": best["kind"],
                "level": skill.get("level"),
                "confidence": best["confidence"],
            }
        )
    if problems:
        raise InvalidInput("some skills could not be resolved", problems)
    return resolved


def queries_elements(release: Release, element_ids: list[str]) -> dict[str, dict[str, Any]]:
    from skillforge.search.skills import elements_by_id

    return elements_by_id(release, element_ids)


def _profile_pairs(resolved: list[dict[str, Any]]) -> dict[str, float | None]:
    """One level per element: the highest given (a name and an id may resolve to the same element)."""
    pairs: dict[str, float | None] = {}
    for r in resolved:
        old, new = pairs.get(r["element_id"]), r["level"]
        pairs[r["element_id"]] = new if old is None else (old if new is None else max(old, new))
    return pairs


def _explain(
    matrix: ReleaseMatrix,
    row: int,
    pairs: dict[str, float | None],
    pathways: dict[str, list[dict[str, Any]]],
    gap_limit: int | None,
    tech_names: dict[str, str],
) -> dict[str, Any]:
    gaps: list[dict[str, Any]] = []
    transferable: list[dict[str, Any]] = []
    met: list[dict[str, Any]] = []
    code = matrix.codes[row]
    for j, importance, required in matrix.critical_rows[row]:
        element_id = matrix.element_ids[j]
        base: dict[str, Any] = {
            "element_id": element_id,
            "name": matrix.element_names[j],
            "kind": element_kind(element_id),
            "importance": importance,
            "required_level": required,
        }
        if element_id not in pairs:
            gaps.append({**base, "user_level": None, "status": "missing"})
            continue
        user = pairs[element_id]
        if user is not None and user + LEVEL_EPSILON < required:
            gaps.append({**base, "user_level": user, "status": "under_level"})
        else:
            met.append({**base, "user_level": user})
    for element_id, user in pairs.items():
        col = matrix.element_index.get(element_id)
        if col is None:
            continue
        importance, required = matrix.rating(row, col)
        if importance < TRANSFERABLE_MIN_IMPORTANCE:
            continue
        if user is None or required <= user + LEVEL_EPSILON:
            transferable.append(
                {
                    "element_id": element_id,
                    "name": matrix.element_names[col],
                    "kind": element_kind(element_id),
                    "importance": importance,
                    "required_level": required,
                    "user_level": user,
                }
            )
    for element_id, user in pairs.items():
        t = matrix.tech_index.get(element_id)
        if t is not None and matrix.tech_uses[row, t]:
            transferable.append(
                {
                    "element_id": element_id,
                    "name": tech_names.get(element_id, element_id),
                    "kind": "technology",
                    "importance": None,
                    "required_level": None,
                    "user_level": user,
                }
            )
    gaps.sort(
        key=lambda g: (-g["importance"], -(g["required_level"] - (g["user_level"] or 0)), g["element_id"])
    )
    transferable.sort(key=lambda t: (-(t["importance"] or 0), t["element_id"]))
    if gap_limit is not None:
        gaps = gaps[:gap_limit]
    for gap in gaps:
        gap["pathways"] = _pathways_for_gap(pathways.get(code, []), gap["element_id"])
    return {"gaps": gaps, "transferable": transferable, "met": met}


def _pathways_for_gap(candidates: list[dict[str, Any]], element_id: str) -> list[dict[str, Any]]:
    """Pathways into the target that name the element in their steps; if none of the target's pathways name
    any element, every one of them is offered (they lead into the occupation as a whole)."""
    naming = [p for p in candidates if f'"{element_id}"' in (p.get("steps_text") or "")]
    chosen = naming or [p for p in candidates if not _names_elements(p)]
    return [
        {k: p[k] for k in ("id", "pathway_key", "title", "total_duration_weeks", "certification")}
        for p in chosen
    ]


def _names_elements(pathway: dict[str, Any]) -> bool:
    text = pathway.get("steps_text") or ""
    return '"element_id"' in text or '"element_ids"' in text


def _item(matrix: ReleaseMatrix, scores, row: int) -> dict[str, Any]:
    return {
        "onet_code": matrix.codes[row],
        "title": matrix.titles[row],
        "job_zone": matrix.job_zones[row],
        "score": round(float(scores.score[row]) * 100, 2),
        "match_score": round(float(scores.match_score[row]), 2),
        "adjusted_score": round(float(scores.adjusted_score[row]), 2),
    }


def match(
    release: Release,
    skills: list[dict[str, Any]],
    limit: int,
    experience_years: float | None = None,
    job_zone: int | None = None,
) -> dict[str, Any]:
    matrix = matrix_for(release)
    resolved = resolve_skills(release, matrix, skills)
    pairs = _profile_pairs(resolved)
    scores = score_all(matrix, Profile.from_pairs(matrix, pairs), experience_years)
    order: list[int] = np.lexsort((scores.direct, scores.score))[::-1].tolist() if len(matrix.codes) else []
    if job_zone is not None:
        order = [i for i in order if matrix.job_zones[i] == job_zone]
    top = order[:limit]
    pathways = _group_pathways([matrix.codes[i] for i in top])
    tech_names = _tech_names(resolved)
    items = []
    for row in top:
        explained = _explain(matrix, row, pairs, pathways, GAPS_PER_ITEM, tech_names)
        items.append(
            {
                **_item(matrix, scores, row),
                "gaps": explained["gaps"],
                "transferable": explained["transferable"],
            }
        )
    return {"release": release.release, "method": METHOD, "resolved": resolved, "items": items}


def gap_analysis(
    release: Release, onet_code: str, skills: list[dict[str, Any]], experience_years: float | None = None
) -> dict[str, Any]:
    matrix = matrix_for(release)
    row = matrix.code_index.get(onet_code)
    if row is None:
        exists = queries.occupation_exists(release, onet_code)
        raise NotFound(
            f"occupation {onet_code} is not in O*NET {release.release}"
            if exists is None
            else f"occupation {onet_code} has no skill ratings in O*NET {release.release}"
        )
    resolved = resolve_skills(release, matrix, skills)
    pairs = _profile_pairs(resolved)
    scores = score_all(matrix, Profile.from_pairs(matrix, pairs), experience_years)
    explained = _explain(matrix, row, pairs, _group_pathways([onet_code]), None, _tech_names(resolved))
    return {**_item(matrix, scores, row), "release": release.release, "resolved": resolved, **explained}


def _tech_names(resolved: list[dict[str, Any]]) -> dict[str, str]:
    return {r["element_id"]: r["name"] for r in resolved if r["kind"] == "technology"}


def _group_pathways(codes: list[str]) -> dict[str, list[dict[str, Any]]]:
    by_target = _active_pathways()
    return {c: by_target[c] for c in codes if c in by_target}


_pathways_cache: tuple[float, dict[str, list[dict[str, Any]]]] | None = None
PATHWAYS_TTL_SECONDS = 60.0


def _active_pathways() -> dict[str, list[dict[str, Any]]]:
    """Every active pathway by target, re-read at most once a minute (a small, curated table)."""
    global _pathways_cache
    now = time.monotonic()
    if _pathways_cache is not None and now - _pathways_cache[0] < PATHWAYS_TTL_SECONDS:
        return _pathways_cache[1]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for p in queries.active_learning_pathways():
        grouped.setdefault(p["target_onet_code"], []).append(p)
    _pathways_cache = (now, grouped)
    return grouped


def clear_cache() -> None:
    global _pathways_cache
    _pathways_cache = None
