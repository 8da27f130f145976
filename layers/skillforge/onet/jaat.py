"""JAAT (Job Analysis at a Glance): the at-a-glance record of an occupation.

A record is generated for every occupation from O*NET and BLS; curated overrides in `content/jaat/*.json`
are validated and layered on top, field by field (provenance 'curated' and the list of curated fields are
kept). Override file format (one occupation per file):

    {"onet_code": "15-1252.00", "jaat_id": "JAAT-15-1252.00",        # jaat_id optional
     "also_maps_to": ["15-1299.08"],                                  # extra jaat_to_onet links, optional
     "summary": "...", "key_responsibilities": [...], ...}            # any JaatRecord field but onet_code
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from skillforge.config import get_settings
from skillforge.onet.bls import BlsData
from skillforge.onet.normalise import Normalised
from skillforge.onet.report import Report
from skillforge.reference.elements import element_kind

CODE_PATTERN = r"^\d{2}-\d{4}\.\d{2}$"
GENERATED_LABEL = "(generated JAAT)"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
REPOSITORY_CONTENT_DIR = Path(__file__).resolve().parents[3] / "content" / "jaat"
DEFAULT_CONTENT_DIR = get_settings().jaat_dir or REPOSITORY_CONTENT_DIR


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


class EssentialSkill(BaseModel):
    model_config = ConfigDict(extra="forbid")
    element_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: Literal["skill", "knowledge", "technology"] = "skill"
    importance: float | None = Field(None, ge=1, le=5)
    level: float | None = Field(None, ge=0, le=7)


class SalaryRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    currency: Literal["USD"] = "USD"
    period: Literal["annual", "hourly"]
    p10: float | None = Field(None, gt=0)
    median: float = Field(gt=0)
    p90: float | None = Field(None, gt=0)
    source: str

    @model_validator(mode="after")
    def ordered(self) -> SalaryRange:
        if self.p10 is not None and self.p10 > self.median:
            raise ValueError("p10 must not exceed the median")
        if self.p90 is not None and self.p90 < self.median:
            raise ValueError("p90 must not be below the median")
        return self


class GrowthOutlook(BaseModel):
    model_config = ConfigDict(extra="forbid")
    percent: float | None = None
    label: str = Field(min_length=1)
    annual_openings: int | None = Field(None, ge=0)
    period: str | None = Field(None, description="projection period, e.g. 2024–34")
    source: str


class RelatedOccupation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    onet_code: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=1)


class JaatRecord(BaseModel):
    """The at-a-glance record (the API's `at_a_glance`)."""

    model_config = ConfigDict(extra="forbid")
    jaat_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{1,80}$")
    onet_code: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=20, max_length=1200, description="2-3 sentences")
    key_responsibilities: list[str] = Field(default_factory=list, max_length=8)
    essential_skills: list[EssentialSkill] = Field(
        default_factory=list, max_length=10, description="5-10, fewer only with limited_data"
    )
    typical_education: str | None = None
    salary_range: SalaryRange | None = None
    growth_outlook: GrowthOutlook | None = None
    related_occupations: list[RelatedOccupation] = Field(default_factory=list, max_length=10)
    limited_data: bool = Field(False, description="O*NET has no ratings for this occupation")
    sources: list[str] = Field(default_factory=list)

    @field_validator("summary")
    @classmethod
    def two_or_three_sentences(cls, value: str) -> str:
        n = len(sentences(value))
        if not 2 <= n <= 3:
            raise ValueError(f"summary must be 2-3 sentences, found {n}")
        return value

    @model_validator(mode="after")
    def enough_skills(self) -> JaatRecord:
        if len(self.essential_skills) < 5 and not self.limited_data:
            raise ValueError(
                f"essential_skills needs 5-10 entries, found {len(self.essential_skills)} "
                f"(fewer only when limited_data is true)"
            )
        return self


class JaatOverride(BaseModel):
    """A curated override file: onet_code plus any subset of the record's fields."""

    model_config = ConfigDict(extra="forbid")
    onet_code: str = Field(pattern=CODE_PATTERN)
    jaat_id: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{1,80}$")
    also_maps_to: list[str] = Field(default_factory=list)
    title: str | None = None
    summary: str | None = None
    key_responsibilities: list[str] | None = None
    essential_skills: list[EssentialSkill] | None = None
    typical_education: str | None = None
    salary_range: SalaryRange | None = None
    growth_outlook: GrowthOutlook | None = None
    related_occupations: list[RelatedOccupation] | None = None

    @field_validator("also_maps_to")
    @classmethod
    def codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.match(CODE_PATTERN, code):
                raise ValueError(f"{code!r} is not an O*NET-SOC code")
        return value


