"""Parse and validate O*NET text files (tab-separated, one header row, `n/a` = null) into typed rows.

Every problem is reported with file, line (1 = the header), column and rule; rows with errors are dropped
from the parsed result but counted, so one bad file can be reported completely in one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from skillforge.onet.report import Report
from skillforge.onet.source import ReleaseSource
from skillforge.onet.spec import ORDER, RELATEDNESS_TIERS, SPECS, TASK_TYPES, ZERO_MEANS_NONE, FileSpec

NULL = "n/a"
CI_SLACK = 1e-3  # the bounds are rounded to 4 decimals, the value to 2
PAIRED_FILES = ("Skills.txt", "Knowledge.txt", "Abilities.txt")
_CODE_RE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
_DATE_RE = re.compile(r"^(0[1-9]|1[0-2])/(19|20)\d{2}$")


@dataclass
class ParsedFile:
    name: str
    rows: list[list] = field(default_factory=list)  # typed values, None for n/a
    lines: list[int] = field(default_factory=list)  # source line of each row
    raw_bytes: int = 0
    total_rows: int = 0  # data rows in the file, valid or not
    scale_keys: list[tuple[str, str, str, int]] = field(default_factory=list)  # (code, element, scale, line)


@dataclass
class Context:
    """Reference data the later files are checked against."""

    elements: dict[str, str] = field(default_factory=dict)  # Element ID -> name
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # O*NET-SOC code -> title
    job_zones: set[int] = field(default_factory=set)
    categories: set[tuple[str, str, int]] = field(default_factory=set)  # ETE and Work Context categories


def decode(name: str, data: bytes, report: Report) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error(
            name,
            line,
            None,
            "encoding.utf8",
            f"not UTF-8: byte 0x{data[exc.start]:02x} at line {line}, byte {col} of the line "
            f"(O*NET text files are UTF-8)",
        )
        return None
    return text.removeprefix("\ufeff")


def parse_file(name: str, data: bytes, spec: FileSpec, ctx: Context, report: Report) -> ParsedFile | None:
    parsed = ParsedFile(name, raw_bytes=len(data))
    text = decode(name, data, report)
    if text is None:
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        report.error(name, 1, None, "header.missing", "empty file: expected a header row")
        return None
    header = lines[0].rstrip("\r").split("\t")
    if header != spec.headers:
        for i, expected in enumerate(spec.headers):
            got = header[i] if i < len(header) else None
            if got != expected:
                report.error(
                    name,
                    1,
                    expected,
                    "header.mismatch",
                    f"column {i + 1}: expected {expected!r}, found {got!r}",
                )
                break
        else:
            report.error(
                name,
                1,
                header[len(spec.headers)],
                "header.mismatch",
                f"{len(header)} columns, expected {len(spec.headers)}: unexpected extra column "
                f"{header[len(spec.headers)]!r}",
            )
        return None

    columns = spec.columns
    ncols = len(columns)
    headers = spec.headers
    seen_keys: dict[tuple, int] = {}
    scale_col = next((i for i, c in enumerate(columns) if c.kind == "scale"), None)
    element_col = next((i for i, c in enumerate(columns) if c.kind == "element"), None)
    pair_check = name in PAIRED_FILES
    category_col = headers.index("Category") if "Category" in headers and spec.value_col else None
    ci_cols = (
        (headers.index("Lower CI Bound"), headers.index("Upper CI Bound"))
        if "Lower CI Bound" in headers and spec.value_col is not None
        else None
    )
    err = report.error
    elements, scales, codes = ctx.elements, ctx.scales, ctx.codes
    for lineno, line in enumerate(lines[1:], start=2):
        parsed.total_rows += 1
        line = line.removesuffix("\r")
        values = line.split("\t")
        if pair_check and len(values) > 3:  # even rows with other defects count for the IM/LV pairing
            parsed.scale_keys.append((values[0], values[1], values[3], lineno))
        if len(values) != ncols:
            rule = "row.truncated" if len(values) < ncols else "row.extra_columns"
            missing = headers[len(values)] if len(values) < ncols else None
            err(
                name,
                lineno,
                missing,
                rule,
                f"{len(values)} fields, expected {ncols}"
                + (f" (first missing: {missing!r})" if missing else ""),
            )
            continue
        row: list = [None] * ncols
        bad = False
        for i, value in enumerate(values):
            col = columns[i]
            if value == NULL or value == "":
                if not col.nullable:
                    err(name, lineno, col.header, "type.required", f"{col.header} is empty or n/a")
                    bad = True
                continue
            kind = col.kind
            if kind == "text":
                row[i] = value
            elif kind == "num":
                try:
                    row[i] = float(value)
                except ValueError:
                    err(name, lineno, col.header, "type.number", f"{value!r} is not a number")
                    bad = True
            elif kind == "int":
                try:
                    row[i] = int(value)
                except ValueError:
                    err(name, lineno, col.header, "type.integer", f"{value!r} is not an integer")
                    bad = True
            elif kind == "flag":
                if value == "Y":
                    row[i] = True
                elif value == "N":
                    row[i] = False
                else:
                    err(name, lineno, col.header, "type.flag", f"{value!r}: expected Y, N or n/a")
                    bad = True
            elif kind == "code":
                if value not in codes:
                    rule = "ref.onet_code" if _CODE_RE.match(value) else "type.onet_code"
                    err(
                        name,
                        lineno,
                        col.header,
                        rule,
                        f"O*NET-SOC code {value!r} is not in Occupation Data.txt"
                        if rule == "ref.onet_code"
                        else f"{value!r} is not an O*NET-SOC code (NN-NNNN.NN)",
                    )
                    bad = True
                row[i] = value
            elif kind == "newcode":
                if not _CODE_RE.match(value):
                    err(
                        name,
                        lineno,
                        col.header,
                        "type.onet_code",
                        f"{value!r} is not an O*NET-SOC code (NN-NNNN.NN)",
                    )
                    bad = True
                row[i] = value
            elif kind == "element":
                if value not in elements:
                    err(
                        name,
                        lineno,
                        col.header,
                        "ref.element_id",
                        f"Element ID {value!r} is not in Content Model Reference.txt",
                    )
                    bad = True
                elif (
                    spec.element_prefixes and i == element_col and not value.startswith(spec.element_prefixes)
                ):
                    err(
                        name,
                        lineno,
                        col.header,
                        "ref.element_domain",
                        f"Element ID {value!r} is not a {'/'.join(spec.element_prefixes)} element",
                    )
                    bad = True
                row[i] = value
            elif kind == "scale":
                if value not in scales:
                    err(
                        name,
                        lineno,
                        col.header,
                        "ref.scale_id",
                        f"Scale ID {value!r} is not in Scales Reference.txt",
                    )
                    bad = True
                elif spec.scales is not None and value not in spec.scales:
                    err(
                        name,
                        lineno,
                        col.header,
                        "ref.scale_for_file",
                        f"Scale ID {value!r} not used in {name} (expected {', '.join(sorted(spec.scales))})",
                    )
                    bad = True
                row[i] = value
            elif kind == "date":
                if not _DATE_RE.match(value):
                    err(name, lineno, col.header, "type.date", f"{value!r}: expected MM/YYYY")
                    bad = True
                row[i] = value
            else:  # pragma: no cover - spec error
                raise ValueError(f"unknown column kind {kind}")
        if bad:
            continue
        if spec.value_col is not None and row[spec.value_col] is not None and scale_col is not None:
            lo, hi = scales[row[scale_col]]
            value = row[spec.value_col]
            if not lo <= value <= hi and not (value == 0 and row[scale_col] in ZERO_MEANS_NONE):
                err(
                    name,
                    lineno,
                    headers[spec.value_col],
                    "range.scale",
                    f"{value:g} outside {row[scale_col]} range {lo:g}–{hi:g} (Scales Reference)",
                )
                continue
        if ci_cols is not None and row[spec.value_col] is not None:
            lower, upper = row[ci_cols[0]], row[ci_cols[1]]
            value = row[spec.value_col]
            if lower is not None and upper is not None and not lower - CI_SLACK <= value <= upper + CI_SLACK:
                err(
                    name,
                    lineno,
                    headers[spec.value_col],
                    "range.ci",
                    f"{value:g} outside its own confidence interval {lower:g}–{upper:g}",
                )
                continue
        if (
            category_col is not None
            and row[category_col] is not None
            and (row[element_col], row[scale_col], row[category_col]) not in ctx.categories
        ):
            err(
                name,
                lineno,
                "Category",
                "ref.category",
                f"category {row[category_col]} of {row[element_col]}/{row[scale_col]} is not in the "
                f"categories reference file",
            )
            continue
        if spec.key:
            key = tuple(row[i] for i in spec.key)
            first = seen_keys.get(key)
            if first is not None:
                err(
                    name,
                    lineno,
                    headers[spec.key[-1]],
                    "duplicate.key",
                    f"duplicate of line {first}: {', '.join(f'{headers[i]}={row[i]}' for i in spec.key)}",
                )
                continue
            seen_keys[key] = lineno
        parsed.rows.append(row)
        parsed.lines.append(lineno)
    _file_rules(parsed, ctx, report)
    return parsed


def _file_rules(parsed: ParsedFile, ctx: Context, report: Report) -> None:
    """Rules specific to one file, on rows that passed the generic checks."""
    name = parsed.name
    if name == "Scales Reference.txt":
        fixed = {"IM": (1.0, 5.0), "LV": (0.0, 7.0)}
        for row, line in zip(parsed.rows, parsed.lines):
            if row[0] in fixed and (row[2], row[3]) != fixed[row[0]]:
                report.error(
                    name,
                    line,
                    "Minimum",
                    "range.scale_reference",
                    f"{row[0]} must range {fixed[row[0]][0]:g}–{fixed[row[0]][1]:g}, "
                    f"found {row[2]:g}–{row[3]:g}",
                )
            if row[2] > row[3]:
                report.error(name, line, "Maximum", "range.scale_reference", "Minimum above Maximum")
    elif name == "Related Occupations.txt":
        for row, line in zip(parsed.rows, parsed.lines):
            if row[2] not in RELATEDNESS_TIERS:
                report.error(
                    name,
                    line,
                    "Relatedness Tier",
                    "value.enum",
                    f"{row[2]!r}: expected one of {', '.join(sorted(RELATEDNESS_TIERS))}",
                )
            if row[0] == row[1]:
                report.error(
                    name,
                    line,
                    "Related O*NET-SOC Code",
                    "value.self_reference",
                    f"{row[0]} is related to itself",
                )
    elif name == "Task Statements.txt":
        for row, line in zip(parsed.rows, parsed.lines):
            if row[3] is not None and row[3] not in TASK_TYPES:
                report.error(
                    name, line, "Task Type", "value.enum", f"{row[3]!r}: expected Core or Supplemental"
                )
    elif name == "Job Zones.txt":
        for row, line in zip(parsed.rows, parsed.lines):
            if row[1] not in ctx.job_zones:
                report.error(
                    name,
                    line,
                    "Job Zone",
                    "ref.job_zone",
                    f"Job Zone {row[1]} is not in Job Zone Reference.txt",
                )
    elif name in PAIRED_FILES:
        # every rated (occupation, element) has both an importance and a level row
        scales_seen: dict[tuple[str, str], set[str]] = {}
        first_line: dict[tuple[str, str], int] = {}
        for code, element, scale, line in parsed.scale_keys:
            key = (code, element)
            scales_seen.setdefault(key, set()).add(scale)
            first_line.setdefault(key, line)
        for key, seen in scales_seen.items():
            if not {"IM", "LV"} <= seen:
                missing = ({"IM", "LV"} - seen).pop()
                report.error(
                    name,
                    first_line[key],
                    "Scale ID",
                    "rating.pair",
                    f"{key[0]} {key[1]} has no {missing} row (importance and level come in pairs)",
                )


def update_context(parsed: ParsedFile, ctx: Context) -> None:
    if parsed.name == "Content Model Reference.txt":
        ctx.elements = {row[0]: row[1] for row in parsed.rows}
    elif parsed.name == "Scales Reference.txt":
        ctx.scales = {row[0]: (row[2], row[3]) for row in parsed.rows}
    elif parsed.name == "Occupation Data.txt":
        ctx.codes = {row[0]: row[1] for row in parsed.rows}
    elif parsed.name == "Job Zone Reference.txt":
        ctx.job_zones = {row[0] for row in parsed.rows}
    elif parsed.name in ("Education, Training, and Experience Categories.txt", "Work Context Categories.txt"):
        ctx.categories |= {(row[0], row[2], row[3]) for row in parsed.rows}


def read_inputs(source: ReleaseSource) -> dict[str, bytes]:
    """The bytes of every file the importer knows (plus Read Me.txt), as found in the source."""
    names = [name for name in ORDER if source.has(name)]
    if source.has("Read Me.txt"):
        names.append("Read Me.txt")
    return {name: source.read(name) for name in names}


# The reference file each column kind (or file) is checked against.
REFERENCE_FOR_KIND = {
    "code": "Occupation Data.txt",
    "element": "Content Model Reference.txt",
    "scale": "Scales Reference.txt",
}
REFERENCE_FOR_FILE = {
    "Job Zones.txt": "Job Zone Reference.txt",
    "Education, Training, and Experience.txt": "Education, Training, and Experience Categories.txt",
    "Work Context.txt": "Work Context Categories.txt",
}


def references_of(spec: FileSpec) -> list[str]:
    refs = {REFERENCE_FOR_KIND[c.kind] for c in spec.columns if c.kind in REFERENCE_FOR_KIND}
    if spec.name in REFERENCE_FOR_FILE:
        refs.add(REFERENCE_FOR_FILE[spec.name])
    return sorted(refs - {spec.name})


def parse_release(
    raw: dict[str, bytes], location: str, report: Report, progress=None
) -> dict[str, ParsedFile]:
    """Parse every known file of the release in dependency order. Missing required files are errors;
    missing optional files are reported (warning) and skipped. A file whose reference file (Occupation Data,
    Content Model Reference, ...) is missing or unreadable is not checked row by row (one `file.not_checked`
    error instead): every row would otherwise be reported as an unknown code and bury the real problem."""
    ctx = Context()
    parsed: dict[str, ParsedFile] = {}
    for name in ORDER:
        spec = SPECS[name]
        if name not in raw:
            if spec.required:
                report.error(name, None, None, "file.missing", f"required file {name!r} is not in {location}")
            else:
                report.warning(
                    name,
                    None,
                    None,
                    "file.optional_missing",
                    f"optional file {name!r} not in the release: skipped",
                )
                report.skipped_files.append(name)
            continue
        unavailable = [ref for ref in references_of(spec) if ref not in parsed]
        if unavailable:
            report.error(
                name,
                None,
                None,
                "file.not_checked",
                f"not validated: its reference file {' and '.join(map(repr, unavailable))} is missing or "
                f"unreadable (see that file's problem)",
            )
            continue
        result = parse_file(name, raw[name], spec, ctx, report)
        if result is not None:
            parsed[name] = result
            update_context(result, ctx)
        if progress:
            progress(f"validated {name}")
    return parsed
