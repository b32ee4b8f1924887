"""Resolve flow variants and terms into plain flows (the last part of loading).

A variant (`extends: england-dsl-review`) inherits every step of its base and states
only what differs, so a step shared by England and Wales is written once. Terms such
as `{lead}` are then replaced in every text, so Wales says DSP where England says DSL.
Each resolved step remembers where it was written, so problems point at that line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from policypack.errors import Problem, suggest
from policypack.load.located import Located
from policypack.load.problems import validation_problems
from policypack.load.rules import expand_rules, inherit_rules, renamed_citation
from policypack.load.yamlsource import Positions
from policypack.model.flow import Flow, FlowVariant, Phase, Step, StepPatch

TERM = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class StepSite:
    """Where a resolved step was written: a file's positions and its index there."""

    positions: Positions
    index: int


RawFlow = Located[Flow | FlowVariant]  # a flow file as validated, before variants and terms


def located_steps(top: Positions, sites: Sequence[StepSite]) -> Positions:
    """`top`'s positions, with each resolved step's keys pointing where that step was written."""
    marks = {key: mark for key, mark in top.marks.items() if not (len(key) > 1 and key[0] == "steps")}
    files = {key: file for key, file in top.files.items() if key in marks}
    for number, site in enumerate(sites):
        for key, mark in site.positions.marks.items():
            if key[:2] == ("steps", site.index):
                moved = ("steps", number, *key[2:])
                marks[moved] = mark
                files[moved] = site.positions.files.get(key, site.positions.file)
    return Positions(top.file, marks, files)


