"""One element_kind for the whole code base, pinned to the O*NET content model."""

from __future__ import annotations

import pytest

from skillforge.reference.elements import element_kind
from tests.onet.helpers import SAMPLE


@pytest.mark.parametrize(
    "element_id, kind",
    [
        ("1.A.1.a.1", "ability"),  # Oral Comprehension (Abilities, 1.A)
        ("1.A.4.b.4", "ability"),  # Speech Recognition
        ("2.A.1.a", "skill"),  # Reading Comprehension (Basic Skills, 2.A)
        ("2.A.2.d", "skill"),
        ("2.B.1.a", "skill"),  # Social Perceptiveness (Cross-Functional Skills, 2.B)
        ("2.B.5.d", "skill"),
        ("2.C.1.a", "knowledge"),  # Administration and Management (Knowledge, 2.C)
        ("2.C.10", "knowledge"),
        ("TECH-microsoft-excel", "technology"),
    ],
)
def test_kind_follows_the_content_model(element_id: str, kind: str):
    assert element_kind(element_id) == kind


@pytest.mark.parametrize(
    "element_id",
    ["1.B.1.a", "1.C.1.a", "2.D.1", "4.A.1.a.1", "4.C.1.a.2", "2", "2.AB.1", "tech-excel", ""],
)
def test_other_branches_are_not_skills(element_id: str):
    with pytest.raises(ValueError, match="not a skill, knowledge, ability or technology element"):
        element_kind(element_id)


def test_every_rated_element_of_the_sample_has_its_file_kind():
    """The ids of Skills.txt, Knowledge.txt and the Abilities fixture, as O*NET publishes them."""
    files = {"Skills.txt": "skill", "Knowledge.txt": "knowledge", "fixtures/Abilities.txt": "ability"}
    for name, kind in files.items():
        rows = (SAMPLE / name).read_text(encoding="utf-8").splitlines()
        column = rows[0].split("\t").index("Element ID")
        ids = {row.split("\t")[column] for row in rows[1:] if row}
        assert ids and {element_kind(i) for i in ids} == {kind}, name


def test_the_search_matching_and_jaat_code_use_this_one():
    from skillforge.onet import jaat
    from skillforge.search import skills

    assert skills.element_kind is element_kind and jaat.element_kind is element_kind
