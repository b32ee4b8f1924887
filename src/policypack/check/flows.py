"""Check stage: what must hold for a flow to be printed, each failure at its line.

Schema errors (wrong types, unknown keys) are found while loading; this module checks
meaning: ids, references, the shape of the route, citations and poster-sized titles.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from policypack.check.nations import citation_problems, national_problems, registry_date_problems
from policypack.check.phases import phase_problems, rule_problems
from policypack.errors import Location, Problem, Severity, sorted_problems, suggest
from policypack.load.flows import SOURCES_FILE, FlowSet, SourcesDoc
from policypack.load.located import Located
from policypack.model.flow import Flow, Step
from policypack.model.route import loops_without_exit, reachable

TITLE_MAX_CHARS = 80
TITLE_MAX_WORDS = 12
MAX_STEPS = 120


def check_flow_set(flow_set: FlowSet, today: dt.date) -> list[Problem]:
    """Every problem in a flow set, loading problems included, sorted by file and line.

    `today` decides which review dates have passed.
    """
    problems = list(flow_set.problems)
    source_ids: set[str] | None = None
    if flow_set.sources:
        problems += check_registry(flow_set.sources, today)
        source_ids = {source.id for source in flow_set.sources.model.sources}
    problems += _duplicate_flow_ids(flow_set.flows)
    flow_ids = {doc.model.id for doc in flow_set.flows}
    for doc in flow_set.flows:
        problems += check_flow(doc, source_ids, flow_ids)
        if flow_set.sources:
            problems += citation_problems(doc, flow_set.sources.model, today)
            problems += national_problems(doc, flow_set.sources.model)
        problems += phase_problems(doc)
        problems += rule_problems(doc, flow_set.sources.model if flow_set.sources else None)
    return sorted_problems(problems)


def check_registry(doc: SourcesDoc, today: dt.date) -> list[Problem]:
    ids = [source.id for source in doc.model.sources]
    problems = list(_duplicates(ids, lambda i: doc.locate("sources", i, "id"), "source id"))
    problems += _duplicates([w.id for w in doc.model.watch], lambda i: doc.locate("watch", i, "id"), "watch id")
    problems += registry_date_problems(doc, today)
    for index, source in enumerate(doc.model.sources):
        if source.check_by < today:
            problems.append(
                Problem(
                    doc.locate("sources", index, "check_by"),
                    f"source '{source.id}' was due to be checked against the flows by {source.check_by}",
                    "re-read it, update the flows and the edition if it changed, then set a new check_by",
                    Severity.WARNING,
                )
            )
    return problems


def check_flow(doc: Located[Flow], source_ids: set[str] | None, flow_ids: set[str]) -> list[Problem]:
    """Problems in one flow. `source_ids` is None when the registry failed to load."""
    flow = doc.model
    problems: list[Problem] = []
    if len(flow.steps) > MAX_STEPS:
        problems.append(Problem(doc.locate("steps"), f"flow has {len(flow.steps)} steps; the limit is {MAX_STEPS}"))
        return problems
    ids = [step.id for step in flow.steps]
    problems += _duplicates(ids, lambda i: doc.locate("steps", i, "id"), "step id")
    problems += _start_problems(doc)
    for index, step in enumerate(flow.steps):
        problems += _step_problems(doc, index, step, set(ids), source_ids, flow_ids)
    problems += _route_problems(doc)
    problems += _criterion_problems(doc)
    if flow.changelog and flow.changelog[0].edition != flow.edition:
        problems.append(
            Problem(
                doc.locate("changelog", 0, "edition"),
                f"the newest changelog entry is for '{flow.changelog[0].edition}', not this edition '{flow.edition}'",
                "add an entry for this edition at the top of the changelog",
            )
        )
    return problems


Locator = Callable[..., Location]


def _criterion_problems(doc: Located[Flow]) -> Iterator[Problem]:
    """The form and the leaflet list the criteria from these marks: each once, on a question."""
    seen: dict[int, str] = {}
    for index, step in enumerate(doc.model.steps):
        if step.criterion is None:
            continue
        if step.kind != "decision":
            yield Problem(doc.locate("steps", index, "criterion"), "only a decision step can be a criterion")
        elif step.criterion in seen:
            message = f"criterion {step.criterion} is already step '{seen[step.criterion]}'"
            yield Problem(doc.locate("steps", index, "criterion"), message)
        else:
            seen[step.criterion] = step.id


def _duplicates(ids: list[str], locate: Locator, what: str) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, item in enumerate(ids):
        if item in first:
            line = locate(first[item]).line
            yield Problem(locate(index), f"duplicate {what} '{item}' (first defined at line {line})")
        else:
            first[item] = index


def _duplicate_flow_ids(flows: list[Located[Flow]]) -> Iterator[Problem]:
    counts = Counter(doc.model.id for doc in flows)
    for doc in flows:
        if counts[doc.model.id] > 1:
            others = sorted(str(d.path.name) for d in flows if d.model.id == doc.model.id and d is not doc)
            yield Problem(doc.locate("id"), f"flow id '{doc.model.id}' is also used by {', '.join(others)}")


def _start_problems(doc: Located[Flow]) -> Iterator[Problem]:
    starts = [index for index, step in enumerate(doc.model.steps) if step.kind == "start"]
    if not starts:
        yield Problem(doc.locate("steps"), "flow has no start step", "give exactly one step 'kind: start'")
    for index in starts[1:]:
        first = doc.model.steps[starts[0]].id
        yield Problem(doc.locate("steps", index, "kind"), f"a second start step; '{first}' is already the start")


def _step_problems(
    doc: Located[Flow], index: int, step: Step, step_ids: set[str], source_ids: set[str] | None, flow_ids: set[str]
) -> Iterator[Problem]:
    def at(*keys: str | int) -> Location:
        return doc.locate("steps", index, *keys)

    lanes = doc.model.lanes
    if step.lane not in lanes:
        yield Problem(at("lane"), f"unknown lane '{step.lane}'", suggest(step.lane, lanes) or _choices(lanes))
    yield from _shape_problems(at, step, doc.model.id, flow_ids)
    if step.next and step.next not in step_ids:
        yield Problem(at("next"), f"'next' points to unknown step '{step.next}'", suggest(step.next, step_ids))
    for b, branch in enumerate(step.branches):
        if branch.to not in step_ids:
            hint = suggest(branch.to, step_ids)
            yield Problem(at("branches", b, "to"), f"branch '{branch.label}' goes to unknown step '{branch.to}'", hint)
    if not step.cites:
        yield Problem(at("id"), f"step '{step.id}' cites no source", "every step needs at least one entry in 'cites'")
    for c, citation in enumerate(step.cites):
        if source_ids is not None and citation.source not in source_ids:
            hint = suggest(citation.source, source_ids)
            yield Problem(at("cites", c), f"unknown source '{citation.source}'", hint)
    words = len(step.title.split())
    if len(step.title) > TITLE_MAX_CHARS or words > TITLE_MAX_WORDS:
        yield Problem(
            at("title"),
            f"title is too long for a poster ({words} words, {len(step.title)} characters)",
            f"keep titles to {TITLE_MAX_WORDS} words and {TITLE_MAX_CHARS} characters; the detail goes in 'text'",
        )


def _shape_problems(at: Locator, step: Step, flow_id: str, flow_ids: set[str]) -> Iterator[Problem]:
    """What each kind of step must and must not have."""
    if step.kind in ("start", "action"):
        if step.branches:
            yield Problem(at("branches"), f"a {step.kind} step cannot have branches", "make it 'kind: decision'")
        if not step.next:
            article = "an" if step.kind == "action" else "a"
            yield Problem(at("id"), f"step '{step.id}' is a dead end: {article} {step.kind} step needs 'next'")
    elif step.kind == "decision":
        if step.next:
            yield Problem(at("next"), "a decision cannot have 'next'; give each answer a branch")
        if len(step.branches) < 2:
            yield Problem(at("branches"), f"decision '{step.id}' needs at least two branches, has {len(step.branches)}")
        first_index: dict[str, int] = {}
        for b, branch in enumerate(step.branches):
            first = first_index.setdefault(branch.label.casefold(), b)
            if first != b:
                label = step.branches[first].label
                yield Problem(at("branches", b, "label"), f"branch label '{branch.label}' repeats '{label}'")
    elif step.next or step.branches:
        yield Problem(
            at("next" if step.next else "branches"), "an end step leads nowhere; remove 'next' and 'branches'"
        )
    if step.continues is not None:
        if step.kind != "end":
            yield Problem(at("continues"), "only an end step can continue in another flow")
        elif step.continues == flow_id or step.continues not in flow_ids:
            yield Problem(
                at("continues"), f"'continues' names unknown flow '{step.continues}'", suggest(step.continues, flow_ids)
            )


def _route_problems(doc: Located[Flow]) -> Iterator[Problem]:
    flow = doc.model
    starts = [step for step in flow.steps if step.kind == "start"]
    if len(starts) != 1:
        return
    index_of = {step.id: index for index, step in enumerate(flow.steps)}
    reached = reachable(flow, starts[0].id)
    for step in flow.steps:
        if step.id not in reached:
            yield Problem(
                doc.locate("steps", index_of[step.id], "id"), f"step '{step.id}' cannot be reached from the start"
            )
    for loop in loops_without_exit(flow):
        if loop[0] in reached:
            route = " → ".join([*loop, loop[0]])
            yield Problem(
                doc.locate("steps", index_of[loop[0]], "id"),
                f"steps loop with no way out: {route}",
                "give one of them a branch that leads towards an end step",
            )


def _choices(names: Iterable[str]) -> str:
    return "lanes defined: " + ", ".join(names)


def check_flow_file(flow_set: FlowSet, path: Path, today: dt.date) -> list[Problem]:
    """The problems of one flow file (and of its registry, when the file is under it)."""
    wanted = {path.resolve()}
    if path.resolve().is_relative_to(flow_set.root):
        wanted.add(flow_set.root / SOURCES_FILE)
    return [p for p in check_flow_set(flow_set, today) if p.location.file in wanted]
