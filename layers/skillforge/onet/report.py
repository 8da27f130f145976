"""Validation problems and the report that collects them (file, line, column, rule, message)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

MAX_PER_RULE = 50  # problems kept per (file, rule); every problem is still counted


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    rule: str
    message: str
    severity: str = "error"  # error (blocks the release) or warning

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{self.severity}: {where}: {self.rule}: {self.message}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # (severity, file, rule) -> n
    skipped_files: list[str] = field(default_factory=list)

    def add(
        self,
        file: str,
        line: int | None,
        column: str | None,
        rule: str,
        message: str,
        severity: str = "error",
    ) -> None:
        key = (severity, file, rule)
        self.counts[key] += 1
        if self.counts[key] <= MAX_PER_RULE:
            self.problems.append(Problem(file, line, column, rule, message, severity))

    def error(self, file: str, line: int | None, column: str | None, rule: str, message: str) -> None:
        self.add(file, line, column, rule, message, "error")

    def warning(self, file: str, line: int | None, column: str | None, rule: str, message: str) -> None:
        self.add(file, line, column, rule, message, "warning")

    @property
    def error_count(self) -> int:
        return sum(n for (sev, _, _), n in self.counts.items() if sev == "error")

    @property
    def warning_count(self) -> int:
        return sum(n for (sev, _, _), n in self.counts.items() if sev == "warning")

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def find(self, rule: str | None = None, file: str | None = None) -> list[Problem]:
        return [
            p for p in self.problems if (rule is None or p.rule == rule) and (file is None or p.file == file)
        ]

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "errors": self.error_count,
            "warnings": self.warning_count,
            "skipped_files": self.skipped_files,
            "by_rule": [
                {"severity": s, "file": f, "rule": r, "count": n}
                for (s, f, r), n in sorted(self.counts.items())
            ],
            "problems": [asdict(p) for p in self.problems],
        }
