"""The building blocks every model shares: strict models, ids, dates, phases and citations.

Kept apart from flow.py so that rules (model/rules.py) and flows can both use them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        max_length=60,
        description="Lower-case letters, digits and hyphens, e.g. tell-dsl.",
    ),
]
Text = Annotated[str, Field(min_length=1)]
StepKind = Literal["start", "action", "decision", "end"]
Nation = Literal["england", "wales"]


def _iso_date(value: object) -> object:
    """A date, or text in the form YYYY-MM-DD; never a number of seconds or a date with a time."""
    if isinstance(value, dt.datetime):
        raise ValueError("give a date such as 2026-09-01, without a time")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value[:40]}' is not a date in the form YYYY-MM-DD") from None
    if not isinstance(value, dt.date):
        raise ValueError("give a date such as 2026-09-01")
    return value


# A date may be written quoted ("2026-09-01", as `policypack init` writes it); nothing else
# becomes a date (a lax reading would take 1700000000 as seconds since 1970).
Date = Annotated[dt.date, BeforeValidator(_iso_date)]


class StrictModel(BaseModel):
    # strict: YAML already gives typed values, so nothing is coerced (`true` is not the number 1)
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True)


class Reading(StrictModel):
    """A maintainer's reading of the passage a citation rests on: when, by whom, and where."""

    on: Date = Field(description="The date the passage was read.")
    by: Text = Field(description="Who read it: a role is enough, e.g. maintainer (safeguarding).")
    edition: Text = Field(description="The edition or version of the text that was read.")
    place: Text = Field(description="The exact place: section, paragraph or heading.")
    url: Annotated[str, Field(pattern=r"^https://\S+$")] = Field(description="Where the text read was found.")


# A school's phase: what it changes in a pack (steps, rules, sentences, citations) is data.
Phase = Literal[
    "nursery",
    "primary",
    "middle",
    "secondary",
    "all-through",
    "special",
    "alternative-provision",
    "college",
    "sixth-form",
]
Phases = Annotated[
    list[Phase],
    Field(min_length=1, description="The school phases this applies to; leave out for every phase."),
]


class CheckedBy(StrictModel):
    role: Text = Field(description="The checker's role, e.g. Trust safeguarding lead.")
    name: Text = Field(description="The checker's name, as the review history prints it.")


class TrustCheck(StrictModel):
    """A trust's or school's record that someone who can read the source checked this claim."""

    checked_on: Date
    by: CheckedBy
    edition: Text = Field(description="The edition of the source that was read.")
    place: Text = Field(description="Where in it: section, paragraph or heading.")


class Citation(StrictModel):
    """A step's reference to a source in the registry, with its review state.

    A citation is *verified* when `verified` records who read the supporting passage,
    when and where; otherwise it is *pending*, and `pending` says what must be read.
    """

    source: Identifier = Field(description="The id of a source in sources.yaml.")
    section: str | None = Field(None, description="Section, paragraph or page, where known.")
    note: str | None = Field(None, description="What the step takes from the source.")
    verified: Reading | None = Field(None, description="The reading that confirmed the claim.")
    pending: str | None = Field(None, description="What a maintainer must read to confirm the claim.")
    phases: Phases | None = Field(None, description="Only in packs for these phases, e.g. [secondary, college].")
    checked: TrustCheck | None = Field(
        None, description="Set from a school's checks file when it loads; never written in a flow by hand."
    )

    @property
    def is_pending(self) -> bool:
        return self.verified is None and self.checked is None


def _citation_shorthand(value: Any) -> Any:
    """Allow `cites: [ukcis-2024]` as shorthand for `cites: [{source: ukcis-2024}]`."""
    return {"source": value} if isinstance(value, str) else value


CitationEntry = Annotated[Citation, BeforeValidator(_citation_shorthand, json_schema_input_type=Identifier | Citation)]
