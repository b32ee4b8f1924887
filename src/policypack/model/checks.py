"""A trust's checks file: who checked which pending part of the text, when, and against what.

The people who can read the guidance a maintainer could not (a trust's or school's
safeguarding lead) record their reading here, so that a school can adopt a pack honestly.
Each check names a part as `policypack review --format json` lists it (flow, step,
source) and the fingerprint of the part's text it read (`text`): when the flows change
that part, the fingerprint no longer matches and the check lapses.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import Field

from policypack.model.basics import CheckedBy, Date, Identifier, StrictModel, Text
from policypack.model.flow import Flow

RULE = "rule:"  # a rule's part id, beside its flow's step ids


class CheckEntry(StrictModel):
    flow: Identifier = Field(description="The flow's id, e.g. england-dsl-review.")
    step: Annotated[str, Field(pattern=r"^(rule:)?[a-z0-9][a-z0-9-]*$")] = Field(
        description="The step's id, or rule:ID for a rule, as review lists it."
    )
    source: Identifier = Field(description="The source that was read.")
    checked_on: Date
    by: CheckedBy
    edition: Text = Field(description="The edition of the source that was read.")
    place: Text = Field(description="Where in it the passage is: section, paragraph or heading.")
    text: Annotated[str, Field(pattern=r"^[0-9a-f]{8}$")] = Field(
        description="The fingerprint of the part's text that was checked, as review lists it."
    )


class ChecksFile(StrictModel):
    """The checks a trust or school recorded (`policy: {checks: checks.yaml}`)."""

    checks: list[CheckEntry] = Field(default_factory=list)


def part_text(flow: Flow, part: str) -> str | None:
    """The words of one part of the text: a step's title and text, or a rule's text."""
    if part.startswith(RULE):
        rule = next((r for r in flow.rules if r.id == part.removeprefix(RULE)), None)
        return rule.text if rule else None
    step = next((s for s in flow.steps if s.id == part), None)
    return f"{step.title}\n{step.text}" if step else None


def fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:8]