@dataclass
class _Resolver:
    raw: dict[str, RawFlow]
    done: dict[str, Located[Flow]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def resolve(self, flow_id: str, chain: tuple[str, ...] = ()) -> Located[Flow] | None:
        if flow_id in self.done:
            return self.done[flow_id]
        raw = self.raw[flow_id]
        model = raw.model
        doc = raw.replace(model) if isinstance(model, Flow) else self._derive(raw, model, (*chain, flow_id))
        if doc:
            self.done[flow_id] = doc
        return doc

    def _derive(self, raw: RawFlow, variant: FlowVariant, chain: tuple[str, ...]) -> Located[Flow] | None:
        where = raw.positions.locate(("extends",))
        if variant.extends in chain:
            loop = " → ".join([*chain, variant.extends])
            self.problems.append(Problem(where, f"flows extend each other in a loop: {loop}"))
            return None
        if variant.extends not in self.raw:
            self.problems.append(Problem(where, f"'extends' names unknown flow '{variant.extends}'"))
            return None
        base = self.resolve(variant.extends, chain)
        if base is None:
            return None
        try:
            return apply_variant(base, raw, variant)
        except _PatchProblems as exc:
            self.problems += exc.problems
            return None


class _PatchProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("invalid step patches")
        self.problems = problems


def resolve_flows(raw_flows: list[RawFlow], phase: Phase | None = None) -> tuple[list[Located[Flow]], list[Problem]]:
    """Plain flows for every raw flow that resolves, with terms replaced (a phase's own
    terms where the flow gives them, e.g. "students" in a college's pack), plus problems."""
    by_id: dict[str, RawFlow] = {}
    for raw in raw_flows:
        by_id.setdefault(raw.model.id, raw)  # duplicate ids are reported by the checks
    resolver = _Resolver(by_id)
    docs: list[Located[Flow]] = []
    for raw in raw_flows:
        doc = resolver.resolve(raw.model.id) if by_id[raw.model.id] is raw else _plain_or_none(raw)
        if doc:
            expanded, problems = expand_terms(doc, phase)
            docs.append(expanded)
            resolver.problems += problems
    return docs, resolver.problems


def _plain_or_none(raw: RawFlow) -> Located[Flow] | None:
    return raw.replace(raw.model) if isinstance(raw.model, Flow) else None


def apply_variant(base: Located[Flow], raw: RawFlow, variant: FlowVariant) -> Located[Flow]:
    """The base flow with the variant's fields, renames and step patches applied."""
    renames = variant.renames
    steps = [_renamed(step, renames) for step in base.model.steps]
    sites = [StepSite(base.positions, index) for index in range(len(steps))]
    index_of = {step.id: index for index, step in enumerate(steps)}
    problems: list[Problem] = []
    for patch_index, patch in enumerate(variant.steps):
        site = StepSite(raw.positions, patch_index)
        if patch.id in index_of:
            position = index_of[patch.id]
            patched = _patched_step(steps[position], patch, raw.positions, patch_index, problems)
            if patched:
                steps[position] = patched
                sites[position] = site
        else:
            added = _patched_step(None, patch, raw.positions, patch_index, problems)
            if added:
                index_of[added.id] = len(steps)
                steps.append(added)
                sites.append(site)
    rules, rule_problems = inherit_rules(base.model.rules, variant.rules, renames, raw.positions)
    problems += rule_problems
    if problems:
        raise _PatchProblems(problems)
    flow = Flow(
        id=variant.id,
        title=variant.title,
        short_title=variant.short_title if variant.short_title is not None else base.model.short_title,
        nation=variant.nation,
        edition=variant.edition,
        reviewed=variant.reviewed,
        summary=variant.summary if variant.summary is not None else base.model.summary,
        terms={**base.model.terms, **variant.terms},
        phase_terms={
            phase: {**base.model.phase_terms.get(phase, {}), **variant.phase_terms.get(phase, {})}
            for phase in {**base.model.phase_terms, **variant.phase_terms}
        },
        changelog=variant.changelog if variant.changelog is not None else base.model.changelog,
        lanes={**base.model.lanes, **variant.lanes},
        steps=steps,
        rules=rules,
    )
    return Located(flow, raw.path, located_steps(raw.positions, sites))


def _renamed(step: Step, renames: dict[str, str]) -> Step:
    """Swap ids in an inherited step. A renamed citation is pending again (see `renamed_citation`)."""
    if not renames:
        return step
    cites = [renamed_citation(c, renames) for c in step.cites]
    continues = renames.get(step.continues, step.continues) if step.continues else None
    return step.model_copy(update={"cites": cites, "continues": continues})


def _patched_step(
    step: Step | None, patch: StepPatch, positions: Positions, index: int, problems: list[Problem]
) -> Step | None:
    """The base step with the fields the patch gives, validated again as a whole step.

    With no base step (a new id), the patch adds a step and must then be complete.
    """
    base = step.model_dump(exclude_defaults=True) if step else {}
    try:
        return Step.model_validate({**base, **patch.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        problems += validation_problems(exc, positions, Step, prefix=("steps", index))
        return None


def expand_terms(doc: Located[Flow], phase: Phase | None = None) -> tuple[Located[Flow], list[Problem]]:
    """Replace {term} in every text of a flow, with the phase's own terms where it has them;
    unknown terms are problems at their line. The flow keeps the terms it was printed with."""
    known = _known(doc.model.terms)
    problems: list[Problem] = [
        Problem(doc.locate("phase_terms", for_phase, name), f"'{name}' is not a term of this flow", known)
        for for_phase, overrides in doc.model.phase_terms.items()
        for name in overrides
        if name not in doc.model.terms and ("phase_terms", for_phase, name) in doc.positions.marks  # its own file's
    ]
    terms = {**doc.model.terms, **doc.model.phase_terms.get(phase, {})} if phase else doc.model.terms

    def expand(text: str, *keys: str | int) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in terms:
                return terms[name]
            problems.append(Problem(doc.locate(*keys), f"unknown term '{{{name}}}'", _known(terms)))
            return match.group(0)

        return TERM.sub(replace, text)

    flow = doc.model
    steps = [
        step.model_copy(
            update={
                "title": expand(step.title, "steps", i, "title"),
                "text": expand(step.text, "steps", i, "text"),
                "branches": [
                    b.model_copy(update={"label": expand(b.label, "steps", i, "branches", j, "label")})
                    for j, b in enumerate(step.branches)
                ],
            }
        )
        for i, step in enumerate(flow.steps)
    ]
    lanes = {
        lane_id: lane.model_copy(
            update={
                "name": expand(lane.name, "lanes", lane_id),
                "short": expand(lane.short, "lanes", lane_id) if lane.short else None,
            }
        )
        for lane_id, lane in flow.lanes.items()
    }
    update: dict[str, Any] = {"title": expand(flow.title, "title"), "lanes": lanes, "steps": steps, "terms": terms}
    if flow.short_title:
        update["short_title"] = expand(flow.short_title, "short_title")
    if flow.summary:
        update["summary"] = expand(flow.summary, "summary")

    def unknown(rule_id: str, keys: tuple[str | int, ...]) -> None:
        ids = [rule.id for rule in flow.rules]
        problems.append(Problem(doc.locate(*keys), f"unknown rule '{{rule:{rule_id}}}'", suggest(rule_id, ids)))

    with_terms = flow.model_copy(update=update)
    resolved = doc.replace(expand_rules(with_terms, expand, unknown))
    return resolved, problems


def _known(terms: dict[str, str]) -> str:
    return "terms defined: " + (", ".join(f"{{{name}}}" for name in terms) if terms else "none")
