"""Builders for O*NET test inputs: copies of the committed sample with one deliberate defect each."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "onet_29_0_sample"
FIXTURES = SAMPLE / "fixtures"


def copy_sample(dest: Path, with_fixtures: bool = False) -> Path:
    """The sample as a release folder (with its bls/), optionally with the synthetic Abilities/Work Context."""
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns("fixtures", "README.md"))
    if with_fixtures:
        for name in ("Abilities.txt", "Work Context.txt"):
            shutil.copyfile(FIXTURES / name, dest / name)
    return dest


def lines(folder: Path, name: str) -> list[str]:
    return (folder / name).read_text(encoding="utf-8").split("\n")


def write_lines(folder: Path, name: str, content: list[str]) -> None:
    (folder / name).write_text("\n".join(content), encoding="utf-8", newline="")


def set_field(folder: Path, name: str, line_no: int, column: str, value: str) -> str:
    """Set one cell (line numbers as in the report: 1 = header). Returns the old value."""
    content = lines(folder, name)
    header = content[0].split("\t")
    fields = content[line_no - 1].split("\t")
    old = fields[header.index(column)]
    fields[header.index(column)] = value
    content[line_no - 1] = "\t".join(fields)
    write_lines(folder, name, content)
    return old


def find_line(folder: Path, name: str, *startswith: str) -> int:
    """Line number (1-based) of the first data row starting with the given tab-separated fields."""
    prefix = "\t".join(startswith)
    for i, line in enumerate(lines(folder, name), start=1):
        if i > 1 and line.startswith(prefix):
            return i
    raise AssertionError(f"no row starting with {startswith} in {name}")


def make_zip(folder: Path, target: Path, skip: set[str] = frozenset(), inner: str = "db_29_0_text") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.name not in skip:
                zf.write(path, f"{inner}/{path.name}")
    return target


def set_rating(folder: Path, name: str, line_no: int, value: float) -> None:
    """Change a rating's Data Value and move its confidence interval with it (as a real new estimate would)."""
    set_field(folder, name, line_no, "Data Value", f"{value:.2f}")
    set_field(folder, name, line_no, "Lower CI Bound", f"{value - 0.3:.4f}")
    set_field(folder, name, line_no, "Upper CI Bound", f"{value + 0.3:.4f}")
