"""The curated learning-pathway file format (`content/pathways/<pathway_key>.json`), as pydantic models.

One file per pathway. Steps are ordered (`order` = 1..n, no gaps), each with at least one provider, a
duration and, where the step ends in one, a certification; the pathway names the certification outcome
and the O*NET-SOC occupation it leads to (checked against the database's occupation codes on publish, and
against the committed O*NET sample in CI).
"""

from __future__ import annotations

import hashlib
import json
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

SCHEMA_VERSION: Final = 1
StepKind = Literal[
    "course",
    "degree",
    "certificate-program",
    "certification-exam",
    "licensing-exam",
    "apprenticeship",
    "on-the-job",
    "bootcamp",
    "academy",
    "self-study",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Provider(_Strict):
    name: str = Field(min_length=2, max_length=200)
    url: HttpUrl | None = None
    delivery: Literal["online", "in-person", "hybrid"] | None = None
    cost_usd: float | None = Field(None, ge=0, le=500_000)


class PathwayStep(_Strict):
    order: int = Field(ge=1)
    title: str = Field(min_length=3, max_length=200)
    kind: StepKind
    description: str | None = Field(None, max_length=2000)
    providers: list[Provider] = Field(min_length=1)
    duration_weeks: float = Field(gt=0, le=520)
    certification: str | None = Field(
        None, min_length=2, max_length=300, description="The credential this step ends in, if any"
    )


class Pathway(_Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    pathway_key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,100}$")
    title: str = Field(min_length=3, max_length=200)
    target_onet_code: str = Field(pattern=r"^[0-9]{2}-[0-9]{4}\.[0-9]{2}$")
    description: str | None = Field(None, max_length=4000)
    certification: str = Field(
        min_length=2, max_length=300, description="The pathway's certification outcome"
    )
    steps: list[PathwayStep] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _steps_in_order(self) -> Pathway:
        orders = [step.order for step in self.steps]
        if orders != list(range(1, len(orders) + 1)):
            raise ValueError(
                f"steps must be listed in order 1..{len(orders)} without gaps, got orders {orders}"
            )
        titles = [step.title.lower() for step in self.steps]
        if len(set(titles)) != len(titles):
            raise ValueError("step titles must be distinct")
        return self

    @property
    def total_duration_weeks(self) -> float:
        return round(sum(step.duration_weeks for step in self.steps), 1)

    def steps_json(self) -> list[dict]:
        return [step.model_dump(mode="json", exclude_none=True) for step in self.steps]

    def canonical(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)

    @property
    def content_sha256(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def json_schema() -> dict:
    """The file format as JSON Schema (committed as content/pathways/_schema/pathway.schema.json for editors)."""
    schema = Pathway.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://skillforge.example/schemas/learning-pathway-v1.json"
    return schema
