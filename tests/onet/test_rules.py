"""Every validation rule that the README lists, one defect each: the report names file, line, column and rule.

(test_validation.py covers the common defects in depth; this file makes sure no rule exists only on paper.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from skillforge.onet.bls import read_bls
from skillforge.onet.parse import parse_release, read_inputs
from skillforge.onet.report import Report
from skillforge.onet.source import ReleaseSource
from tests.onet.helpers import SAMPLE, copy_sample, find_line, lines, set_field, write_lines


def _validate(folder: Path) -> Report:
    report = Report()
    source = ReleaseSource.open(folder)
    parse_release(read_inputs(source), source.location, report)
    return report


def _empty_file(folder: Path):
    (folder / "Job Zones.txt").write_text("", encoding="utf-8")
    return "Job Zones.txt", 1, None, "header.missing"


def _extra_column(folder: Path):
    line = find_line(folder, "Job Zones.txt", "29-1141.00")
    content = lines(folder, "Job Zones.txt")
    content[line - 1] += "\textra"
    write_lines(folder, "Job Zones.txt", content)
    return "Job Zones.txt", line, None, "row.extra_columns"


def _required_empty(folder: Path):
    line = find_line(folder, "Occupation Data.txt", "29-1141.00")
    set_field(folder, "Occupation Data.txt", line, "Title", "n/a")
    return "Occupation Data.txt", line, "Title", "type.required"


def _not_an_integer(folder: Path):
    line = find_line(folder, "Task Statements.txt", "29-1141.00")
    set_field(folder, "Task Statements.txt", line, "Incumbents Responding", "many")
    return "Task Statements.txt", line, "Incumbents Responding", "type.integer"


def _bad_date(folder: Path):
    line = find_line(folder, "Job Zones.txt", "29-1141.00")
    set_field(folder, "Job Zones.txt", line, "Date", "2024-08")
    return "Job Zones.txt", line, "Date", "type.date"


def _unknown_scale(folder: Path):
    line = find_line(folder, "Interests.txt", "29-1141.00", "1.B.1.a")
    set_field(folder, "Interests.txt", line, "Scale ID", "ZZ")
    return "Interests.txt", line, "Scale ID", "ref.scale_id"


def _scale_of_another_file(folder: Path):
    line = find_line(folder, "Interests.txt", "29-1141.00", "1.B.1.a")
    set_field(folder, "Interests.txt", line, "Scale ID", "IM")  # a real scale, but not an interests one
    return "Interests.txt", line, "Scale ID", "ref.scale_for_file"


def _work_styles_other_scale(folder: Path):
    line = find_line(folder, "Work Styles.txt", "29-1141.00", "1.C.1.a")
    set_field(folder, "Work Styles.txt", line, "Scale ID", "EX")
    return "Work Styles.txt", line, "Scale ID", "ref.scale_for_file"


def _unknown_job_zone(folder: Path):
    line = find_line(folder, "Job Zones.txt", "29-1141.00")
    set_field(folder, "Job Zones.txt", line, "Job Zone", "6")
    return "Job Zones.txt", line, "Job Zone", "ref.job_zone"


def _scale_reference_changed(folder: Path):
    line = find_line(folder, "Scales Reference.txt", "IM")
    set_field(folder, "Scales Reference.txt", line, "Maximum", "7")
    return "Scales Reference.txt", line, "Minimum", "range.scale_reference"


def _unknown_tier(folder: Path):
    line = find_line(folder, "Related Occupations.txt", "29-1141.00")
    set_field(folder, "Related Occupations.txt", line, "Relatedness Tier", "Tertiary")
    return "Related Occupations.txt", line, "Relatedness Tier", "value.enum"


def _unknown_task_type(folder: Path):
    line = find_line(folder, "Task Statements.txt", "29-1141.00")
    set_field(folder, "Task Statements.txt", line, "Task Type", "Optional")
    return "Task Statements.txt", line, "Task Type", "value.enum"


def _self_reference(folder: Path):
    line = find_line(folder, "Related Occupations.txt", "29-1141.00")
    set_field(folder, "Related Occupations.txt", line, "Related O*NET-SOC Code", "29-1141.00")
    return "Related Occupations.txt", line, "Related O*NET-SOC Code", "value.self_reference"


def _technology_example_twice(folder: Path):
    line = find_line(folder, "Technology Skills.txt", "15-1252.00")
    content = lines(folder, "Technology Skills.txt")
    fields = content[line - 1].split("\t")
    fields[2], fields[3] = "43232405", "Another commodity"  # same example listed under a second commodity
    content.insert(line, "\t".join(fields))
    write_lines(folder, "Technology Skills.txt", content)
    return "Technology Skills.txt", line + 1, "Example", "duplicate.key"


def _value_outside_its_confidence_interval(folder: Path):
    line = find_line(folder, "Skills.txt", "29-1141.00", "2.A.1.a", "Reading Comprehension", "IM")
    set_field(
        folder, "Skills.txt", line, "Data Value", "1.50"
    )  # in the IM range, far below its lower CI bound
    return "Skills.txt", line, "Data Value", "range.ci"


def _missing_optional_file(folder: Path):
    (folder / "Interests.txt").unlink()
    return "Interests.txt", None, None, "file.optional_missing"


@pytest.mark.parametrize(
    "defect",
    [
        _empty_file,
        _extra_column,
        _required_empty,
        _not_an_integer,
        _bad_date,
        _unknown_scale,
        _scale_of_another_file,
        _work_styles_other_scale,
        _unknown_job_zone,
        _scale_reference_changed,
        _unknown_tier,
        _unknown_task_type,
        _self_reference,
        _technology_example_twice,
        _value_outside_its_confidence_interval,
        _missing_optional_file,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_rule_is_reported_where_the_defect_is(tmp_path: Path, defect):
    folder = copy_sample(tmp_path / "release")
    assert _validate(folder).ok  # the copy is clean before the defect
    file, line, column, rule = defect(folder)
    report = _validate(folder)
    found = [(p.file, p.line, p.column, p.rule) for p in report.problems]
    assert (file, line, column, rule) in found, found
    if rule == "file.optional_missing":
        assert report.ok and file in report.skipped_files  # a warning: the release can still load
    else:
        assert not report.ok


BLS = SAMPLE / "bls"
EP = "ep_2024-34_table_1_2.csv"
OEWS = "oews_national_may2025.csv"


def _edit_csv(tmp_path: Path, name: str, edit) -> tuple[Path, int]:
    rows = list(csv.reader(io.StringIO((BLS / name).read_text(encoding="utf-8"))))
    index = edit(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path = tmp_path / name
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path, index + 1


def _row_of(rows: list[list[str]], code: str) -> int:
    return next(i for i, r in enumerate(rows) if code in r[:2])


def _oews_bad_code(rows):
    i = _row_of(rows, "29-1141")
    rows[i][0] = "291141"
    return i


def _oews_duplicate(rows):
    rows.append(list(rows[_row_of(rows, "29-1141")]))
    return len(rows) - 1


def _oews_not_a_number(rows):
    i = _row_of(rows, "29-1141")
    rows[i][rows[0].index("TOT_EMP")] = "lots"
    return i


def _ep_negative_openings(rows):
    i = _row_of(rows, "29-1141")
    rows[i][10] = "-5"
    return i


def _ep_summary_twice(rows):
    rows.append(list(rows[_row_of(rows, "29-0000")]))
    return len(rows) - 1


def _ep_extra_column(rows):
    i = _row_of(rows, "29-1141")
    rows[i].append("extra")
    return i


def _ep_truncated(rows):
    i = _row_of(rows, "29-1141")
    rows[i] = rows[i][:5]
    return i


@pytest.mark.parametrize(
    "name,edit,column,rule",
    [
        (OEWS, _oews_bad_code, "OCC_CODE", "type.soc_code"),
        (OEWS, _oews_duplicate, "OCC_CODE", "duplicate.key"),
        (OEWS, _oews_not_a_number, "TOT_EMP", "type.number"),
        (EP, _ep_negative_openings, "Occupational openings, 2024–34 annual average", "range.nonnegative"),
        (EP, _ep_summary_twice, "2024 National Employment Matrix code", "duplicate.key"),
        (EP, _ep_extra_column, None, "row.extra_columns"),
        (
            EP,
            _ep_truncated,
            "Employment distribution, percent, 2024",
            "row.truncated",
        ),  # first missing column
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_bls_rules(tmp_path: Path, name: str, edit, column, rule):
    path, line = _edit_csv(tmp_path, name, edit)
    report = Report()
    read_bls(path if name == OEWS else None, path if name == EP else None, report)
    found = [(p.file, p.line, p.column, p.rule) for p in report.errors()]
    assert (name, line, column, rule) in found, found


def test_bls_years_come_from_the_files_not_the_code(tmp_path: Path):
    """A later Employment Projections table (base year 2025, period 2025–35) and OEWS vintage are read as such."""
    from skillforge.onet.bls import oews_reference

    text = (BLS / EP).read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    later = tmp_path / "ep_2025-35_table_1_2.csv"
    later.write_text(
        header.replace("2024–34", "2025–35").replace("2024", "2025") + "\n" + rest, encoding="utf-8"
    )
    report = Report()
    data = read_bls(None, later, report)
    assert report.ok, [str(p) for p in report.errors()]
    assert data.ep_period == "2025–35" and data.projections["29-1141"].annual_openings > 0
    assert read_bls(None, BLS / EP, Report()).ep_period == "2024–34"
    assert oews_reference("oews_national_may2025.csv") == "May 2025"
    assert oews_reference("national_M2024_dl.csv") is None


def test_unreadable_reference_file_is_the_one_problem_reported(tmp_path: Path):
    """One bad byte in Occupation Data must not turn every row of every other file into an 'unknown code'."""
    folder = copy_sample(tmp_path / "release")
    data = (folder / "Occupation Data.txt").read_bytes()
    (folder / "Occupation Data.txt").write_bytes(data.replace(b"Registered", b"Regist\xe9red", 1))
    report = _validate(folder)
    rules = {p.rule for p in report.errors()}
    assert rules == {"encoding.utf8", "file.not_checked"}
    assert [p.file for p in report.errors() if p.rule == "encoding.utf8"] == ["Occupation Data.txt"]
    not_checked = {p.file for p in report.errors() if p.rule == "file.not_checked"}
    assert {"Skills.txt", "Task Statements.txt", "Job Zones.txt"} <= not_checked
    assert report.error_count == 1 + len(not_checked)


def test_work_context_without_its_categories_is_not_loaded_unchecked(tmp_path: Path):
    folder = copy_sample(tmp_path / "release", with_fixtures=True)
    (folder / "Work Context Categories.txt").unlink()
    report = _validate(folder)
    assert [(p.file, p.rule) for p in report.errors()] == [("Work Context.txt", "file.not_checked")]
    assert "Work Context Categories.txt" in report.errors()[0].message
