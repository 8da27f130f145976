"""The O*NET text files the importer reads: their official 29.0 headers, column kinds and keys.

Column kinds: `code` O*NET-SOC code known in Occupation Data; `element` Element ID known in the Content
Model Reference; `scale` Scale ID known in the Scales Reference; `num` decimal; `int` integer; `flag` Y/N;
`date` MM/YYYY; `text` free text. A column is nullable when O*NET writes `n/a` there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"
    nullable: bool = False


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Col, ...]
    required: bool = True
    key: tuple[int, ...] = ()  # columns that identify a row (duplicates are errors)
    scales: frozenset[str] | None = None  # Scale IDs allowed in this file
    element_prefixes: tuple[str, ...] = ()  # Content Model branch the Element IDs must belong to
    value_col: int | None = None  # Data Value, range-checked against the row's scale

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


CODE = Col("O*NET-SOC Code", "code")
DATE = Col("Date", "date", True)
DOMAIN = Col("Domain Source", "text", True)

RATING_COLUMNS = (
    CODE,
    Col("Element ID", "element"),
    Col("Element Name"),
    Col("Scale ID", "scale"),
    Col("Data Value", "num"),
    Col("N", "int", True),
    Col("Standard Error", "num", True),
    Col("Lower CI Bound", "num", True),
    Col("Upper CI Bound", "num", True),
    Col("Recommend Suppress", "flag", True),
    Col("Not Relevant", "flag", True),
    DATE,
    DOMAIN,
)
CATEGORY_RATING_COLUMNS = (
    CODE,
    Col("Element ID", "element"),
    Col("Element Name"),
    Col("Scale ID", "scale"),
    Col("Category", "int", True),
    Col("Data Value", "num"),
    Col("N", "int", True),
    Col("Standard Error", "num", True),
    Col("Lower CI Bound", "num", True),
    Col("Upper CI Bound", "num", True),
    Col("Recommend Suppress", "flag", True),
    Col("Not Relevant", "flag", True),
    DATE,
    DOMAIN,
)

SPECS: dict[str, FileSpec] = {
    s.name: s
    for s in (
        FileSpec(
            "Content Model Reference.txt",
            (Col("Element ID"), Col("Element Name"), Col("Description", "text", True)),
            key=(0,),
        ),
        FileSpec(
            "Scales Reference.txt",
            (Col("Scale ID"), Col("Scale Name"), Col("Minimum", "num"), Col("Maximum", "num")),
            key=(0,),
        ),
        FileSpec(
            "Occupation Data.txt",
            (Col("O*NET-SOC Code", "newcode"), Col("Title"), Col("Description", "text", True)),
            key=(0,),
        ),
        FileSpec(
            "Skills.txt",
            RATING_COLUMNS,
            key=(0, 1, 3),
            scales=frozenset({"IM", "LV"}),
            element_prefixes=("2.A", "2.B"),
            value_col=4,
        ),
        FileSpec(
            "Knowledge.txt",
            RATING_COLUMNS,
            key=(0, 1, 3),
            scales=frozenset({"IM", "LV"}),
            element_prefixes=("2.C",),
            value_col=4,
        ),
        FileSpec(
            "Abilities.txt",
            RATING_COLUMNS,
            required=False,
            key=(0, 1, 3),
            scales=frozenset({"IM", "LV"}),
            element_prefixes=("1.A",),
            value_col=4,
        ),
        FileSpec(
            "Work Styles.txt",
            (
                CODE,
                Col("Element ID", "element"),
                Col("Element Name"),
                Col("Scale ID", "scale"),
                Col("Data Value", "num"),
                Col("N", "int", True),
                Col("Standard Error", "num", True),
                Col("Lower CI Bound", "num", True),
                Col("Upper CI Bound", "num", True),
                Col("Recommend Suppress", "flag", True),
                DATE,
                DOMAIN,
            ),
            # only IM: occupation_work_styles has one value column (importance), so another scale would be
            # stored as if it were an importance
            required=False,
            key=(0, 1, 3),
            scales=frozenset({"IM"}),
            element_prefixes=("1.C", "1.D"),
            value_col=4,
        ),
        FileSpec(
            "Interests.txt",
            (
                CODE,
                Col("Element ID", "element"),
                Col("Element Name"),
                Col("Scale ID", "scale"),
                Col("Data Value", "num"),
                DATE,
                DOMAIN,
            ),
            required=False,
            key=(0, 1, 3),
            scales=frozenset({"OI", "IH"}),
            element_prefixes=("1.B.1",),
            value_col=4,
        ),
        FileSpec(
            "Work Values.txt",
            (
                CODE,
                Col("Element ID", "element"),
                Col("Element Name"),
                Col("Scale ID", "scale"),
                Col("Data Value", "num"),
                DATE,
                DOMAIN,
            ),
            required=False,
            key=(0, 1, 3),
            scales=frozenset({"EX", "VH"}),
            element_prefixes=("1.B.2",),
            value_col=4,
        ),
        FileSpec(
            "Work Context.txt",
            CATEGORY_RATING_COLUMNS,
            required=False,
            key=(0, 1, 3, 4),
            scales=frozenset({"CX", "CXP", "CT", "CTP"}),
            element_prefixes=("4.C",),
            value_col=5,
        ),
        FileSpec(
            "Work Context Categories.txt",
            (
                Col("Element ID", "element"),
                Col("Element Name"),
                Col("Scale ID", "scale"),
                Col("Category", "int"),
                Col("Category Description"),
            ),
            required=False,
            key=(0, 2, 3),
        ),
        FileSpec(
            "Education, Training, and Experience.txt",
            CATEGORY_RATING_COLUMNS[:11] + (DATE, DOMAIN),
            key=(0, 1, 3, 4),
            scales=frozenset({"RL", "RW", "PT", "OJ", "IM"}),
            element_prefixes=("2.D", "3.A"),
            value_col=5,
        ),
        FileSpec(
            "Education, Training, and Experience Categories.txt",
            (
                Col("Element ID", "element"),
                Col("Element Name"),
                Col("Scale ID", "scale"),
                Col("Category", "int"),
                Col("Category Description"),
            ),
            key=(0, 2, 3),
        ),
        FileSpec(
            "Task Statements.txt",
            (
                CODE,
                Col("Task ID", "int"),
                Col("Task"),
                Col("Task Type", "text", True),
                Col("Incumbents Responding", "int", True),
                DATE,
                DOMAIN,
            ),
            key=(1,),
        ),
        FileSpec(
            "Alternate Titles.txt",
            (CODE, Col("Alternate Title"), Col("Short Title", "text", True), Col("Source(s)", "text", True)),
            key=(0, 1, 2),
        ),
        FileSpec(
            "Sample of Reported Titles.txt",
            (CODE, Col("Reported Job Title"), Col("Shown in My Next Move", "flag")),
            required=False,
            key=(0, 1),
        ),
        FileSpec(
            "Related Occupations.txt",
            (CODE, Col("Related O*NET-SOC Code", "code"), Col("Relatedness Tier"), Col("Index", "int")),
            key=(0, 1),
        ),
        FileSpec("Job Zones.txt", (CODE, Col("Job Zone", "int"), DATE, DOMAIN), key=(0,)),
        FileSpec(
            "Job Zone Reference.txt",
            (
                Col("Job Zone", "int"),
                Col("Name"),
                Col("Experience"),
                Col("Education"),
                Col("Job Training"),
                Col("Examples"),
                Col("SVP Range"),
            ),
            key=(0,),
        ),
        FileSpec(
            "Technology Skills.txt",
            (
                CODE,
                Col("Example"),
                Col("Commodity Code", "int"),
                Col("Commodity Title"),
                # one row per (occupation, example): the loaded table is keyed so (an example is one skill)
                Col("Hot Technology", "flag"),
                Col("In Demand", "flag"),
            ),
            key=(0, 1),
        ),
        FileSpec(
            "Skills to Work Activities.txt",
            (
                Col("Skills Element ID", "element"),
                Col("Skills Element Name"),
                Col("Work Activities Element ID", "element"),
                Col("Work Activities Element Name"),
            ),
            required=False,
            key=(0, 2),
        ),
    )
}

# Parse order: the reference files first, so the others can be checked against them.
ORDER = [
    "Content Model Reference.txt",
    "Scales Reference.txt",
    "Occupation Data.txt",
    "Job Zone Reference.txt",
    "Education, Training, and Experience Categories.txt",
    "Work Context Categories.txt",
] + [
    name
    for name in SPECS
    if name
    not in {
        "Content Model Reference.txt",
        "Scales Reference.txt",
        "Occupation Data.txt",
        "Job Zone Reference.txt",
        "Education, Training, and Experience Categories.txt",
        "Work Context Categories.txt",
    }
]

# High-point scales write 0 for "no (second/third) high point", below the scale's own minimum of 1 for VH.
ZERO_MEANS_NONE = frozenset({"VH", "IH"})
RELATEDNESS_TIERS = {"Primary-Short", "Primary-Long", "Supplemental"}
TASK_TYPES = {"Core", "Supplemental"}
