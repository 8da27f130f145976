"""BLS files: OEWS national wages and Employment Projections (table 1.2), keyed by 2018 SOC code `XX-XXXX`.

O*NET-SOC codes join on their first 7 characters. Wages are validated (10th percentile <= median <= 90th
percentile; an annual median below the federal minimum wage for full-time work is implausible).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from skillforge.onet.report import Report

FEDERAL_MINIMUM_HOURLY = 7.25
FULL_TIME_HOURS = 2080
FEDERAL_MINIMUM_ANNUAL = FEDERAL_MINIMUM_HOURLY * FULL_TIME_HOURS  # 15,080 USD
_SOC_RE = re.compile(r"^\d{2}-\d{4}$")
OEWS_REQUIRED = (
    "OCC_CODE",
    "OCC_TITLE",
    "O_GROUP",
    "TOT_EMP",
    "H_PCT10",
    "H_MEDIAN",
    "H_PCT90",
    "A_PCT10",
    "A_MEDIAN",
    "A_PCT90",
)
O_GROUPS = {"total", "major", "minor", "broad", "detailed"}
EP_COLUMNS = {  # our name -> header prefix in table 1.2 (the headers carry en dashes and years)
    "title": "National Employment Matrix title",  # after the base year: "2024 National Employment Matrix title"
    "code": "National Employment Matrix code",
    "type": "Occupation type",
    "change_numeric": "Employment change, numeric",
    "change_percent": "Employment change, percent",
    "openings": "Occupational openings",
    "entry_education": "Typical education needed for entry",
    "work_experience": "Work experience in a related occupation",
    "on_the_job_training": "Typical on-the-job training",
}
_BASE_YEAR = re.compile(r"^\d{4} ")
_EP_PERIOD = re.compile(r"(\d{4})\s*[–-]\s*(\d{2,4})\s*$")  # "Employment change, percent, 2024–34"
_OEWS_MONTH = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[_-]?(\d{4})", re.IGNORECASE
)
NOT_AVAILABLE = {"", "-", "—", "–", "n/a", "*", "**", "#"}


@dataclass
class Wages:
    soc_code: str
    title: str
    group: str
    employment: int | None
    annual_p10: float | None
    annual_median: float | None
    annual_p90: float | None
    hourly_p10: float | None
    hourly_median: float | None
    hourly_p90: float | None
    hourly_only: bool


@dataclass
class Projection:
    soc_code: str
    title: str
    line_item: bool
    outlook_percent: float | None
    employment_change: int | None
    annual_openings: int | None
    entry_education: str | None
    work_experience: str | None
    on_the_job_training: str | None


@dataclass
class BlsData:
    wages: dict[str, Wages] = field(default_factory=dict)
    projections: dict[str, Projection] = field(default_factory=dict)
    oews_source: str | None = None
    ep_source: str | None = None
    oews_reference: str | None = None  # "May 2025", from the OEWS file name
    ep_period: str | None = None  # "2024–34", from the EP headers


def oews_reference(file_name: str) -> str | None:
    """'oews_national_may2025.csv' -> 'May 2025' (the OEWS reference month, as BLS names its downloads)."""
    match = _OEWS_MONTH.search(file_name)
    return f"{match.group(1).capitalize()} {match.group(2)}" if match else None


def _rows(path: Path, report: Report) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    name = path.name
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.error(
            name, line, None, "encoding.utf8", f"not UTF-8: byte 0x{data[exc.start]:02x} at line {line}"
        )
        return None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        report.error(name, 1, None, "header.missing", "empty file: expected a header row")
        return None
    rows = []
    for row in reader:
        if row:
            rows.append((reader.line_num, row))
    return header, rows


def _number(value: str, name: str, line: int, column: str, report: Report) -> float | None:
    value = value.strip().replace(",", "")
    if value in NOT_AVAILABLE:
        return None
    try:
        return float(value)
    except ValueError:
        report.error(name, line, column, "type.number", f"{value!r} is not a number")
        return None


def read_oews(path: Path, report: Report) -> dict[str, Wages]:
    parsed = _rows(path, report)
    if parsed is None:
        return {}
    header, rows = parsed
    name = path.name
    missing = [c for c in OEWS_REQUIRED if c not in header]
    if missing:
        report.error(name, 1, missing[0], "header.mismatch", f"missing OEWS column(s): {', '.join(missing)}")
        return {}
    idx = {c: header.index(c) for c in header}
    wages: dict[str, Wages] = {}
    for line, row in rows:
        if len(row) != len(header):
            report.error(
                name,
                line,
                None,
                "row.truncated" if len(row) < len(header) else "row.extra_columns",
                f"{len(row)} fields, expected {len(header)}",
            )
            continue
        code = row[idx["OCC_CODE"]].strip()
        if not _SOC_RE.match(code):
            report.error(name, line, "OCC_CODE", "type.soc_code", f"{code!r} is not a SOC code (NN-NNNN)")
            continue
        group = row[idx["O_GROUP"]].strip()
        if group not in O_GROUPS:
            report.error(
                name, line, "O_GROUP", "value.enum", f"{group!r}: expected one of {sorted(O_GROUPS)}"
            )
            continue
        nums = {c: _number(row[idx[c]], name, line, c, report) for c in OEWS_REQUIRED[3:]}
        hourly_only = idx.get("HOURLY_ONLY") is not None and row[idx["HOURLY_ONLY"]].strip().upper() in (
            "TRUE",
            "Y",
        )
        w = Wages(
            code,
            row[idx["OCC_TITLE"]].strip(),
            group,
            int(nums["TOT_EMP"]) if nums["TOT_EMP"] is not None else None,
            nums["A_PCT10"],
            nums["A_MEDIAN"],
            nums["A_PCT90"],
            nums["H_PCT10"],
            nums["H_MEDIAN"],
            nums["H_PCT90"],
            hourly_only,
        )
        for kind, (p10, med, p90) in (
            ("A", (w.annual_p10, w.annual_median, w.annual_p90)),
            ("H", (w.hourly_p10, w.hourly_median, w.hourly_p90)),
        ):
            if p10 is not None and med is not None and p10 > med:
                report.error(
                    name,
                    line,
                    f"{kind}_PCT10",
                    "wage.order",
                    f"{code}: 10th percentile {p10:g} above the median {med:g}",
                )
            if p90 is not None and med is not None and med > p90:
                report.error(
                    name,
                    line,
                    f"{kind}_PCT90",
                    "wage.order",
                    f"{code}: 90th percentile {p90:g} below the median {med:g}",
                )
        if w.annual_median is not None and w.annual_median < FEDERAL_MINIMUM_ANNUAL:
            report.error(
                name,
                line,
                "A_MEDIAN",
                "wage.below_minimum",
                f"{code}: annual median {w.annual_median:,.0f} below the federal minimum for full-time "
                f"work ({FEDERAL_MINIMUM_HOURLY} x {FULL_TIME_HOURS} = {FEDERAL_MINIMUM_ANNUAL:,.0f})",
            )
        if w.hourly_median is not None and w.hourly_median < FEDERAL_MINIMUM_HOURLY:
            report.error(
                name,
                line,
                "H_MEDIAN",
                "wage.below_minimum",
                f"{code}: hourly median {w.hourly_median:g} below the federal minimum wage "
                f"{FEDERAL_MINIMUM_HOURLY}",
            )
        if code in wages:
            report.error(name, line, "OCC_CODE", "duplicate.key", f"{code} appears twice")
            continue
        wages[code] = w
    return wages


def read_projections(path: Path, report: Report) -> tuple[dict[str, Projection], str | None]:
    """Line items and summary rows by SOC code, and the projection period named by the headers ("2024–34")."""
    parsed = _rows(path, report)
    if parsed is None:
        return {}, None
    header, rows = parsed
    name = path.name
    idx: dict[str, int] = {}
    for key, prefix in EP_COLUMNS.items():
        found = [i for i, h in enumerate(header) if _BASE_YEAR.sub("", h.strip()).startswith(prefix)]
        if not found:
            report.error(name, 1, prefix, "header.mismatch", f"no column starting with {prefix!r}")
            return {}, None
        idx[key] = found[0]
    period_match = _EP_PERIOD.search(header[idx["change_percent"]])
    period = f"{period_match.group(1)}–{period_match.group(2)[-2:]}" if period_match else None
    projections: dict[str, Projection] = {}
    for line, row in rows:
        if len(row) != len(header):
            short = len(row) < len(header)
            report.error(
                name,
                line,
                header[len(row)] if short else None,
                "row.truncated" if short else "row.extra_columns",
                f"{len(row)} fields, expected {len(header)}",
            )
            continue
        code = row[idx["code"]].strip()
        if not _SOC_RE.match(code):
            report.error(
                name, line, header[idx["code"]], "type.soc_code", f"{code!r} is not a SOC code (NN-NNNN)"
            )
            continue

        def text(key: str, row: list[str] = row) -> str | None:
            value = row[idx[key]].strip()
            return None if value in NOT_AVAILABLE else value

        openings = _number(row[idx["openings"]], name, line, header[idx["openings"]], report)
        change = _number(row[idx["change_numeric"]], name, line, header[idx["change_numeric"]], report)
        percent = _number(row[idx["change_percent"]], name, line, header[idx["change_percent"]], report)
        if openings is not None and openings < 0:
            report.error(name, line, header[idx["openings"]], "range.nonnegative", f"{openings:g} openings")
            continue
        if code in projections:  # summary rows too: a silently replaced row would hide which one was meant
            report.error(name, line, header[idx["code"]], "duplicate.key", f"{code} appears twice")
            continue
        projections[code] = Projection(
            code,
            row[idx["title"]].strip(),
            text("type") == "Line item",
            percent,
            round(change * 1000) if change is not None else None,
            round(openings * 1000) if openings is not None else None,
            text("entry_education"),
            text("work_experience"),
            text("on_the_job_training"),
        )
    return projections, period


def read_bls(oews: Path | None, ep: Path | None, report: Report) -> BlsData:
    data = BlsData()
    if oews is not None:
        data.wages = read_oews(oews, report)
        data.oews_source = oews.name
        data.oews_reference = oews_reference(oews.name)
    if ep is not None:
        data.projections, data.ep_period = read_projections(ep, report)
        data.ep_source = ep.name
    return data
