"""Rules in variants and in step text: inherited, patched or omitted by id, then quoted.

A variant inherits its base's rules as it inherits steps; a renamed source in a rule's
citation is pending again, as in a step. A step's text says `{rule:id}` to state a rule
of its own flow in the rule's one wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import ValidationError

from policypack.errors import Problem
from policypack.load.problems import validation_problems
from policypack.load.yamlsource import Positions
from policypack.model.basics import Citation
from policypack.model.flow import Flow, Step
from policypack.model.rules import Rule, RulePatch

RULE_REF = re.compile(r"\{rule:([a-z0-9][a-z0-9-]*)\}")


def inherit_rules(
    base: list[Rule], patches: list[RulePatch], renames: dict[str, str], positions: Positions
) -> tuple[list[Rule], list[Problem]]:
    """The base's rules with the variant's renames and patches applied, in the base's order."""
    rules = {rule.id: _renamed(rule, renames) for rule in base}
    problems: list[Problem] = []
    for index, patch in enumerate(patches):
        if patch.omit:
            rules.pop(patch.id, None)
            continue
        given = patch.model_dump(exclude_unset=True, exclude={"omit"})
        current = rules[patch.id].model_dump(exclude_defaults=True) if patch.id in rules else {}
        try:
            rules[patch.id] = Rule.model_validate({**current, **given})
        except ValidationError as exc:
            problems += validation_problems(exc, positions, Rule, prefix=("rules", index))
    return list(rules.values()), problems


def _renamed(rule: Rule, renames: dict[str, str]) -> Rule:
    return rule.model_copy(update={"cites": [renamed_citation(c, renames) for c in rule.cites]})


def renamed_citation(citation: Citation, renames: dict[str, str]) -> Citation:
    """A citation whose source a variant swaps (England's advice for Wales's). It is pending
    again, since a passage read in one source says nothing about another; what to read
    carries over as the point the base flow takes from its own source, and where that was read."""
    if citation.source not in renames:
        return citation
    if citation.pending:
        point = citation.pending.removeprefix("read ")
    elif citation.verified:
        where = citation.verified.place
        point = f"{citation.note} (read in {where})" if citation.note else f"what it says in {where}"
    else:
        point = citation.note or ""
    pending = f"read the passage that makes the point the base flow takes from {citation.source}: {point}"
    update = {"source": renames[citation.source], "verified": None, "pending": pending if point else None}
    return citation.model_copy(update=update)


def expand_rules(flow: Flow, expand: Callable[..., str], unknown: Callable[[str, tuple[str | int, ...]], None]) -> Flow:
    """Terms replaced in each rule, then `{rule:id}` in step text replaced by that rule's text."""
    rules = [
        rule.model_copy(
            update={
                "text": expand(rule.text, "rules", i, "text"),
                "plain": expand(rule.plain, "rules", i, "plain") if rule.plain else None,
                "poster": expand(rule.poster, "rules", i, "poster") if rule.poster else None,
                "brief": expand(rule.brief, "rules", i, "brief") if rule.brief else None,
            }
        )
        for i, rule in enumerate(flow.rules)
    ]
    texts = {rule.id: rule.text for rule in rules}

    def quote(text: str, *keys: str | int) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(1) in texts:
                return texts[match.group(1)]
            unknown(match.group(1), keys)
            return match.group(0)

        return RULE_REF.sub(replace, text)

    by_id = {rule.id: rule for rule in rules}

    def cites_with_rules(step: Step) -> list[Citation]:
        """A step that quotes a rule rests on the rule's sources too."""
        quoted = [by_id[m.group(1)] for m in RULE_REF.finditer(step.text) if m.group(1) in by_id]
        return list({_key(c): c for c in [*step.cites, *(c for r in quoted for c in r.cites)]}.values())

    steps = [
        step.model_copy(
            update={
                "cites": cites_with_rules(step),
                "text": quote(step.text, "steps", i, "text"),
                "more": [
                    m.model_copy(update={"text": quote(expand(m.text, "steps", i, "more", j, "text"))})
                    for j, m in enumerate(step.more)
                ],
            }
        )
        for i, step in enumerate(flow.steps)
    ]
    return flow.model_copy(update={"rules": rules, "steps": steps})


def _key(citation: Citation) -> tuple[str, str | None, str | None]:
    return (citation.source, citation.note, citation.pending)
