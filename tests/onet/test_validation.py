"""Parsing and validation without a database: each defect is reported with file, line, column and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillforge.onet.bls import read_bls
from skillforge.onet.normalise import SOC_MAJOR_GROUPS
from skillforge.onet.parse import parse_release, read_inputs
from skillforge.onet.report import Report
from skillforge.onet.source import ReleaseSource, SourceError, resolve_release
from tests.onet.helpers import SAMPLE, copy_sample, find_line, lines, make_zip, set_field, write_lines


def validate(folder: Path) -> tuple[Report, dict]:
    report = Report()
    source = ReleaseSource.open(folder)
    parsed = parse_release(read_inputs(source), source.location, report)
    return report, parsed


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "release")


def only_error(report: Report):
    errors = report.errors()
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_committed_sample_is_valid_and_covers_every_major_group():
    report, parsed = validate(SAMPLE)
    assert report.ok, [str(p) for p in report.errors()]
    codes = [row[0] for row in parsed["Occupation Data.txt"].rows]
    assert 55 <= len(codes) <= 70
    assert {c[:2] for c in codes} == set(SOC_MAJOR_GROUPS)
    # every file's rows belong to the sample's occupations
    for name in (
        "Skills.txt",
        "Knowledge.txt",
        "Task Statements.txt",
        "Technology Skills.txt",
        "Alternate Titles.txt",
    ):
        assert {row[0] for row in parsed[name].rows} <= set(codes)
    assert {p.file for p in report.warnings()} == {"Abilities.txt", "Work Context.txt"}
    assert set(report.skipped_files) == {"Abilities.txt", "Work Context.txt"}


def test_release_id_from_read_me_or_option(sample: Path):
    source = ReleaseSource.open(sample)
    assert resolve_release(source, None) == "29.0"
    assert resolve_release(source, "30.1") == "30.1"
    with pytest.raises(SourceError, match="must look like"):
        resolve_release(source, "latest")
    (sample / "Read Me.txt").unlink()
    with pytest.raises(SourceError, match="--release"):
        resolve_release(ReleaseSource.open(sample), None)


def test_truncated_row(sample: Path):
    line = find_line(sample, "Skills.txt", "29-1141.00", "2.A.1.b", "Active Listening", "LV")
    content = lines(sample, "Skills.txt")
    content[line - 1] = "\t".join(content[line - 1].split("\t")[:6])
    write_lines(sample, "Skills.txt", content)
    report, _ = validate(sample)
    error = next(p for p in report.errors() if p.rule == "row.truncated")
    assert (error.file, error.line, error.column) == ("Skills.txt", line, "Standard Error")
    assert "6 fields, expected 13" in error.message
    assert len(report.errors()) == 1


def test_missing_level_row_breaks_the_pair(sample: Path):
    line = find_line(sample, "Skills.txt", "29-1141.00", "2.A.1.b", "Active Listening", "LV")
    content = lines(sample, "Skills.txt")
    del content[line - 1]
    write_lines(sample, "Skills.txt", content)
    error = only_error(validate(sample)[0])
    assert (error.file, error.line, error.rule) == ("Skills.txt", line - 1, "rating.pair")
    assert "29-1141.00 2.A.1.b has no LV row" in error.message


def test_wrong_header(sample: Path):
    content = lines(sample, "Knowledge.txt")
    content[0] = content[0].replace("Data Value", "Value")
    write_lines(sample, "Knowledge.txt", content)
    error = only_error(validate(sample)[0])
    assert (error.file, error.line, error.column, error.rule) == (
        "Knowledge.txt",
        1,
        "Data Value",
        "header.mismatch",
    )
    assert "column 5" in error.message and "'Value'" in error.message


@pytest.mark.parametrize(
    "scale,value,expected",
    [("IM", "5.40", "IM range 1–5"), ("LV", "7.20", "LV range 0–7"), ("IM", "0.50", "IM range 1–5")],
)
def test_value_out_of_range(sample: Path, scale: str, value: str, expected: str):
    line = find_line(sample, "Skills.txt", "29-1141.00", "2.A.1.a", "Reading Comprehension", scale)
    set_field(sample, "Skills.txt", line, "Data Value", value)
    error = only_error(validate(sample)[0])
    assert (error.file, error.line, error.column, error.rule) == (
        "Skills.txt",
        line,
        "Data Value",
        "range.scale",
    )
    assert expected in error.message


def test_each_scale_uses_its_own_range_from_scales_reference(sample: Path):
    # OI (interests) runs 1-7: 6.5 is fine there although it is out of range for IM
    line = find_line(sample, "Interests.txt", "29-1141.00", "1.B.1.a")
    set_field(sample, "Interests.txt", line, "Data Value", "6.50")
    assert validate(sample)[0].ok
    set_field(sample, "Interests.txt", line, "Data Value", "7.50")
    error = only_error(validate(sample)[0])
    assert (error.line, error.rule) == (line, "range.scale") and "OI range 1–7" in error.message


def test_unknown_onet_code(sample: Path):
    line = find_line(sample, "Task Statements.txt", "47-2111.00")
    set_field(sample, "Task Statements.txt", line, "O*NET-SOC Code", "47-2111.99")
    error = only_error(validate(sample)[0])
    assert (error.file, error.line, error.column, error.rule) == (
        "Task Statements.txt",
        line,
        "O*NET-SOC Code",
        "ref.onet_code",
    )
    assert "47-2111.99" in error.message


def test_malformed_code_and_unknown_element(sample: Path):
    line = find_line(sample, "Knowledge.txt", "11-1011.00", "2.C.1.a")
    set_field(sample, "Knowledge.txt", line, "Element ID", "2.C.99")
    line2 = find_line(sample, "Job Zones.txt", "35-2014.00")
    set_field(sample, "Job Zones.txt", line2, "O*NET-SOC Code", "352014")
    report, _ = validate(sample)
    rules = {(p.file, p.line, p.column, p.rule) for p in report.errors()}
    assert ("Knowledge.txt", line, "Element ID", "ref.element_id") in rules
    assert ("Job Zones.txt", line2, "O*NET-SOC Code", "type.onet_code") in rules


def test_element_of_the_wrong_domain(sample: Path):
    line = find_line(sample, "Skills.txt", "11-1011.00", "2.A.1.a")
    set_field(sample, "Skills.txt", line, "Element ID", "2.C.1.a")  # a knowledge element in Skills.txt
    report, _ = validate(sample)
    assert any(p.rule == "ref.element_domain" and p.line == line for p in report.errors())


def test_duplicate_row(sample: Path):
    line = find_line(sample, "Job Zones.txt", "29-1141.00")
    content = lines(sample, "Job Zones.txt")
    content.insert(line, content[line - 1])
    write_lines(sample, "Job Zones.txt", content)
    error = only_error(validate(sample)[0])
    assert (error.file, error.line, error.rule) == ("Job Zones.txt", line + 1, "duplicate.key")
    assert f"duplicate of line {line}" in error.message


def test_bad_types_and_flags(sample: Path):
    line = find_line(sample, "Skills.txt", "13-2011.00", "2.A.1.a", "Reading Comprehension", "IM")
    set_field(sample, "Skills.txt", line, "Data Value", "high")
    set_field(sample, "Skills.txt", line + 1, "Recommend Suppress", "maybe")
    set_field(sample, "Skills.txt", line + 1, "Date", "2024-08")
    report, _ = validate(sample)
    found = {(p.line, p.column, p.rule) for p in report.errors()}
    assert (line, "Data Value", "type.number") in found
    assert (line + 1, "Recommend Suppress", "type.flag") in found
    assert (line + 1, "Date", "type.date") in found


def test_non_utf8_file(sample: Path):
    data = (sample / "Occupation Data.txt").read_bytes()
    line_start = data.index(b"\n29-1141.00") + 1
    broken = data[: line_start + 20] + b"\xe9" + data[line_start + 21 :]
    (sample / "Occupation Data.txt").write_bytes(broken)
    report, _ = validate(sample)
    error = next(p for p in report.errors() if p.rule == "encoding.utf8")
    expected_line = data.count(b"\n", 0, line_start) + 1
    assert (error.file, error.line) == ("Occupation Data.txt", expected_line)
    assert "0xe9" in error.message and "byte 21" in error.message


def test_zip_like_the_official_download(sample: Path, tmp_path: Path):
    archive = make_zip(sample, tmp_path / "db_29_0_text.zip")
    source = ReleaseSource.open(archive)
    assert resolve_release(source, None) == "29.0"
    report, parsed = Report(), None
    parsed = parse_release(read_inputs(source), source.location, report)
    assert report.ok and len(parsed["Occupation Data.txt"].rows) == 60


def test_zip_with_a_missing_required_file(sample: Path, tmp_path: Path):
    archive = make_zip(sample, tmp_path / "db_29_0_text.zip", skip={"Skills.txt"})
    source = ReleaseSource.open(archive)
    report = Report()
    parse_release(read_inputs(source), source.location, report)
    error = only_error(report)
    assert (error.file, error.line, error.rule) == ("Skills.txt", None, "file.missing")
    assert "db_29_0_text.zip" in error.message


def test_not_a_zip(tmp_path: Path):
    bogus = tmp_path / "db_29_0_text.zip"
    bogus.write_bytes(b"PK but not really")
    with pytest.raises(SourceError, match="not a folder and not a readable zip"):
        ReleaseSource.open(bogus)


def test_synthetic_abilities_and_work_context_fixtures_parse(tmp_path: Path):
    folder = copy_sample(tmp_path / "release", with_fixtures=True)
    report, parsed = validate(folder)
    assert report.ok and not report.skipped_files
    assert len(parsed["Abilities.txt"].rows) == 24
    assert {r[3] for r in parsed["Work Context.txt"].rows} == {"CX", "CXP"}


def test_work_context_category_must_exist(tmp_path: Path):
    folder = copy_sample(tmp_path / "release", with_fixtures=True)
    line = find_line(folder, "Work Context.txt", "15-1252.00", "4.C.1.a.2.c", "Public Speaking", "CXP", "5")
    set_field(folder, "Work Context.txt", line, "Category", "9")
    error = only_error(validate(folder)[0])
    assert (error.file, error.line, error.column, error.rule) == (
        "Work Context.txt",
        line,
        "Category",
        "ref.category",
    )


def test_high_point_zero_means_none(sample: Path):
    # O*NET writes 0 for a missing second/third work-value high point although VH runs 1-6
    line = find_line(sample, "Work Values.txt", "11-1011.00", "1.B.2.i")
    set_field(sample, "Work Values.txt", line, "Data Value", "0.00")
    assert validate(sample)[0].ok


BLS = SAMPLE / "bls"


def test_sample_bls_is_valid():
    report = Report()
    data = read_bls(BLS / "oews_national_may2025.csv", BLS / "ep_2024-34_table_1_2.csv", report)
    assert report.ok
    assert data.wages["29-1141"].annual_median > 15080
    assert data.projections["29-1141"].annual_openings > 0


def _edit_oews(tmp_path: Path, code: str, **cells) -> Path:
    import csv
    import io

    text = (BLS / "oews_national_may2025.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == code:
            for column, value in cells.items():
                row[header.index(column)] = value
    out = tmp_path / "oews_national_may2025.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


def test_wage_percentiles_out_of_order(tmp_path: Path):
    report = Report()
    read_bls(_edit_oews(tmp_path, "29-1141", A_PCT10="99000"), None, report)
    error = only_error(report)
    assert (error.file, error.column, error.rule) == ("oews_national_may2025.csv", "A_PCT10", "wage.order")
    assert error.line and "29-1141" in error.message


def test_annual_median_below_federal_minimum(tmp_path: Path):
    report = Report()
    read_bls(_edit_oews(tmp_path, "35-2014", A_PCT10="9000", A_MEDIAN="14000"), None, report)
    error = only_error(report)
    assert (error.column, error.rule) == ("A_MEDIAN", "wage.below_minimum")
    assert "15,080" in error.message


def test_bls_files_not_utf8_or_with_a_wrong_header(tmp_path: Path):
    oews = tmp_path / "oews_national_may2025.csv"
    data = (BLS / "oews_national_may2025.csv").read_bytes()
    oews.write_bytes(data.replace(b"Registered Nurses", b"Registered Nurs\xe9s", 1))
    ep = tmp_path / "ep_2024-34_table_1_2.csv"
    ep.write_text(
        (BLS / "ep_2024-34_table_1_2.csv")
        .read_text(encoding="utf-8")
        .replace("Occupational openings", "Openings"),
        encoding="utf-8",
    )
    report = Report()
    read_bls(oews, ep, report)
    found = {(p.file, p.rule) for p in report.errors()}
    assert found == {
        ("oews_national_may2025.csv", "encoding.utf8"),
        ("ep_2024-34_table_1_2.csv", "header.mismatch"),
    }
    encoding = report.find(rule="encoding.utf8")[0]
    assert encoding.line == data[: data.index(b"Registered Nurses")].count(b"\n") + 1
