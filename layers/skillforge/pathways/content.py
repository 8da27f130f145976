"""Reading and checking the curated pathway files (no database): used by CI and before every publish."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from skillforge.pathways.schema import Pathway

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DIR = REPO_ROOT / "content" / "pathways"


@dataclass
class ContentReport:
    pathways: list[Pathway] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"file", "path", "message"}

    @property
    def ok(self) -> bool:
        return not self.errors


class PathwayContentError(ValueError):
    def __init__(self, errors: list[dict]):
        self.errors = errors
        lines = [f"{e['file']}: {e['path']}: {e['message']}" for e in errors[:20]]
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__("invalid learning pathway content:\n" + "\n".join(lines) + more)


def load_directory(
    directory: Path | str = DEFAULT_DIR, *, known_onet_codes: set[str] | None = None
) -> ContentReport:
    """Validate every `*.json` file; with `known_onet_codes`, every target must be one of them."""
    directory = Path(directory)
    report = ContentReport()
    if not directory.is_dir():
        report.errors.append({"file": str(directory), "path": "$", "message": "not a directory"})
        return report
    seen_keys: dict[str, str] = {}
    seen_titles: dict[tuple[str, str], str] = {}
    for path in sorted(directory.glob("*.json")):
        name = path.name
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            report.errors.append({"file": name, "path": "$", "message": f"not readable JSON: {exc}"})
            continue
        try:
            pathway = Pathway.model_validate(document)
        except ValidationError as exc:
            for error in exc.errors():
                loc = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
                report.errors.append({"file": name, "path": loc, "message": error["msg"]})
            continue
        problems = []
        if pathway.pathway_key != path.stem:
            problems.append(
                ("$.pathway_key", f"must equal the file name {path.stem!r}, got {pathway.pathway_key!r}")
            )
        if pathway.pathway_key in seen_keys:
            problems.append(("$.pathway_key", f"also used by {seen_keys[pathway.pathway_key]}"))
        title_key = (pathway.title.lower(), pathway.target_onet_code)
        if title_key in seen_titles:
            problems.append(("$.title", f"same title and target occupation as {seen_titles[title_key]}"))
        if known_onet_codes is not None and pathway.target_onet_code not in known_onet_codes:
            problems.append(
                ("$.target_onet_code", f"O*NET-SOC code {pathway.target_onet_code} does not exist")
            )
        if problems:
            report.errors.extend({"file": name, "path": p, "message": m} for p, m in problems)
            continue
        seen_keys[pathway.pathway_key] = name
        seen_titles[title_key] = name
        report.pathways.append(pathway)
    if not report.pathways and not report.errors:
        report.errors.append(
            {"file": str(directory), "path": "$", "message": "no pathway files (*.json) found"}
        )
    return report


def onet_codes_from_release_folder(folder: Path | str) -> set[str]:
    """O*NET-SOC codes listed in a text release's `Occupation Data.txt`."""
    with open(Path(folder) / "Occupation Data.txt", encoding="utf-8-sig") as handle:
        next(handle)
        return {line.split("\t", 1)[0] for line in handle if line.strip()}
