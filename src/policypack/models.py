"""Typed models of the input files: flows and the sources registry.

Unknown keys are errors (`extra="forbid"`), text is stripped and may not be blank.
The JSON Schemas that editors use are generated from these classes.
"""

from __future__ import annotations

import calendar
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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Citation(_Model):
    """A step's reference to a source in the registry."""

    source: Identifier = Field(description="The id of a source in sources.yaml.")
    section: str | None = Field(None, description="Section, paragraph or page, where known.")
    note: str | None = Field(None, description="What the step takes from the source.")
    verify: bool = Field(
        False,
        description=(
            "True when the step rests on a fact not yet checked against the primary text; "
            "documents then print 'verify against the current edition'."
        ),
    )


def _citation_shorthand(value: Any) -> Any:
    """Allow `cites: [ukcis-2024]` as shorthand for `cites: [{source: ukcis-2024}]`."""
    return {"source": value} if isinstance(value, str) else value


CitationEntry = Annotated[Citation, BeforeValidator(_citation_shorthand, json_schema_input_type=Identifier | Citation)]


class Branch(_Model):
    label: Text = Field(description='The answer that takes this branch, e.g. "Yes".', max_length=40)
    to: Identifier = Field(description="The id of the step this answer leads to.")


class Step(_Model):
    id: Identifier
    kind: StepKind = Field(description="start | action | decision | end.")
    lane: Identifier = Field(description="Who acts: one of the flow's lanes.")
    title: Text = Field(description="Short imperative label for posters (about ten words).")
    text: Text = Field(description="The full wording for the policy's procedure.")
    cites: list[CitationEntry] = Field(
        default_factory=list, description="Sources for this step: ids, or {source, section, note, verify}."
    )
    next: Identifier | None = Field(None, description="start and action steps: the step that follows.")
    branches: list[Branch] = Field(default_factory=list, description="decision steps: the answers.")
    continues: Identifier | None = Field(
        None, description="end steps: the id of another flow that takes over from here."
    )


class Lane(_Model):
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


class ChangeEntry(_Model):
    """What changed in one edition of a flow, in words a school can act on."""

    edition: Text
    date: dt.date
    changes: Annotated[list[Text], Field(min_length=1)]


Changelog = Annotated[list[ChangeEntry], Field(description="One entry per edition, newest first.")]


class Flow(_Model):
    """One route through the guidance, drawn as one chart."""

    id: Identifier
    title: Text
    short_title: Annotated[str, Field(min_length=1, max_length=60)] | None = Field(
        None, description="Used where one chart points to another; defaults to the title."
    )
    nation: Nation
    edition: Text = Field(description="The guidance edition the flow follows, e.g. 2024-03.")
    reviewed: dt.date = Field(description="When a maintainer last checked the flow against its sources.")
    summary: str | None = Field(None, description="One or two sentences on what the flow covers.")
    terms: Terms = Field(default_factory=dict)
    changelog: Changelog = Field(default_factory=list)
    lanes: Lanes
    steps: list[Step]


class StepPatch(_Model):
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


class FlowVariant(_Model):
    """A flow written as the differences from another (e.g. Wales from England).

    Everything not given is inherited, so a shared step is written once.
    """

    id: Identifier
    extends: Identifier = Field(description="The id of the flow this one is based on.")
    title: Text
    short_title: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    nation: Nation
    edition: Text
    reviewed: dt.date
    summary: str | None = None
    terms: Terms = Field(default_factory=dict)
    renames: dict[Identifier, Identifier] = Field(
        default_factory=dict,
        description="Ids to swap in inherited steps: cited sources and continued flows (old: new).",
    )
    changelog: Changelog | None = Field(None, description="Replaces the base flow's changelog when given.")
    lanes: Lanes = Field(default_factory=dict)
    steps: list[StepPatch] = Field(default_factory=list)


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


class Source(_Model):
    id: Identifier
    short: Annotated[str, Field(min_length=1, max_length=40, description="Short name for citations, e.g. UKCIS 2024.")]
    title: Text
    publisher: Text
    edition: Text = Field(description="Edition, version or date of the text relied on.")
    url: Annotated[str, Field(pattern=r"^https://\S+$")]
    kind: SourceKind
    statutory: bool = Field(description="True for legislation and statutory guidance.")
    jurisdiction: Text
    check_by: dt.date = Field(description="Re-read the source against the flows by this date.")
    note: str | None = None


class SourceRegistry(_Model):
    sources: list[Source]