def growth_label(percent: float | None) -> str | None:
    """Wording of the BLS Occupational Outlook Handbook's growth buckets (all-occupation average 2024-34: 3.1%)."""
    if percent is None:
        return None
    if percent >= 8:
        return "much faster than average"
    if percent >= 5:
        return "faster than average"
    if percent >= 2:
        return "about as fast as average"
    if percent >= 1:
        return "slower than average"
    if percent > -1:
        return "little or no change"
    return "decline"


def _money(value: float, period: str) -> str:
    return f"${value:,.0f} a year" if period == "annual" else f"${value:,.2f} an hour"


class JaatSources:
    """Source labels and the projection period, named after the input files (nothing assumed about years)."""

    def __init__(self, release: str, bls: BlsData | None):
        self.release = release
        bls = bls or BlsData()
        self.oews = f"BLS OEWS {bls.oews_reference or f'({bls.oews_source})'}" if bls.oews_source else None
        self.period = bls.ep_period
        self.ep = (
            f"BLS Employment Projections {bls.ep_period or f'({bls.ep_source})'}" if bls.ep_source else None
        )


def generate(
    norm: Normalised, release: str, bls: BlsData | None = None, report: Report | None = None
) -> dict[str, JaatRecord]:
    """A record for every occupation. A record the data cannot make valid (e.g. a description whose first
    sentence the splitter cuts in two) is reported as `jaat.generated` (file '(generated JAAT)', column
    '<onet_code>.<field>') when a report is given, else the ValidationError propagates."""
    src = JaatSources(release, bls)
    names = {r[0]: r[1] for t in ("skills", "knowledge") for r in norm.tables.get(t, [])}
    reach = {r[0]: r[8] for r in norm.tables.get("skills", []) if r[3] == "technical"}
    skills_by_occ: dict[str, list[tuple]] = defaultdict(list)
    for r in norm.tables.get("occupation_skills", []):
        if r[16] and r[2] is not None:
            skills_by_occ[r[0]].append(r)
    knowledge_by_occ: dict[str, list[tuple]] = defaultdict(list)
    for r in norm.tables.get("occupation_knowledge", []):
        if r[16] and r[2] is not None:
            knowledge_by_occ[r[0]].append(r)
    tech_by_occ: dict[str, list[tuple]] = defaultdict(list)
    for r in norm.tables.get("occupation_technology_skills", []):
        tech_by_occ[r[0]].append(r)
    tasks_by_occ: dict[str, list[tuple]] = defaultdict(list)
    for r in norm.tables.get("occupation_tasks", []):
        tasks_by_occ[r[0]].append(r)
    related_by_occ: dict[str, list[tuple]] = defaultdict(list)
    for r in norm.tables.get("related_occupations", []):
        related_by_occ[r[0]].append(r)
    records = {}
    for code, occ in norm.occupations.items():
        try:
            records[code] = _generate_one(
                code,
                occ,
                norm,
                names,
                skills_by_occ[code],
                knowledge_by_occ[code],
                tech_by_occ[code],
                tasks_by_occ[code],
                related_by_occ[code],
                src,
                reach,
            )
        except ValidationError as exc:
            if report is None:
                raise
            _pydantic_problems(report, GENERATED_LABEL, exc, prefix=f"{code}.", rule="jaat.generated")
    return records


