"""Regenerate the committed O*NET 29.0 sample (`tests/data/onet_29_0_sample/`) from the full release.

    .venv/bin/python tests/data/make_onet_sample.py [--onet ../shared/data/onet/db_29_0_text]
                                                    [--bls ../shared/data/bls] [--out tests/data/onet_29_0_sample]

Selection: a fixed list of well-known occupations, then the first rated occupations of each SOC major group
until every one of the 23 groups has at least two (the military group 55 has no ratings in O*NET 29.0: its
two codes exercise occupations without rating rows), then every 17th rated code up to 60. Every row of every O*NET occupation file whose O*NET-SOC code is selected is copied unchanged;
the reference files (Content Model, Scales, Job Zone Reference, ETE Categories, Work Context Categories,
Task Categories, the Skills/Abilities cross-walks) are copied whole. Related Occupations keeps only pairs
whose both ends are in the sample, so the subset stays referentially complete. BLS: the OEWS and EP rows of
the selected SOC codes plus their major/minor/broad (summary) rows, which give the SOC group titles.
Deterministic: running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ONET = ROOT.parent / "shared" / "data" / "onet" / "db_29_0_text"
DEFAULT_BLS = ROOT.parent / "shared" / "data" / "bls"
DEFAULT_OUT = Path(__file__).resolve().parent / "onet_29_0_sample"

MUST_HAVE = [
    "11-1011.00",
    "11-3021.00",
    "13-2011.00",
    "13-1111.00",
    "15-1252.00",
    "15-2051.00",
    "15-1211.00",
    "15-1299.08",
    "17-2051.00",
    "17-2141.00",
    "19-1042.00",
    "19-3033.00",
    "21-1012.00",
    "21-1093.00",
    "23-1011.00",
    "23-2011.00",
    "25-2021.00",
    "25-1011.00",
    "27-1024.00",
    "27-3031.00",
    "29-1141.00",
    "29-1215.00",
    "29-2061.00",
    "31-1131.00",
    "31-9091.00",
    "33-3051.00",
    "33-2011.00",
    "35-2014.00",
    "35-3023.00",
    "37-2011.00",
    "37-3011.00",
    "39-9011.00",
    "39-5012.00",
    "41-2031.00",
    "41-3091.00",
    "43-4051.00",
    "43-6014.00",
    "45-2091.00",
    "45-4011.00",
    "47-2111.00",
    "47-2031.00",
    "49-3023.00",
    "49-9021.00",
    "51-4121.00",
    "51-3011.00",
    "53-3032.00",
    "53-2011.00",
    "55-3011.00",
    "55-1016.00",
]
TARGET = 60
OCCUPATION_FILES = [
    "Occupation Data.txt",
    "Skills.txt",
    "Knowledge.txt",
    "Abilities.txt",
    "Interests.txt",
    "Work Values.txt",
    "Work Styles.txt",
    "Work Context.txt",
    "Task Statements.txt",
    "Alternate Titles.txt",
    "Sample of Reported Titles.txt",
    "Job Zones.txt",
    "Education, Training, and Experience.txt",
    "Technology Skills.txt",
    "Tools Used.txt",
    "Emerging Tasks.txt",
]
REFERENCE_FILES = [
    "Read Me.txt",
    "Content Model Reference.txt",
    "Scales Reference.txt",
    "Job Zone Reference.txt",
    "Education, Training, and Experience Categories.txt",
    "Work Context Categories.txt",
    "Task Categories.txt",
    "Skills to Work Activities.txt",
    "Skills to Work Context.txt",
    "Abilities to Work Activities.txt",
    "Abilities to Work Context.txt",
    "Level Scale Anchors.txt",
]
OEWS = "oews_national_may2025.csv"
EP = "ep_2024-34_table_1_2.csv"


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def select_codes(onet: Path) -> list[str]:
    all_codes = [line.split("\t", 1)[0] for line in read_lines(onet / "Occupation Data.txt")[1:]]
    rated = {line.split("\t", 1)[0] for line in read_lines(onet / "Skills.txt")[1:]}
    missing = [c for c in MUST_HAVE if c not in all_codes]
    if missing:
        raise SystemExit(f"codes not in Occupation Data: {missing}")
    chosen = list(MUST_HAVE)
    groups = sorted({c[:2] for c in all_codes})
    for group in groups:  # at least two per group where the group has them
        for code in all_codes:
            if sum(1 for c in chosen if c[:2] == group) >= 2:
                break
            if code[:2] == group and code in rated and code not in chosen:
                chosen.append(code)
    for code in all_codes:  # fill up with rated codes spread over groups (every 17th code)
        if len(chosen) >= TARGET:
            break
        if code in rated and code not in chosen and all_codes.index(code) % 17 == 0:
            chosen.append(code)
    return sorted(chosen)


def filter_file(src: Path, dst: Path, keep) -> int:
    lines = read_lines(src)
    out = [lines[0]] + [line for line in lines[1:] if keep(line.rstrip("\n").split("\t"))]
    dst.write_text("".join(out), encoding="utf-8", newline="")
    return len(out) - 1


def filter_csv(src: Path, dst: Path, keep) -> int:
    text = src.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    kept = [rows[0]] + [r for r in rows[1:] if keep(r)]
    writer.writerows(kept)
    dst.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return len(kept) - 1


def soc_ancestors(soc: str) -> set[str]:
    # 29-1141 -> 29-0000 (major), 29-1000 (minor), 29-1140 (broad); SOC also has minor groups like 15-1200.
    return {f"{soc[:2]}-0000", f"{soc[:4]}000", f"{soc[:5]}00", f"{soc[:6]}0", soc}


FIXTURE_CODES = ["15-1252.00", "29-1141.00", "47-2111.00"]
ABILITY_IDS = [
    ("1.A.1.a.1", "Oral Comprehension"),
    ("1.A.1.a.2", "Written Comprehension"),
    ("1.A.1.a.3", "Oral Expression"),
    ("1.A.2.a.2", "Manual Dexterity"),
]
CONTEXT_IDS = [
    ("4.C.1.a.2.c", "Public Speaking"),
    ("4.C.1.a.2.h", "Electronic Mail"),
    ("4.C.2.a.1.c", "Outdoors, Exposed to Weather"),
]
ABILITIES_HEADER = (
    "O*NET-SOC Code\tElement ID\tElement Name\tScale ID\tData Value\tN\tStandard Error\t"
    "Lower CI Bound\tUpper CI Bound\tRecommend Suppress\tNot Relevant\tDate\tDomain Source\n"
)
WORK_CONTEXT_HEADER = (
    "O*NET-SOC Code\tElement ID\tElement Name\tScale ID\tCategory\tData Value\tN\t"
    "Standard Error\tLower CI Bound\tUpper CI Bound\tRecommend Suppress\tNot Relevant\t"
    "Date\tDomain Source\n"
)


def write_fixtures(out: Path) -> None:
    """SYNTHETIC Abilities.txt / Work Context.txt in the official 29.0 column layout (the shared copy of the
    release lacks both files). The values are made up (a deterministic formula), only the layout is real."""
    fixtures = out / "fixtures"
    fixtures.mkdir(exist_ok=True)  # fixtures/README.md (kept by hand) labels these files as synthetic
    rows = [ABILITIES_HEADER]
    for i, code in enumerate(FIXTURE_CODES):
        for j, (eid, name) in enumerate(ABILITY_IDS):
            im = 1.0 + ((i * 7 + j * 3) % 40) / 10
            lv = 0.5 + ((i * 5 + j * 11) % 60) / 10
            rows.append(
                f"{code}\t{eid}\t{name}\tIM\t{im:.2f}\t8\t0.1000\t{im - 0.2:.4f}\t{im + 0.2:.4f}\tN\tn/a"
                f"\t08/2024\tAnalyst\n"
            )
            rows.append(
                f"{code}\t{eid}\t{name}\tLV\t{lv:.2f}\t8\t0.1500\t{lv - 0.3:.4f}\t{lv + 0.3:.4f}\tN\t"
                f"{'Y' if lv < 1 else 'N'}\t08/2024\tAnalyst\n"
            )
    (fixtures / "Abilities.txt").write_text("".join(rows), encoding="utf-8", newline="")
    rows = [WORK_CONTEXT_HEADER]
    for i, code in enumerate(FIXTURE_CODES):
        for j, (eid, name) in enumerate(CONTEXT_IDS):
            cx = 1.0 + ((i * 13 + j * 7) % 40) / 10
            rows.append(
                f"{code}\t{eid}\t{name}\tCX\tn/a\t{cx:.2f}\t25\t0.2000\t{cx - 0.4:.4f}\t{cx + 0.4:.4f}"
                f"\tN\tn/a\t08/2024\tIncumbent\n"
            )
            shares = [(i + j + k) % 5 + 1 for k in range(5)]
            for k, share in enumerate(shares, start=1):
                pct = round(100 * share / sum(shares), 2)
                rows.append(
                    f"{code}\t{eid}\t{name}\tCXP\t{k}\t{pct:.2f}\t25\t5.0000\tn/a\tn/a\tN\tn/a"
                    f"\t08/2024\tIncumbent\n"
                )
    (fixtures / "Work Context.txt").write_text("".join(rows), encoding="utf-8", newline="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onet", type=Path, default=DEFAULT_ONET)
    parser.add_argument("--bls", type=Path, default=DEFAULT_BLS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "bls").mkdir(exist_ok=True)
    codes = select_codes(args.onet)
    code_set = set(codes)
    counts: dict[str, int] = {}
    for name in OCCUPATION_FILES:
        src = args.onet / name
        if src.exists():
            counts[name] = filter_file(src, out / name, lambda row: row[0] in code_set)
    related = args.onet / "Related Occupations.txt"
    counts[related.name] = filter_file(
        related, out / related.name, lambda row: row[0] in code_set and row[1] in code_set
    )
    for name in REFERENCE_FILES:
        if (args.onet / name).exists():
            shutil.copyfile(args.onet / name, out / name)
            counts[name] = len(read_lines(out / name)) - 1
    socs = {c[:7] for c in codes}
    wanted = set().union(*(soc_ancestors(s) for s in socs)) | {"00-0000"}
    counts["bls/" + OEWS] = filter_csv(args.bls / OEWS, out / "bls" / OEWS, lambda r: r[0] in wanted)
    counts["bls/" + EP] = filter_csv(args.bls / EP, out / "bls" / EP, lambda r: r[1] in wanted)
    write_fixtures(out)
    groups = sorted({c[:2] for c in codes})
    print(f"{len(codes)} occupations in {len(groups)} major groups -> {out}")
    for name, n in sorted(counts.items()):
        print(f"  {n:>7} rows  {name}")


if __name__ == "__main__":
    main()
