"""Rules a pack states in several documents, and text that only some phases print.

A *rule* (no DSL reachable, what "unsure" leads to, telling families, devices, when the
police record a crime) is written once, in a flow, with its sources; the policy, the staff
card, the form, the leaflet and the posters print it from there, so they cannot disagree.
A step's text may include a rule as `{rule:id}`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from policypack.model.basics import CitationEntry, Identifier, Phases, StrictModel, Text

# Which of a school's contacts (an Agency, model/profile.py) a poster may print after a rule's words.
AgencyKey = Literal["childrens_social_care", "police"]


class PhaseText(StrictModel):
    """A sentence added to a step's text only in packs for some phases."""

    phases: Phases
    text: Text


class Rule(StrictModel):
    """One rule, stated the same way in every document that states it."""

    id: Identifier
    text: Text = Field(description="The rule in full, as the policy and the staff documents state it.")
    plain: str | None = Field(None, description="The same rule in words for parents and carers (the leaflet).")
    cites: Annotated[list[CitationEntry], Field(min_length=1)] = Field(description="Sources for the rule.")
    phases: Phases | None = Field(None, description="Only in packs for these phases.")
    poster: str | None = Field(
        None, description="The rule in a few words, printed on a school's posters of this flow after who to tell."
    )
    brief: str | None = Field(None, description="The rule in a few words for staff: the staff card's reminders.")
    call: AgencyKey | None = Field(
        None, description="The agency (of the school's contacts) whose numbers a school's posters print after `poster`."
    )


class RulePatch(StrictModel):
    """In a variant: replaces the given fields of the base rule with this id, adds one, or omits it."""

    id: Identifier
    text: Annotated[str, Field(min_length=1)] | None = None
    plain: str | None = None
    poster: str | None = None
    brief: str | None = None
    call: AgencyKey | None = None
    cites: list[CitationEntry] | None = None
    phases: Phases | None = None
    omit: bool = Field(False, description="Leave the inherited rule out of this variant (it does not apply here).")
