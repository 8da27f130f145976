"""The curated pathway files (CI schema check) and the file-format rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillforge.pathways.content import DEFAULT_DIR, load_directory, onet_codes_from_release_folder
from skillforge.pathways.schema import Pathway
from tests.pathways.conftest import edit

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "onet_29_0_sample"
FULL_RELEASE = ROOT.parent / "shared" / "data" / "onet" / "db_29_0_text"


def test_committed_pathways_are_valid_and_target_existing_occupations():
    codes = onet_codes_from_release_folder(SAMPLE)
    if (FULL_RELEASE / "Occupation Data.txt").exists():
        codes &= onet_codes_from_release_folder(FULL_RELEASE)
    report = load_directory(DEFAULT_DIR, known_onet_codes=codes)
    assert report.errors == []
    assert len(report.pathways) >= 6
    targets = {p.target_onet_code for p in report.pathways}
    assert {"15-1252.00", "29-1141.00", "13-2011.00", "47-2111.00", "49-3023.00", "33-3051.00"} <= targets
    for pathway in report.pathways:
        assert pathway.certification and all(step.providers for step in pathway.steps)


def errors_of(folder: Path, codes=None) -> set[tuple[str, str]]:
    return {(e["file"], e["path"]) for e in load_directory(folder, known_onet_codes=codes).errors}


def test_steps_out_of_order_are_rejected(folder):
    edit(folder, "electrician-apprenticeship", lambda d: d["steps"][0].update(order=3))
    assert ("electrician-apprenticeship.json", "$") in errors_of(folder)


@pytest.mark.parametrize(
    "change, path",
    [
        (lambda d: d["steps"][1].update(providers=[]), "$.steps[1].providers"),
        (lambda d: d["steps"][1].pop("duration_weeks"), "$.steps[1].duration_weeks"),
        (lambda d: d["steps"][1].update(duration_weeks=0), "$.steps[1].duration_weeks"),
        (lambda d: d.pop("certification"), "$.certification"),
        (lambda d: d.update(target_onet_code="15-1252"), "$.target_onet_code"),
        (lambda d: d.update(steps=[]), "$.steps"),
        (lambda d: d.update(colour="blue"), "$.colour"),
        (lambda d: d["steps"][0].update(kind="vibes"), "$.steps[0].kind"),
        (lambda d: d["steps"][0]["providers"][0].update(url="not a url"), "$.steps[0].providers[0].url"),
    ],
)
def test_schema_violations_name_the_field(folder, change, path):
    edit(folder, "registered-nurse-adn", change)
    assert ("registered-nurse-adn.json", path) in errors_of(folder)


def test_key_must_match_file_name(folder):
    edit(folder, "police-patrol-officer", lambda d: d.update(pathway_key="police-officer"))
    assert ("police-patrol-officer.json", "$.pathway_key") in errors_of(folder)


def test_unknown_target_occupation_is_rejected(folder):
    edit(folder, "police-patrol-officer", lambda d: d.update(target_onet_code="99-9999.00"))
    assert ("police-patrol-officer.json", "$.target_onet_code") in errors_of(
        folder, onet_codes_from_release_folder(SAMPLE)
    )


def test_malformed_json_is_reported(folder):
    (folder / "broken.json").write_text("{")
    assert ("broken.json", "$") in errors_of(folder)


def test_content_hash_ignores_formatting_but_not_content():
    doc = json.loads((DEFAULT_DIR / "accountant-cpa-track.json").read_text())
    a = Pathway.model_validate(doc)
    b = Pathway.model_validate(json.loads(json.dumps(doc, indent=4)))
    assert a.content_sha256 == b.content_sha256
    doc["steps"][0]["duration_weeks"] = 200
    assert Pathway.model_validate(doc).content_sha256 != a.content_sha256


def test_committed_json_schema_is_current():
    from skillforge.pathways.schema import json_schema

    committed = json.loads((DEFAULT_DIR / "_schema" / "pathway.schema.json").read_text())
    assert committed == json_schema(), (
        "regenerate: skillforge pathways schema > content/pathways/_schema/pathway.schema.json"
    )
