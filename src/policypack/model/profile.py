"""Typed model of a school profile: the answers a DSL fills in once."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from policypack.model.basics import Date, Identifier, Nation, Phase, StrictModel
from policypack.model.contacts import check_email, check_phone, check_website
from policypack.model.strings import DEFAULT_LANGUAGE, LANGUAGE_TAG

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # for editors (JSON Schema); check_email decides


Email = Annotated[str, Field(max_length=200, json_schema_extra={"pattern": EMAIL.pattern}), AfterValidator(check_email)]
Phone = Annotated[
    str,
    Field(
        max_length=40, description="e.g. 01632 960 101 or 029 2000 1234 ext 22", json_schema_extra={"format": "phone"}
    ),
    AfterValidator(check_phone),
]
WebAddress = Annotated[
    str, Field(max_length=300, json_schema_extra={"pattern": r"^https://\S+$"}), AfterValidator(check_website)
]
SINGLE_LINE = r"^[^\r\n]*$"  # a name or address prints on one line: no line breaks hidden in it
ShortText = Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)]
DocumentName = Literal["policy", "staff-card", "incident-form", "parent-leaflet", "posters"]
Format = Literal["pdf", "docx", "html"]
PosterSize = Literal["A4", "A3", "A2", "A1"]


class Contact(StrictModel):
    """Someone staff must be able to reach: both ways of contacting them are required."""

    name: ShortText
    phone: Phone
    email: Email


class Person(StrictModel):
    name: ShortText
    email: Email | None = None


class Agency(StrictModel):
    name: ShortText
    phone: Phone
    out_of_hours: Phone | None = None
    email: Email | None = None
    website: WebAddress | None = None
    notes: Annotated[str, Field(max_length=300)] | None = None


class School(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=120, pattern=SINGLE_LINE)]
    nation: Nation
    phase: Phase
    address: ShortText
    website: WebAddress | None = None


class People(StrictModel):
    dsl: Contact = Field(description="The Designated Safeguarding Lead (Person, in Wales).")
    deputies: Annotated[list[Contact], Field(min_length=1, max_length=6)]
    headteacher: Person
    chair_of_governors: Person

    def tell_words(self, lead: str) -> tuple[int, ...]:
        """The lengths of a poster's "tell at once" line's unbreakable parts (poster.html.j2): its
        words, and each person with their phone, which never wrap; the lead and up to three deputies."""
        parts = ["Tell", "at", "once:", f"{self.dsl.name} ({lead}) {self.dsl.phone}", "·", "deputies:"]
        parts += [f"{p.name} {p.phone}," for p in self.deputies[:3]]
        parts += ["or", "another", "on", "the", "staff", "card"] if len(self.deputies) > 3 else []
        parts += ["·", "999 if a child is in immediate danger"]  # kept whole: a line never ends at "999 if"
        return tuple(len(part) for part in parts)


class LocalContacts(StrictModel):
    childrens_social_care: Agency = Field(description="The local front door / MASH for referrals.")
    police: Agency
    lado: Agency | None = Field(None, description="Local authority designated officer (allegations about adults).")
    safeguarding_partnership: Agency | None = None


class ReviewEntry(StrictModel):
    """One line of the policy's review history, printed on its cover."""

    date: dt.date
    change: ShortText = Field(description="What was reviewed or changed, in a few words.")
    by: ShortText | None = Field(None, description="Who reviewed or approved it.")
    kind: Literal["review", "contacts"] = Field(
        "review",
        description="review: the text was reviewed or changed and approved again (a new edition); "
        "contacts: only names, phone numbers or addresses changed (no re-approval, same edition).",
    )


class PolicyDates(StrictModel):
    adopted: Date
    approved_by: ShortText
    last_reviewed: Date | None = Field(None, description="Defaults to the adoption date.")
    review_interval_months: Annotated[int, Field(ge=1, le=36)] = 12
    approved_version: Annotated[str, Field(pattern=r"^[0-9a-f]{8}$")] | None = Field(
        None,
        description="The version printed on the cover of the text the governors approved; "
        "a rebuilt pack whose text differs says that it needs re-approval.",
    )
    history: list[ReviewEntry] = Field(default_factory=list, description="Earlier reviews, oldest first.")
    checks: Annotated[str, Field(min_length=1, max_length=300)] | None = Field(
        None,
        description="A checks file beside the profile (or the trust profile that names it): the parts of the "
        "text a trust's or school's safeguarding lead checked against the sources.",
    )

    @property
    def reviewed(self) -> dt.date:
        return self.last_reviewed or self.adopted

    @property
    def next_review(self) -> dt.date:
        """The last review plus the interval (the 31st becomes the month's last day)."""
        months = self.reviewed.month - 1 + self.review_interval_months
        year, month = self.reviewed.year + months // 12, months % 12 + 1
        return dt.date(year, month, min(self.reviewed.day, calendar.monthrange(year, month)[1]))


class PosterSpec(StrictModel):
    chart: Identifier = Field(description="The chart, without the nation: staff-response, dsl-review, ...")
    size: PosterSize
    landscape: bool | None = Field(None, description="Leave out to use the orientation that prints larger text.")


# The charts of a nation's procedure, in the order the policy presents them.
PROCEDURE_CHARTS = ("staff-response", "dsl-review", "dsl-response", "police-records")
DEFAULT_POSTERS = [
    PosterSpec(chart="staff-response", size="A4"),
    PosterSpec(chart="dsl-review", size="A2"),
    PosterSpec(chart="dsl-response", size="A2"),
    PosterSpec(chart="police-records", size="A2"),
]


DEFAULT_FORMATS: list[Format] = ["pdf"]
ALL_DOCUMENTS: list[DocumentName] = ["policy", "staff-card", "incident-form", "parent-leaflet", "posters"]


class Outputs(StrictModel):
    documents: list[DocumentName] = Field(default_factory=lambda: list(ALL_DOCUMENTS))
    posters: list[PosterSpec] = Field(default_factory=lambda: list(DEFAULT_POSTERS))
    print_marks: bool = Field(False, description="Posters with 3 mm bleed and crop marks for a print shop.")
    chart_paper: Literal["A4", "A3"] = Field(
        "A4", description="Paper for the policy's chart pages: A4 (an office printer) or A3 (larger charts)."
    )
    formats: Annotated[list[Format], Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_FORMATS),
        description="pdf: every document; docx: an editable Word copy of the policy, staff card and parent "
        "leaflet; html: the policy as one accessible web page: policy.html to upload as it is once the "
        "governors approved the text and nothing awaits checking, else policy-preview.html.",
    )
    word_template: Annotated[str, Field(min_length=1, max_length=300)] | None = Field(
        None,
        description="The school's letterhead as a Word .docx beside the profile: the Word copies use its "
        "styles, page set-up, header and footer.",
    )


class Profile(StrictModel):
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
    language: Annotated[str, Field(pattern=LANGUAGE_TAG)] = Field(
        DEFAULT_LANGUAGE,
        description="The documents' language, as a tag such as en-GB: the words outside the templates come "
        "from templates/strings/<language>.yaml.",
    )