def _generate_one(
    code, occ, norm, names, skills, knowledge, tech, tasks, related, src: JaatSources, reach: dict[str, int]
) -> JaatRecord:
    title = occ["title"]
    desc = sentences(occ["description"] or "")
    parts = [f"{title}: {desc[0]}" if desc else f"{title}."]
    salary = None
    if occ["wage_median"] is not None:
        salary = SalaryRange(
            period="annual",
            p10=occ["wage_p10"],
            median=occ["wage_median"],
            p90=occ["wage_p90"],
            source=src.oews or "BLS OEWS",
        )
    elif occ["wage_hourly_median"] is not None:
        salary = SalaryRange(
            period="hourly",
            p10=occ["wage_hourly_p10"],
            median=occ["wage_hourly_median"],
            p90=occ["wage_hourly_p90"],
            source=src.oews or "BLS OEWS",
        )
    outlook = None
    label = growth_label(occ["outlook_percent"])
    if label or occ["annual_openings"] is not None:
        outlook = GrowthOutlook(
            percent=occ["outlook_percent"],
            label=label or "not projected",
            annual_openings=occ["annual_openings"],
            period=src.period,
            source=src.ep or "BLS Employment Projections",
        )
    education = occ["entry_education"] or occ["education_level"]
    facts = []
    if salary:
        facts.append(f"the median pay is {_money(salary.median, salary.period)}")
    if outlook and outlook.percent is not None:
        over = f" over {src.period}" if src.period else ""
        facts.append(f"employment is projected to change {outlook.percent:+.1f}%{over} ({outlook.label})")
    if facts:
        sentence = "; ".join(facts)
        parts.append(sentence[0].upper() + sentence[1:] + ".")
    if education:
        parts.append(
            f"Typical education: {education}"
            + (f" (Job Zone {occ['job_zone']})." if occ["job_zone"] else ".")
        )
    if len(parts) < 2 and len(desc) > 1:
        parts.append(desc[1])
    if len(parts) < 2:
        parts.append(f"O*NET {src.release} lists {len(tasks)} tasks for this occupation.")
    summary = " ".join(parts[:3])

    core = sorted((t for t in tasks if t[3] != "Supplemental"), key=lambda t: (-(t[4] or 0), t[1])) or sorted(
        tasks, key=lambda t: t[1]
    )
    responsibilities = [t[2] for t in core[:5]]

    essential = [
        EssentialSkill(element_id=r[1], name=names.get(r[1], r[1]), kind="skill", importance=r[2], level=r[3])
        for r in sorted(skills, key=lambda r: (-r[2], r[1]))[:7]
        if r[2] >= 3.0
    ]
    # technologies: in demand first, then hot, then the most widely used across occupations
    hot = sorted(tech, key=lambda r: (not r[6], not r[5], -reach.get(r[1], 0), r[2]))
    for r in hot[:3]:
        if r[5] or r[6]:
            essential.append(EssentialSkill(element_id=r[1], name=r[2], kind="technology"))
    for r in sorted(knowledge, key=lambda r: (-r[2], r[1])):
        if len(essential) >= 5:
            break
        essential.append(
            EssentialSkill(
                element_id=r[1], name=names.get(r[1], r[1]), kind="knowledge", importance=r[2], level=r[3]
            )
        )
    for r in hot:
        if len(essential) >= 5:
            break
        if all(e.element_id != r[1] for e in essential):
            essential.append(EssentialSkill(element_id=r[1], name=r[2], kind="technology"))
    related_occs = [
        RelatedOccupation(onet_code=r[1], title=norm.occupations[r[1]]["title"])
        for r in sorted(related, key=lambda r: r[3])
        if r[1] in norm.occupations
    ][:5]
    sources = [f"O*NET {src.release} Database (USDOL/ETA, CC BY 4.0)"]
    if salary:
        sources.append(salary.source)
    if outlook:
        sources.append(outlook.source)
    return JaatRecord(
        jaat_id=f"JAAT-{code}",
        onet_code=code,
        title=title,
        summary=summary,
        key_responsibilities=responsibilities,
        essential_skills=essential[:10],
        typical_education=education,
        salary_range=salary,
        growth_outlook=outlook,
        related_occupations=related_occs,
        limited_data=len(essential) < 5,
        sources=sources,
    )


def _pydantic_problems(
    report: Report, file: str, exc: ValidationError, prefix: str = "", rule: str = "jaat.schema"
) -> None:
    for e in exc.errors():
        path = ".".join(str(p) for p in e["loc"]) or "(record)"
        report.error(file, None, prefix + path, rule, e["msg"])


