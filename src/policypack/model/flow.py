"""Typed models of flows and the sources registry: what the data is, no I/O.

Unknown keys are errors (`extra="forbid"`), text is stripped and may not be blank.
The JSON Schemas that editors use are generated from these classes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from policypack.model.basics import (
    Citation,
    CitationEntry,
    Date,
    Identifier,
    Nation,
    Phase,
    Phases,
    Reading,
    StepKind,
    StrictModel,
    Text,
)
from policypack.model.rules import PhaseText, Rule, RulePatch

__all__ = ["Citation", "Date", "Identifier", "Nation", "Phase", "Phases", "Reading", "StepKind", "StrictModel", "Text"]


def flow_id(nation: str, chart: str) -> str:
    """A nation's flow for a chart name: ("wales", "dsl-review") -> "wales-dsl-review"."""
    return f"{nation}-{chart}"


def chart_name(flow: str) -> str:
    """A flow id without its nation, as a profile's posters name it: "wales-dsl-review" -> "dsl-review"."""
    return flow.split("-", 1)[1] if "-" in flow else flow


class Branch(StrictModel):
    label: Text = Field(description='The answer that takes this branch, e.g. "Yes".', max_length=40)
    to: Identifier = Field(description="The id of the step this answer leads to.")
    phases: Phases | None = Field(None, description="Only in packs for these phases, e.g. [primary, nursery].")


class Step(StrictModel):
    id: Identifier
    kind: StepKind = Field(description="start | action | decision | end.")
    lane: Identifier = Field(description="Who acts: one of the flow's lanes.")
    title: Text = Field(description="Short imperative label for posters (about ten words).")
    text: Text = Field(description="The full wording for the policy's procedure.")
    cites: list[CitationEntry] = Field(
        default_factory=list, description="Sources for this step: ids, or {source, section, note, verified, pending}."
    )
    next: Identifier | None = Field(None, description="start and action steps: the step that follows.")
    branches: list[Branch] = Field(default_factory=list, description="decision steps: the answers.")
    continues: Identifier | None = Field(
        None, description="end steps: the id of another flow that takes over from here."
    )
    jurisdiction: str | None = Field(
        None, description="Where the step applies when narrower than the flow's nation set, e.g. England."
    )
    criterion: Annotated[int, Field(ge=1, le=5)] | None = Field(
        None, description="decision steps: which of the five immediate-referral criteria (1-5) this asks."
    )
    phases: Phases | None = Field(
        None, description="action steps: only in packs for these phases; elsewhere the route skips to `next`."
    )
    more: list[PhaseText] = Field(default_factory=list, description="Sentences added to the text for some phases.")


class Lane(StrictModel):
    """Who acts. `short` is the tag printed in each chart box; it defaults to the name."""

    name: Text
    short: Annotated[str, Field(min_length=1, max_length=24)] | None = None

    @property
    def tag(self) -> str:
        return self.short or self.name


def _lane_shorthand(value: Any) -> Any:
    """Allow `staff: All staff` as shorthand for `staff: {name: All staff}`."""
    return {"name": value} if isinstance(value, str) else value


LaneEntry = Annotated[Lane, BeforeValidator(_lane_shorthand, json_schema_input_type=str | Lane)]
Lanes = Annotated[
    dict[Identifier, LaneEntry],
    Field(description="Who acts: lane id -> name, or {name, short}; in drawing order."),
]

TermName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Terms = Annotated[
    dict[TermName, Text],
    Field(description="Words that differ between variants, used in text as {name}, e.g. lead: DSL."),
]
PhaseTerms = Annotated[
    dict[Phase, Terms],
    Field(
        description="Terms a pack for one phase prints instead of the flow's own, e.g. "
        "college: {pupils: students, school: college}. Each must be a term of the flow."
    ),
]


class ChangeEntry(StrictModel):
    """What changed in one edition of a flow, in words a school can act on."""

    edition: Text
    date: Date
    changes: Annotated[list[Text], Field(min_length=1)]


Changelog = Annotated[list[ChangeEntry], Field(description="One entry per edition, newest first.")]


