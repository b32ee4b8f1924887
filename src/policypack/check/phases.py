"""Check stage: what is limited to phases, and the rules every document states.

Only an action step can be left out of a phase's pack (whatever led to it then goes on to
its `next`), so a start, a decision or an end limited to phases is an error. A rule is
checked like a step: its sources exist and belong to the flow's nation, and it says no
other nation's words. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterator

from policypack.check.nations import applies, foreign_terms
from policypack.errors import Problem, suggest
from policypack.load.located import Located
from policypack.model.flow import Flow, SourceRegistry


def phase_problems(doc: Located[Flow]) -> Iterator[Problem]:
    for index, step in enumerate(doc.model.steps):
        if step.phases is not None and step.kind != "action":
            yield Problem(
                doc.locate("steps", index, "phases"),
                f"only an action step can be limited to phases; '{step.id}' is a {step.kind}",
                "limit a sentence instead, with `more: [{phases: [...], text: ...}]`",
            )


def rule_problems(doc: Located[Flow], registry: SourceRegistry | None) -> Iterator[Problem]:
    ids = [rule.id for rule in doc.model.rules]
    for index, rule in enumerate(doc.model.rules):
        if rule.id in ids[:index]:
            yield Problem(doc.locate("rules", index, "id"), f"duplicate rule id '{rule.id}'")
    if registry is None:
        return
    sources = {source.id: source for source in registry.sources}
    nation = doc.model.nation
    for index, rule in enumerate(doc.model.rules):
        inherited = doc.locate("rules", index, "id").file != doc.path
        where = doc.locate("extends") if inherited else doc.locate("rules", index, "id")
        for c, citation in enumerate(rule.cites):
            source = sources.get(citation.source)
            if source is None:
                hint = suggest(citation.source, sources)
                yield Problem(doc.locate("rules", index, "cites", c), f"unknown source '{citation.source}'", hint)
            elif not applies(source.jurisdiction, nation):
                message = f"rule '{rule.id}' cites '{source.id}', which applies in {source.jurisdiction} only"
                yield Problem(where, message, "patch or omit the rule in this nation's flow")
        for term, instead in foreign_terms(f"{rule.text} {rule.plain or ''}", nation, registry):
            yield Problem(
                where,
                f"rule '{rule.id}' says '{term.text}', a term of {term.jurisdiction} only",
                f"patch the rule with this nation's wording{instead}",
            )
