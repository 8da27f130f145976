"""Pathway tests: a writable copy of the curated content folder, and a helper to edit one file in it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from skillforge.pathways.content import DEFAULT_DIR


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "pathways"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def edit(folder: Path, key: str, change) -> None:
    path = folder / f"{key}.json"
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))
