"""The shapes other code relies on: validation errors and per-statement reports (CLI, API details)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StatementError(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str = Field(description="JSONPath of the offending value, e.g. $.actor.mbox")
    rule: str = Field(description="Stable rule id, e.g. mbox, ifi.exactly-one, timestamp.calendar")
    message: str


class StatementReport(BaseModel):
    """One line of `skillforge xapi validate`."""

    index: int = Field(ge=0)
    valid: bool
    errors: list[StatementError] = Field(default_factory=list)
