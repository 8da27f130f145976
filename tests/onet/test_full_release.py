"""The real, complete O*NET 29.0 copy in ../shared/data validates clean and normalises completely (no DB)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillforge.onet.bls import read_bls
from skillforge.onet.jaat import DEFAULT_CONTENT_DIR, apply_overrides, generate
from skillforge.onet.normalise import normalise
from skillforge.onet.parse import parse_release, read_inputs
from skillforge.onet.report import Report
from skillforge.onet.source import BlsFiles, ReleaseSource

ROOT = Path(__file__).resolve().parents[2]
ONET = ROOT.parent / "shared" / "data" / "onet" / "db_29_0_text"
BLS = ROOT.parent / "shared" / "data" / "bls"

pytestmark = pytest.mark.skipif(
    not ONET.is_dir() or not BLS.is_dir(), reason="shared O*NET/BLS data not present"
)


def test_full_29_0_release_validates_and_normalises():
    report = Report()
    parsed = parse_release(read_inputs(ReleaseSource.open(ONET)), str(ONET), report)
    files = BlsFiles.find(BLS)
    bls = read_bls(files.oews, files.ep, report)
    assert report.ok, [str(p) for p in report.errors()][:20]
    assert set(report.skipped_files) == {"Abilities.txt", "Work Context.txt"}  # not in the shared copy
    norm = normalise(parsed, bls)
    t = norm.tables
    assert len(t["occupations"]) == 1016
    assert sum(1 for o in norm.occupations.values() if o["has_ratings"]) == 879
    assert len(t["occupation_skills"]) == 61530 // 2 and len(t["occupation_knowledge"]) == 58014 // 2
    # BLS README: 961 of the 1,016 O*NET-SOC codes have a detailed OEWS match; broad groups add a few more
    assert norm.stats["occupations_with_wages"] >= 961 and norm.stats["occupations_with_projections"] >= 963
    assert len({o["soc_major_group"] for o in norm.occupations.values()}) == 23
    # group titles come from BLS rows: none for the military group 55, and a few broad groups (29-1220
    # physicians) are in neither file
    civil = [o for o in norm.occupations.values() if o["soc_major_group"] != "55"]
    assert sum(1 for o in civil if not o["soc_broad_title"]) <= 15
    assert all(o["soc_minor_title"] for o in civil)
    records = generate(norm, "29.0", bls)
    assert len(records) == 1016
    known = {r[0] for table in ("skills", "knowledge") for r in t[table]}
    layered, links, _ = apply_overrides(records, DEFAULT_CONTENT_DIR, known, report)
    assert report.ok and len(links) >= 1016
    limited = [code for code, (rec, _, _) in layered.items() if rec.limited_data]
    assert len(limited) < 1016 - 879 + 10  # only occupations without ratings fall short of 5 essential skills