class Flow(StrictModel):
    """One route through the guidance, drawn as one chart."""

    id: Identifier
    title: Text
    short_title: Annotated[str, Field(min_length=1, max_length=60)] | None = Field(
        None, description="Used where one chart points to another; defaults to the title."
    )
    nation: Nation
    edition: Text = Field(description="The guidance edition the flow follows, e.g. 2024-03.")
    reviewed: Date = Field(description="When a maintainer last checked the flow against its sources.")
    summary: str | None = Field(None, description="One or two sentences on what the flow covers.")
    terms: Terms = Field(default_factory=dict)
    phase_terms: PhaseTerms = Field(default_factory=dict)
    changelog: Changelog = Field(default_factory=list)
    lanes: Lanes
    steps: list[Step]
    rules: list[Rule] = Field(default_factory=list, description="Rules that several documents state, written once.")


class StepPatch(StrictModel):
    """In a variant: replaces the given fields of the base step with this id, or adds a step."""

    id: Identifier
    kind: StepKind | None = None
    lane: Identifier | None = None
    title: Annotated[str, Field(min_length=1)] | None = None
    text: Annotated[str, Field(min_length=1)] | None = None
    cites: list[CitationEntry] | None = None
    next: Identifier | None = None
    branches: list[Branch] | None = None
    continues: Identifier | None = None
    jurisdiction: str | None = None
    criterion: Annotated[int, Field(ge=1, le=5)] | None = None
    phases: Phases | None = None
    more: list[PhaseText] | None = None


class FlowVariant(StrictModel):
    """A flow written as the differences from another (e.g. Wales from England).

    Everything not given is inherited, so a shared step is written once.
    """

    id: Identifier
    extends: Identifier = Field(description="The id of the flow this one is based on.")
    title: Text
    short_title: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    nation: Nation
    edition: Text
    reviewed: Date
    summary: str | None = None
    terms: Terms = Field(default_factory=dict)
    phase_terms: PhaseTerms = Field(
        default_factory=dict, description="Merged, phase by phase, over the base flow's phase terms."
    )
    renames: dict[Identifier, Identifier] = Field(
        default_factory=dict,
        description="Ids to swap in inherited steps: cited sources and continued flows (old: new).",
    )
    changelog: Changelog | None = Field(None, description="Replaces the base flow's changelog when given.")
    lanes: Lanes = Field(default_factory=dict)
    steps: list[StepPatch] = Field(default_factory=list)
    rules: list[RulePatch] = Field(default_factory=list, description="Rules patched, added or omitted by id.")


SourceKind = Literal[
    "legislation",
    "statutory-guidance",
    "guidance",
    "police-guidance",
    "prosecution-guidance",
    "case-law",
    "service",
    "report",
]


class Successor(StrictModel):
    """The edition that replaces a source, and from when."""

    by: Identifier = Field(description="The id of the source that replaces this one.")
    on: Date = Field(description="The date from which the successor applies.")


class Source(StrictModel):
    id: Identifier
    short: Annotated[str, Field(min_length=1, max_length=40, description="Short name for citations, e.g. UKCIS 2024.")]
    title: Text
    publisher: Text
    edition: Text = Field(description="Edition, version or date of the text relied on.")
    url: Annotated[str, Field(pattern=r"^https://\S+$")]
    kind: SourceKind
    statutory: bool = Field(description="True for legislation and statutory guidance.")
    jurisdiction: Text = Field(description="Where it applies: England, Wales, England and Wales, United Kingdom.")
    check_by: Date = Field(description="Re-read the source against the flows by this date.")
    superseded: Successor | None = Field(None, description="The source that replaces this one, and from when.")
    note: str | None = Field(None, description="For maintainers only; never printed in a school's documents.")

    @property
    def england_only(self) -> bool:
        return self.jurisdiction.strip().casefold() == "england"


class NationalTerm(StrictModel):
    """A word or reference that belongs to one nation's system, such as LADO in England."""

    text: Text = Field(description="The words, matched case-insensitively in step titles and text.")
    jurisdiction: Text = Field(description="The only nation it applies to, e.g. England.")
    instead: str | None = Field(None, description="What another nation's flow should say instead.")


class WatchItem(StrictModel):
    """A coming change (a bill, a new edition) that a maintainer must act on by a date."""

    id: Identifier
    title: Text
    due: Date = Field(description="When to look again; validate warns once it has passed.")
    action: Text = Field(description="What to read and what to change when it happens.")
    jurisdiction: Text
    notice: str | None = Field(
        None, description="Once due and not yet acted on: what a school's policy says, in its words."
    )


class SourceRegistry(StrictModel):
    sources: list[Source]
    national_terms: list[NationalTerm] = Field(
        default_factory=list, description="Words that belong to one nation; other nations' flows may not use them."
    )
    watch: list[WatchItem] = Field(default_factory=list, description="Dated watch items for maintainers.")
