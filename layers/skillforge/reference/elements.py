"""What kind of O*NET element an element id names, from the O*NET content model (`Content Model Reference.txt`):

    1.A  Abilities                  -> "ability"
    2.A  Basic Skills               -> "skill"
    2.B  Cross-Functional Skills    -> "skill"
    2.C  Knowledge                  -> "knowledge"
    TECH-<slug>                     -> "technology" (Technology Skills examples; ids given by the importer)

Other branches of the content model (1.B interests and work values, 1.C work styles, 4.A work activities, 4.C
work context, ...) are not skills of any kind: asking for their kind is a bug, so it raises.
"""

from __future__ import annotations

from typing import Literal

ElementKind = Literal["skill", "knowledge", "ability", "technology"]

TECHNOLOGY_PREFIX = "TECH-"
KIND_BY_BRANCH: dict[str, ElementKind] = {
    "1.A": "ability",
    "2.A": "skill",
    "2.B": "skill",
    "2.C": "knowledge",
}


def element_kind(element_id: str) -> ElementKind:
    if element_id.startswith(TECHNOLOGY_PREFIX):
        return "technology"
    kind = KIND_BY_BRANCH.get(".".join(element_id.split(".", 2)[:2]))
    if kind is None:
        raise ValueError(f"{element_id!r} is not a skill, knowledge, ability or technology element")
    return kind
