"""Check stage: the currency of sources and what belongs to one nation, each at its line.

A source can be replaced by a newer edition from a date; a dated watch item falls due;
and a step, source or term of one nation may not reach another nation's flow unchanged.
Pure functions: `today` is a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from policypack.errors import Problem, Severity, suggest
from policypack.load.flows import FlowSet, SourcesDoc
from policypack.load.located import Located
from policypack.load.profile import LoadedProfile
from policypack.model.flow import Flow, NationalTerm, SourceRegistry

_NATIONAL_HINT = "patch the step in this flow with this nation's wording and sources, or rename the source"
_SINGLE_NATIONS = {"england", "wales", "scotland", "northern ireland"}


def registry_date_problems(doc: SourcesDoc, today: dt.date) -> Iterator[Problem]:
    """Watch items that have fallen due, and successors that name no known source."""
    ids = [source.id for source in doc.model.sources]
    for index, item in enumerate(doc.model.watch):
        if item.due <= today:
            where = doc.locate("watch", index, "due")
            yield Problem(
                where, f"watch item '{item.id}' fell due on {item.due}: {item.title}", item.action, Severity.WARNING
            )
    for index, source in enumerate(doc.model.sources):
        if source.superseded and source.superseded.by not in ids:
            where = doc.locate("sources", index, "superseded", "by")
            yield Problem(
                where, f"'superseded' names unknown source '{source.superseded.by}'", suggest(source.superseded.by, ids)
            )


def citation_problems(doc: Located[Flow], registry: SourceRegistry, today: dt.date) -> Iterator[Problem]:
    """A citation is pending or verified, never both; citing a replaced source is a warning."""
    sources = {source.id: source for source in registry.sources}
    for index, step in enumerate(doc.model.steps):
        for c, citation in enumerate(step.cites):
            if citation.verified and citation.pending:
                yield Problem(
                    doc.locate("steps", index, "cites", c, "pending"),
                    f"citation of '{citation.source}' is marked both verified and pending",
                    "remove 'pending' once the passage has been read, or 'verified' if it has not",
                )
            source = sources.get(citation.source)
            if source and source.superseded and source.superseded.on <= today:
                yield Problem(
                    doc.locate("steps", index, "cites", c),
                    f"step '{step.id}' cites '{source.id}', which '{source.superseded.by}' replaced "
                    f"from {source.superseded.on}",
                    f"read '{source.superseded.by}' and cite it instead",
                    Severity.WARNING,
                )


def national_problems(doc: Located[Flow], registry: SourceRegistry) -> Iterator[Problem]:
    """Another nation's steps, sources and terms may not reach this flow unchanged.

    A step a variant inherits without patching it is reported at the variant's `extends`
    line, where it was taken over; a patched or own step at its own line.
    """
    nation = doc.model.nation
    sources = {source.id: source for source in registry.sources}
    for index, step in enumerate(doc.model.steps):
        inherited = doc.locate("steps", index, "id").file != doc.path
        where = doc.locate("extends") if inherited else doc.locate("steps", index, "id")
        how = f"inherits step '{step.id}' unchanged" if inherited else f"step '{step.id}'"
        if step.jurisdiction and not applies(step.jurisdiction, nation):
            yield Problem(where, f"{doc.model.id} {how}, which applies in {step.jurisdiction} only", _NATIONAL_HINT)
        for citation in step.cites:
            source = sources.get(citation.source)
            if source and not applies(source.jurisdiction, nation):
                message = f"{doc.model.id} {how}, citing '{source.id}', which applies in {source.jurisdiction} only"
                yield Problem(where, message, _NATIONAL_HINT)
        for term, instead in foreign_terms(f"{step.title} {step.text}", nation, registry):
            yield Problem(
                where,
                f"{doc.model.id} {how}, which says '{term.text}', a term of {term.jurisdiction} only",
                f"patch the step with this nation's wording{instead}",
            )


def foreign_terms(words: str, nation: str, registry: SourceRegistry) -> Iterator[tuple[NationalTerm, str]]:
    """The other nations' terms these words use, each with "; say '...'" naming this nation's word (or "")."""
    folded = words.casefold()
    for term in registry.national_terms:
        if not applies(term.jurisdiction, nation) and term.text.casefold() in folded:
            yield term, f"; say '{term.instead}'" if term.instead else ""


def applies(jurisdiction: str, nation: str) -> bool:
    """Whether something of `jurisdiction` (England, England and Wales, United Kingdom...) applies to `nation`."""
    where = jurisdiction.strip().casefold()
    return where not in _SINGLE_NATIONS or where == nation.casefold()


def superseded_at_adoption(school: LoadedProfile, flows: FlowSet) -> Iterator[Problem]:
    """A warning for each source the school's flows cite that was replaced by its adoption date."""
    adopted = school.model.policy.adopted
    nation = school.model.school.nation
    sources = flows.source_map()
    cited = {c.source for d in flows.flows if d.model.nation == nation for s in d.model.steps for c in s.cites}
    for source_id in sorted(cited):
        source = sources.get(source_id)
        if source and source.superseded and source.superseded.on <= adopted:
            yield Problem(
                school.locate("policy", "adopted"),
                f"the policy is adopted on {adopted}, but the flows cite '{source.id}', which "
                f"'{source.superseded.by}' replaced from {source.superseded.on}",
                "update the flows to the new edition, then rebuild the pack",
                Severity.WARNING,
            )