def apply_overrides(
    records: dict[str, JaatRecord], content_dir: Path | None, known_elements: set[str], report: Report
) -> tuple[dict[str, tuple[JaatRecord, list[str], str | None]], list[tuple], dict[str, bytes]]:
    """Layer curated overrides on the generated records. Returns {onet_code: (record, curated_fields,
    source_file)}, the jaat_to_onet rows and the raw override files (part of the release fingerprint)."""
    result = {code: (rec, [], None) for code, rec in records.items()}
    links = {(rec.jaat_id, code): "generated" for code, rec in records.items()}
    raw: dict[str, bytes] = {}
    files = sorted(content_dir.glob("*.json")) if content_dir and content_dir.is_dir() else []
    curated_by: dict[str, str] = {}  # onet_code -> the file that curates it
    id_owner = {rec.jaat_id: code for code, rec in records.items()}  # a jaat_id names one record
    for path in files:
        label = f"content/jaat/{path.name}"
        data = path.read_bytes()
        raw[label] = data
        try:
            payload = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            report.error(
                label, getattr(exc, "lineno", None), None, "jaat.json", f"not valid UTF-8 JSON: {exc}"
            )
            continue
        try:
            override = JaatOverride.model_validate(payload)
        except ValidationError as exc:
            _pydantic_problems(report, label, exc)
            continue
        if override.onet_code not in records:
            report.error(
                label,
                None,
                "onet_code",
                "jaat.unknown_code",
                f"{override.onet_code} is not an occupation of this release",
            )
            continue
        if override.onet_code in curated_by:  # two files for one occupation: which one wins is not obvious
            report.error(
                label,
                None,
                "onet_code",
                "jaat.duplicate",
                f"{override.onet_code} is already curated in {curated_by[override.onet_code]}",
            )
            continue
        curated_by[override.onet_code] = label
        bad = False
        for i, skill in enumerate(override.essential_skills or []):
            if skill.element_id not in known_elements:
                report.error(
                    label,
                    None,
                    f"essential_skills.{i}.element_id",
                    "jaat.unknown_element",
                    f"{skill.element_id!r} is not a skill, knowledge or technology element of this release",
                )
                bad = True
                continue
            kind = element_kind(skill.element_id)
            if "kind" not in skill.model_fields_set:
                skill.kind = kind  # the default 'skill' would mislabel a knowledge or technology element
            elif skill.kind != kind:
                report.error(
                    label,
                    None,
                    f"essential_skills.{i}.kind",
                    "jaat.kind",
                    f"{skill.element_id!r} is a {kind} element, not a {skill.kind}",
                )
                bad = True
        for i, code in enumerate(override.also_maps_to):
            if code not in records:
                report.error(
                    label,
                    None,
                    f"also_maps_to.{i}",
                    "jaat.unknown_code",
                    f"{code} is not an occupation of this release",
                )
                bad = True
        for i, rel in enumerate(override.related_occupations or []):
            if rel.onet_code not in records:
                report.error(
                    label,
                    None,
                    f"related_occupations.{i}.onet_code",
                    "jaat.unknown_code",
                    f"{rel.onet_code} is not an occupation of this release",
                )
                bad = True
        if bad:
            continue
        fields = sorted(f for f in override.model_fields_set if f not in ("onet_code", "also_maps_to"))
        base = records[override.onet_code]
        merged = base.model_dump()
        for f in fields:
            value = getattr(override, f)
            merged[f] = (
                value.model_dump()
                if isinstance(value, BaseModel)
                else (
                    [v.model_dump() if isinstance(v, BaseModel) else v for v in value]
                    if isinstance(value, list)
                    else value
                )
            )
        if "essential_skills" in fields:
            merged["limited_data"] = False
        try:
            record = JaatRecord.model_validate(merged)
        except ValidationError as exc:
            _pydantic_problems(report, label, exc)
            continue
        owner = id_owner.get(record.jaat_id)
        if owner is not None and owner != override.onet_code:  # also_maps_to shares a record, not this
            report.error(
                label,
                None,
                "jaat_id",
                "jaat.duplicate",
                f"jaat_id {record.jaat_id!r} already names the record of {owner}",
            )
            continue
        id_owner.pop(base.jaat_id, None)
        id_owner[record.jaat_id] = override.onet_code
        result[override.onet_code] = (record, fields, label)
        links.pop((base.jaat_id, override.onet_code), None)
        links[(record.jaat_id, override.onet_code)] = "curated"
        for code in override.also_maps_to:
            links[(record.jaat_id, code)] = "curated"
    return result, [(jid, code, prov) for (jid, code), prov in sorted(links.items())], raw
