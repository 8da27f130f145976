"""Matching routes: skills -> ranked occupations, and the gap analysis against one target."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from skillforge.api.errors import ERRORS
from skillforge.api.models import ONET_CODE_PATTERN, GapAnalysis, GapRequest, MatchRequest, MatchResponse

router = APIGatewayRouter()


@router.post(
    "/match",
    summary="Rank occupations for a skill profile, with gaps and transferable skills",
    responses=ERRORS,
    tags=["matching"],
)
def match(request: Annotated[MatchRequest, Body()]) -> MatchResponse:
    from skillforge.matching.service import match as run_match
    from skillforge.reference.releases import resolve

    release = resolve(request.release)
    skills = [s.model_dump() for s in request.skills]
    # The resolver validates the returned dict against MatchResponse (the annotation documents and checks it).
    return run_match(release, skills, request.limit, request.experience_years, request.job_zone)  # type: ignore[return-value]


@router.post(
    "/occupations/<onet_code>/gap-analysis",
    summary="Gaps (with learning pathways) and transferable skills towards one occupation",
    responses=ERRORS,
    tags=["matching"],
)
def gap_analysis(
    onet_code: Annotated[str, Path(pattern=ONET_CODE_PATTERN)], request: Annotated[GapRequest, Body()]
) -> GapAnalysis:
    from skillforge.matching.service import gap_analysis as run_gap_analysis
    from skillforge.reference.releases import resolve

    release = resolve(request.release)
    skills = [s.model_dump() for s in request.skills]
    return run_gap_analysis(release, onet_code, skills, request.experience_years)  # type: ignore[return-value]
