"""Read-only reference routes: occupation search and detail, skills normalisation, releases."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from skillforge.api import caching
from skillforge.api.errors import ERRORS
from skillforge.api.http import cached
from skillforge.api.models import (
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    ONET_CODE_PATTERN,
    RELEASE_PATTERN,
    ElementList,
    OccupationDetail,
    OccupationPage,
    RelatedList,
    ReleaseList,
    SkillHierarchy,
    SkillSearchResult,
    TaskList,
)
from skillforge.errors import NotFound
from skillforge.search import clean_text

router = APIGatewayRouter()

Release = Annotated[
    str | None,
    Query(pattern=RELEASE_PATTERN, description="O*NET release, e.g. 29.0; default: the current one"),
]
OnetCode = Annotated[str, Path(pattern=ONET_CODE_PATTERN, description="O*NET-SOC code, e.g. 29-1141.00")]


def _release(name: str | None):
    from skillforge.reference.releases import resolve

    return resolve(name)


# Popular searches repeat; a warm instance answers them from memory (results are immutable per release).
_search_cache = caching.LruCache(4096)


@router.get(
    "/occupations",
    summary="Search occupations by title (typos, abbreviations, colloquial titles)",
    responses=ERRORS,
    tags=["occupations"],
)
def search_occupations(
    q: Annotated[str | None, Query(max_length=MAX_QUERY_LENGTH, description="What the person typed")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    release: Release = None,
    job_zone: Annotated[int | None, Query(ge=1, le=5, description="O*NET Job Zone 1-5")] = None,
    soc_major_group: Annotated[str | None, Query(pattern=r"^[0-9]{2}$", description="e.g. 29")] = None,
) -> Response[OccupationPage]:
    from skillforge.api.pagination import decode_cursor, encode_cursor, query_hash
    from skillforge.search.occupations import SearchQuery
    from skillforge.search.occupations import search_occupations as run_search

    rel = _release(release)
    text = (clean_text(q) or None) if q else None
    qhash = query_hash({"q": text, "release": rel.release, "jz": job_zone, "major": soc_major_group})
    offset = decode_cursor(cursor, qhash)

    def compute():
        def page():
            rows = run_search(rel, SearchQuery(text, job_zone, soc_major_group, limit, offset))
            more = len(rows) > limit
            return {
                "items": rows[:limit],
                "release": rel.release,
                "next_cursor": encode_cursor(offset + limit, qhash) if more else None,
            }

        key = f"{rel.release}|{rel.fingerprint}|{(text or '').lower()}|{job_zone}|{soc_major_group}|{limit}|{offset}"
        return _search_cache.get_or_compute(key, page)

    return cached(
        rel,
        "occupations",
        {"q": text, "limit": limit, "offset": offset, "jz": job_zone, "major": soc_major_group},
        caching.SEARCH_MAX_AGE,
        compute,
    )


_detail_cache = caching.LruCache(2048)


@router.get(
    "/occupations/<onet_code>",
    summary="Occupation detail: JAAT at-a-glance first, then the full O*NET profile",
    responses=ERRORS,
    tags=["occupations"],
)
def occupation_detail(onet_code: OnetCode, release: Release = None) -> Response[OccupationDetail]:
    from skillforge.reference import queries

    rel = _release(release)

    def compute():
        body = _detail_cache.get_or_compute(
            f"{rel.release}|{rel.fingerprint}|{onet_code}", lambda: queries.occupation_detail(rel, onet_code)
        )
        if body is None:
            raise NotFound(f"occupation {onet_code} is not in O*NET {rel.release}")
        return body

    return cached(rel, f"occupation/{onet_code}", {}, caching.DETAIL_MAX_AGE, compute)


def _sub_list(onet_code: str, release: str | None, kind: str, fetch) -> Response:
    from skillforge.reference import queries

    rel = _release(release)

    def compute():
        if queries.occupation_exists(rel, onet_code) is None:
            raise NotFound(f"occupation {onet_code} is not in O*NET {rel.release}")
        return {"onet_code": onet_code, "release": rel.release, "items": fetch(rel)}

    return cached(rel, f"occupation/{onet_code}/{kind}", {}, caching.DETAIL_MAX_AGE, compute)


@router.get(
    "/occupations/<onet_code>/skills",
    summary="Skills of an occupation (importance, level)",
    responses=ERRORS,
    tags=["occupations"],
)
def occupation_skills(onet_code: OnetCode, release: Release = None) -> Response[ElementList]:
    from skillforge.reference import queries

    return _sub_list(onet_code, release, "skills", lambda rel: queries.elements(rel, onet_code, "skills"))


@router.get(
    "/occupations/<onet_code>/knowledge",
    summary="Knowledge areas of an occupation",
    responses=ERRORS,
    tags=["occupations"],
)
def occupation_knowledge(onet_code: OnetCode, release: Release = None) -> Response[ElementList]:
    from skillforge.reference import queries

    return _sub_list(
        onet_code, release, "knowledge", lambda rel: queries.elements(rel, onet_code, "knowledge")
    )


@router.get(
    "/occupations/<onet_code>/abilities",
    summary="Abilities of an occupation",
    responses=ERRORS,
    tags=["occupations"],
)
def occupation_abilities(onet_code: OnetCode, release: Release = None) -> Response[ElementList]:
    from skillforge.reference import queries

    return _sub_list(
        onet_code, release, "abilities", lambda rel: queries.elements(rel, onet_code, "abilities")
    )


@router.get(
    "/occupations/<onet_code>/tasks",
    summary="Tasks of an occupation (core first)",
    responses=ERRORS,
    tags=["occupations"],
)
def occupation_tasks(onet_code: OnetCode, release: Release = None) -> Response[TaskList]:
    from skillforge.reference import queries

    return _sub_list(onet_code, release, "tasks", lambda rel: queries.tasks(rel, onet_code))


@router.get(
    "/occupations/<onet_code>/related",
    summary="O*NET's related occupations (tiers and rank)",
    responses=ERRORS,
    tags=["occupations"],
)
def occupation_related(onet_code: OnetCode, release: Release = None) -> Response[RelatedList]:
    from skillforge.reference import queries

    return _sub_list(onet_code, release, "related", lambda rel: queries.related(rel, onet_code))


@router.get(
    "/skills",
    summary="Normalise free text to O*NET skills, knowledge and technology skills",
    responses=ERRORS,
    tags=["skills"],
)
def search_skills(
    q: Annotated[
        str, Query(min_length=1, max_length=MAX_QUERY_LENGTH, description="Free text, e.g. 'python'")
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    release: Release = None,
) -> Response[SkillSearchResult]:
    from skillforge.search.skills import normalise_skills

    rel = _release(release)
    text = clean_text(q)

    def compute():
        return {
            "query": text,
            "release": rel.release,
            "items": normalise_skills(rel, text, limit=limit) if text else [],
        }

    return cached(rel, "skills", {"q": text, "limit": limit}, caching.SEARCH_MAX_AGE, compute)


@router.get(
    "/skills/hierarchy",
    summary="Skills (by category and cluster) and knowledge as a tree",
    responses=ERRORS,
    tags=["skills"],
)
def skill_hierarchy(release: Release = None) -> Response[SkillHierarchy]:
    from skillforge.reference import queries
    from skillforge.search.skills import element_kind

    rel = _release(release)

    def compute():
        groups: dict[tuple, dict] = {}
        for row in queries.skill_hierarchy(rel):
            kind = element_kind(row["element_id"])
            group_name = (
                row["cluster"] if kind == "technology" and row["cluster"] else (row["category"] or kind)
            )
            key = (kind, group_name)
            node = groups.setdefault(
                key,
                {
                    "element_id": f"{kind}:{group_name}",
                    "name": group_name,
                    "kind": kind,
                    "category": row["category"],
                    "children": [],
                },
            )
            node["children"].append(
                {
                    "element_id": row["element_id"],
                    "name": row["name"],
                    "kind": kind,
                    "category": row["category"],
                    "children": [],
                }
            )
        return {"release": rel.release, "items": list(groups.values())}

    return cached(rel, "skills/hierarchy", {}, caching.HIERARCHY_MAX_AGE, compute)


@router.get("/releases", summary="O*NET releases that can be read (current first)", tags=["releases"])
def releases() -> Response[ReleaseList]:
    from skillforge.reference.releases import list_releases

    # The resolver validates the body dict against ReleaseList, the annotation.
    body = {"items": list_releases()}
    return Response(200, "application/json", body, headers={"Cache-Control": "public, max-age=300"})  # type: ignore[arg-type]
