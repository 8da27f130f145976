"""JAAT at-a-glance records: generated for every occupation, curated overrides validated and layered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from skillforge.onet.bls import read_bls
from skillforge.onet.jaat import (
    DEFAULT_CONTENT_DIR,
    JaatRecord,
    apply_overrides,
    generate,
    growth_label,
    sentences,
)
from skillforge.onet.normalise import normalise
from skillforge.onet.parse import parse_release, read_inputs
from skillforge.onet.report import Report
from skillforge.onet.source import ReleaseSource
from tests.onet.helpers import SAMPLE


@pytest.fixture(scope="module")
def sample_records():
    report = Report()
    parsed = parse_release(read_inputs(ReleaseSource.open(SAMPLE)), str(SAMPLE), report)
    bls = read_bls(
        SAMPLE / "bls" / "oews_national_may2025.csv", SAMPLE / "bls" / "ep_2024-34_table_1_2.csv", report
    )
    norm = normalise(parsed, bls)
    records = generate(norm, "29.0", bls)
    known = {r[0] for t in ("skills", "knowledge") for r in norm.tables[t]}
    return norm, records, known


def test_a_valid_record_for_every_occupation(sample_records):
    norm, records, _ = sample_records
    assert set(records) == set(norm.occupations)
    for record in records.values():
        JaatRecord.model_validate(record.model_dump())  # round-trips through the schema
        assert 2 <= len(sentences(record.summary)) <= 3
        assert record.limited_data or 5 <= len(record.essential_skills) <= 10
    rn = records["29-1141.00"]
    assert not rn.limited_data and rn.salary_range.period == "annual"
    assert rn.salary_range.p10 < rn.salary_range.median < rn.salary_range.p90
    assert rn.growth_outlook.label == growth_label(rn.growth_outlook.percent)
    assert rn.growth_outlook.period == "2024–34" and "over 2024–34" in rn.summary  # from the EP headers
    assert rn.salary_range.source == "BLS OEWS May 2025"  # from the OEWS file name
    assert rn.key_responsibilities and rn.related_occupations
    assert {s.kind for s in rn.essential_skills} >= {"skill"}
    # O*NET 29.0 has no ratings for 55-1016.00: the record says so instead of inventing skills
    assert records["55-1016.00"].limited_data and records["55-1016.00"].salary_range is None


def test_suppressed_ratings_are_not_essential(sample_records):
    norm, records, _ = sample_records
    unusable = {(r[0], r[1]) for r in norm.tables["occupation_skills"] if not r[16]}
    for code, record in records.items():
        for skill in record.essential_skills:
            assert (code, skill.element_id) not in unusable


def test_committed_overrides_are_valid_and_layered(sample_records):
    _, records, known = sample_records
    report = Report()
    layered, links, raw = apply_overrides(records, DEFAULT_CONTENT_DIR, known, report)
    assert report.ok, [str(p) for p in report.problems]
    record, fields, source = layered["15-1252.00"]
    assert source == "content/jaat/15-1252.00.json" and "summary" in fields and "essential_skills" in fields
    assert record.salary_range == records["15-1252.00"].salary_range  # generated fields stay underneath
    assert not record.limited_data
    assert ("JAAT-15-1252.00", "15-1252.00", "curated") in links
    assert ("JAAT-11-1011.00", "11-1011.00", "generated") in links
    assert "content/jaat/29-1141.00.json" in raw


def _override(tmp_path: Path, name: str, payload) -> Path:
    folder = tmp_path / "jaat"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "payload,column,rule",
    [
        ({"onet_code": "29-1141.00", "summary": "Only one sentence here."}, "summary", "jaat.schema"),
        ({"onet_code": "29-1141.00", "salary": 5}, "salary", "jaat.schema"),
        (
            {"onet_code": "29-1141.00", "essential_skills": [{"element_id": "2.A.1.a", "name": "Reading"}]},
            "(record)",
            "jaat.schema",
        ),
        (
            {
                "onet_code": "29-1141.00",
                "salary_range": {"period": "annual", "p10": 90000, "median": 80000, "source": "x"},
            },
            "salary_range",
            "jaat.schema",
        ),
        ({"onet_code": "99-0000.00"}, "onet_code", "jaat.unknown_code"),
        ({"onet_code": "29-1141"}, "onet_code", "jaat.schema"),
        (
            {
                "onet_code": "29-1141.00",
                "essential_skills": [{"element_id": f"TECH-nope-{i}", "name": "x"} for i in range(5)],
            },
            "essential_skills.0.element_id",
            "jaat.unknown_element",
        ),
        ({"onet_code": "29-1141.00", "also_maps_to": ["15-9999.00"]}, "also_maps_to.0", "jaat.unknown_code"),
        ({"onet_code": "29-1141.00", "jaat_id": "JAAT-11-1011.00"}, "jaat_id", "jaat.duplicate"),
        ("{not json", None, "jaat.json"),
        (
            {
                "onet_code": "29-1141.00",
                "essential_skills": [{"element_id": "TECH-python", "name": "Python", "kind": "skill"}]
                + [{"element_id": "2.A.1.a", "name": "Reading"}] * 4,
            },
            "essential_skills.0.kind",
            "jaat.kind",
        ),
    ],
)
def test_invalid_override_names_file_and_field(sample_records, tmp_path: Path, payload, column, rule):
    _, records, known = sample_records
    report = Report()
    layered, _, _ = apply_overrides(records, _override(tmp_path, "bad.json", payload), known, report)
    problem = report.errors()[0]
    assert problem.file == "content/jaat/bad.json" and problem.rule == rule
    if column is not None:
        assert problem.column == column or problem.column.startswith(column), problem
    assert layered["29-1141.00"][1] == []  # nothing of a bad file is applied


def test_override_can_map_one_jaat_record_to_several_occupations(sample_records, tmp_path: Path):
    _, records, known = sample_records
    report = Report()
    folder = _override(
        tmp_path,
        "sw.json",
        {"onet_code": "15-1252.00", "jaat_id": "JAAT-software-engineer", "also_maps_to": ["15-1299.08"]},
    )
    layered, links, _ = apply_overrides(records, folder, known, report)
    assert report.ok
    assert ("JAAT-software-engineer", "15-1252.00", "curated") in links
    assert ("JAAT-software-engineer", "15-1299.08", "curated") in links
    assert ("JAAT-15-1299.08", "15-1299.08", "generated") in links
    assert layered["15-1252.00"][0].jaat_id == "JAAT-software-engineer"


def test_record_schema_rules():
    base = {
        "jaat_id": "JAAT-x",
        "onet_code": "11-1011.00",
        "title": "Chief Executives",
        "summary": "Chief executives run organisations. They set strategy.",
        "limited_data": True,
    }
    JaatRecord.model_validate(base)
    with pytest.raises(ValidationError, match="5-10 entries"):
        JaatRecord.model_validate({**base, "limited_data": False})
    with pytest.raises(ValidationError, match="2-3 sentences"):
        JaatRecord.model_validate({**base, "summary": "One. Two. Three. Four sentences here."})
    with pytest.raises(ValidationError):
        JaatRecord.model_validate({**base, "essential_skills": [{"element_id": "x", "name": "y"}] * 11})


def test_a_generated_record_that_breaks_the_schema_is_reported(sample_records):
    norm, _, _ = sample_records
    occupation = norm.occupations["29-1141.00"]
    original = occupation["title"]
    occupation["title"] = "Nurses. Registered. Very"  # the summary's first sentence now splits in three
    try:
        report = Report()
        records = generate(norm, "29.0", None, report)
    finally:
        occupation["title"] = original
    assert "29-1141.00" not in records and len(records) == len(norm.occupations) - 1
    problem = report.errors()[0]
    assert (problem.file, problem.column, problem.rule) == (
        "(generated JAAT)",
        "29-1141.00.summary",
        "jaat.generated",
    )
    assert "2-3 sentences" in problem.message
    occupation["title"] = "Nurses. Registered. Very"
    try:
        with pytest.raises(ValidationError):  # without a report the error propagates
            generate(norm, "29.0", None)
    finally:
        occupation["title"] = original


def test_two_override_files_for_one_occupation(sample_records, tmp_path: Path):
    _, records, known = sample_records
    folder = _override(tmp_path, "a.json", {"onet_code": "29-1141.00", "typical_education": "A"})
    _override(tmp_path, "b.json", {"onet_code": "29-1141.00", "typical_education": "B"})
    report = Report()
    layered, _, _ = apply_overrides(records, folder, known, report)
    errors = report.errors()
    assert [(p.file, p.column, p.rule) for p in errors] == [
        ("content/jaat/b.json", "onet_code", "jaat.duplicate")
    ]
    assert layered["29-1141.00"][0].typical_education == "A"


def test_override_skill_kind_is_inferred_when_omitted(sample_records, tmp_path: Path):
    _, records, known = sample_records
    skills = [
        {"element_id": e, "name": n}
        for e, n in (
            ("TECH-python", "Python"),
            ("2.C.4.a", "Mathematics"),
            ("2.A.1.a", "Reading"),
            ("2.A.2.a", "Critical"),
            ("2.B.3.e", "Programming"),
        )
    ]
    report = Report()
    layered, _, _ = apply_overrides(
        records,
        _override(tmp_path, "k.json", {"onet_code": "15-1252.00", "essential_skills": skills}),
        known,
        report,
    )
    assert report.ok, [str(p) for p in report.problems]
    kinds = [s.kind for s in layered["15-1252.00"][0].essential_skills]
    assert kinds == ["technology", "knowledge", "skill", "skill", "skill"]