# --- The school profile ------------------------------------------------------------------

Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)]
Phone = Annotated[str, Field(pattern=r"^[0-9+() ]{3,25}$", description="Digits, spaces, + and brackets.")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
DocumentName = Literal["policy", "staff-card", "incident-form", "parent-leaflet", "posters"]
PosterSize = Literal["A4", "A3", "A2", "A1"]
Phase = Literal[
    "nursery", "primary", "middle", "secondary", "all-through", "special", "alternative-provision", "college"
]


class Contact(_Model):
    """Someone staff must be able to reach: both ways of contacting them are required."""

    name: ShortText
    phone: Phone
    email: Email


class Person(_Model):
    name: ShortText
    email: Email | None = None


class Agency(_Model):
    name: ShortText
    phone: Phone
    out_of_hours: Phone | None = None
    email: Email | None = None
    website: Annotated[str, Field(pattern=r"^https://\S+$")] | None = None
    notes: Annotated[str, Field(max_length=300)] | None = None


class School(_Model):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    nation: Nation
    phase: Phase
    address: ShortText
    website: Annotated[str, Field(pattern=r"^https://\S+$")] | None = None


class People(_Model):
    dsl: Contact = Field(description="The Designated Safeguarding Lead (Person, in Wales).")
    deputies: Annotated[list[Contact], Field(min_length=1, max_length=6)]
    headteacher: Person
    chair_of_governors: Person


class LocalContacts(_Model):
    childrens_social_care: Agency = Field(description="The local front door / MASH for referrals.")
    police: Agency
    lado: Agency | None = Field(None, description="Local authority designated officer (allegations about adults).")
    safeguarding_partnership: Agency | None = None


class PolicyDates(_Model):
    adopted: dt.date
    approved_by: ShortText
    last_reviewed: dt.date | None = Field(None, description="Defaults to the adoption date.")
    review_interval_months: Annotated[int, Field(ge=1, le=36)] = 12

    @property
    def reviewed(self) -> dt.date:
        return self.last_reviewed or self.adopted

    @property
    def next_review(self) -> dt.date:
        """The last review plus the interval (the 31st becomes the month's last day)."""
        months = self.reviewed.month - 1 + self.review_interval_months
        year, month = self.reviewed.year + months // 12, months % 12 + 1
        return dt.date(year, month, min(self.reviewed.day, calendar.monthrange(year, month)[1]))


class PosterSpec(_Model):
    chart: Identifier = Field(description="The chart, without the nation: staff-response, dsl-review, ...")
    size: PosterSize
    landscape: bool | None = Field(None, description="Leave out to use the orientation that prints larger text.")


DEFAULT_POSTERS = [
    PosterSpec(chart="staff-response", size="A4"),
    PosterSpec(chart="dsl-review", size="A2"),
    PosterSpec(chart="dsl-response", size="A2"),
    PosterSpec(chart="police-records", size="A2"),
]


ALL_DOCUMENTS: list[DocumentName] = ["policy", "staff-card", "incident-form", "parent-leaflet", "posters"]


class Outputs(_Model):
    documents: list[DocumentName] = Field(default_factory=lambda: list(ALL_DOCUMENTS))
    posters: list[PosterSpec] = Field(default_factory=lambda: list(DEFAULT_POSTERS))
    print_marks: bool = Field(False, description="Posters with 3 mm bleed and crop marks for a print shop.")


class Profile(_Model):
    """One school's answers, filled in once by the DSL and used in every document."""

    extends: str | None = Field(
        None, description="The path of a shared (trust) profile whose values this school inherits."
    )
    school: School
    people: People
    contacts: LocalContacts
    policy: PolicyDates
    outputs: Outputs = Field(default_factory=Outputs)
    brand: dict[str, Any] | str | None = Field(
        None, description="A brand.yml mapping (meta, logo, color, typography), or the path of a _brand.yml file."
    )
    templates: str | None = Field(None, description="A folder of templates that override the bundled ones.")


SCHEMAS: dict[str, list[type[BaseModel]]] = {
    "flow": [Flow, FlowVariant],
    "sources": [SourceRegistry],
    "profile": [Profile],
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for one kind of input file."""
    from pydantic.json_schema import models_json_schema

    models = SCHEMAS[name]
    if name == "profile":
        schema = _profile_schema()
    elif len(models) == 1:
        schema = models[0].model_json_schema()
    else:
        _, defs = models_json_schema([(m, "validation") for m in models], ref_template="#/$defs/{model}")
        schema = {**defs, "oneOf": [{"$ref": f"#/$defs/{m.__name__}"} for m in models]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _profile_schema() -> dict[str, Any]:
    """The profile's schema, with `brand` checked against brand.yml's own schema."""
    from brand_yml import Brand
    from pydantic.json_schema import models_json_schema

    _, defs = models_json_schema([(Profile, "validation"), (Brand, "validation")], ref_template="#/$defs/{model}")
    schema: dict[str, Any] = {**defs, "$ref": "#/$defs/Profile"}
    brand = {"anyOf": [{"$ref": "#/$defs/Brand"}, {"type": "string"}, {"type": "null"}], "default": None}
    schema["$defs"]["Profile"]["properties"]["brand"] = {**schema["$defs"]["Profile"]["properties"]["brand"], **brand}
    # brand_yml accepts `medium: crest` (the name of an entry in logo.images), as the brand.yml
    # format does, but its generated schema does not say so: widen it to match the package.
    for size in ("small", "medium", "large"):
        prop = schema["$defs"]["BrandLogo"]["properties"][size]
        schema["$defs"]["BrandLogo"]["properties"][size] = {"anyOf": [prop, {"type": "string"}]}
    return schema
