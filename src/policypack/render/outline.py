"""The numbered text outline of a flow: `policypack show`, and the chart's text alternative.

Pure functions of a loaded flow and its sources, so every document that prints the
procedure numbers the steps exactly as the poster does.
"""

from __future__ import annotations

import textwrap
from typing import Any

from policypack.load.strings import bundled_strings
from policypack.model.flow import Citation, Flow, Source, Step
from policypack.model.route import number_steps, steps_in_order
from policypack.model.strings import OutlineWords

WIDTH = 88


def outline_text(
    flow: Flow,
    sources: dict[str, Source],
    *,
    brief: bool = False,
    flow_titles: dict[str, str] | None = None,
    words: OutlineWords | None = None,
) -> str:
    """The flow as numbered steps a person can follow without the picture, under a heading.

    `flow_titles` (flow id -> title) names the chart an end step continues in; `words` are
    the language's (the bundled en-GB ones by default).
    """
    words = words or bundled_strings().outline
    numbers = number_steps(flow)
    heading = words.heading.format(id=flow.id, nation=flow.nation.title(), edition=flow.edition, reviewed=flow.reviewed)
    lines = [flow.title, heading, ""]
    if brief:
        lines += step_lines(flow, flow_titles, words)
    for step in [] if brief else steps_in_order(flow):
        route = route_summary(step, numbers, flow_titles or {}, words)
        lines.append(f"{numbers[step.id]}. {step.title}  {route}".rstrip())
        indent = " " * (len(str(numbers[step.id])) + 2)
        lane = flow.lanes.get(step.lane)
        lines.append(indent + words.who.format(lane=lane.name if lane else step.lane))
        lines += textwrap.wrap(step.text, WIDTH, initial_indent=indent, subsequent_indent=indent)
        lines += textwrap.wrap(
            words.sources.format(sources=step_citations(step, sources, states=True, words=words)),
            WIDTH,
            initial_indent=indent,
            subsequent_indent=indent + "  ",
        )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def step_lines(flow: Flow, flow_titles: dict[str, str] | None, words: OutlineWords) -> list[str]:
    """One line per step in route order: its number, title and where it leads ("3. ...  Yes → 4 · No → 6")."""
    numbers = number_steps(flow)
    return [
        f"{numbers[step.id]}. {step.title}  {route_summary(step, numbers, flow_titles or {}, words)}".rstrip()
        for step in steps_in_order(flow)
    ]


def route_summary(
    step: Step, numbers: dict[str, int], flow_titles: dict[str, str], words: OutlineWords | None = None
) -> str:
    """Where a step leads, e.g. "Yes → 9 · No → 5", "→ 3" or "(end)"."""
    words = words or bundled_strings().outline
    return words.branch_separator.join(route_parts(step, numbers, flow_titles, words))


def route_parts(
    step: Step, numbers: dict[str, int], flow_titles: dict[str, str], words: OutlineWords | None = None
) -> list[str]:
    """Where a step leads, one piece per way on ("Yes → 9", "No → 5"): a document keeps each
    piece on one line."""
    words = words or bundled_strings().outline
    if step.kind == "decision":
        return [words.branch.format(label=b.label, number=_number(b.to, numbers)) for b in step.branches]
    if step.next:
        return [words.next.format(number=_number(step.next, numbers))]
    if step.continues:
        return [words.end_continues.format(title=flow_titles.get(step.continues, step.continues))]
    return [words.end]


def step_citations(
    step: Step, sources: dict[str, Source], *, states: bool = False, words: OutlineWords | None = None
) -> str:
    """A step's sources in a line, e.g. "UKCIS advice 2024, 2.4; KCSIE 2025".

    With `states` (maintainers' outline only), a pending citation says "(pending)".
    """
    # one source cited for several claims reads once (a claim's state only shows to maintainers)
    return "; ".join(dict.fromkeys(citation_text(c, sources, states=states, words=words) for c in step.cites))


def citation_text(
    citation: Citation, sources: dict[str, Source], *, states: bool = False, words: OutlineWords | None = None
) -> str:
    source = sources.get(citation.source)
    text = source.short if source else citation.source
    if citation.section:
        text += f", {citation.section}"
    if states and citation.is_pending:
        text += f" ({(words or bundled_strings().outline).pending})"
    return text


def outline_data(flow: Flow, sources: dict[str, Source]) -> dict[str, Any]:
    """The normalised flow for `show --format json`: steps in route order, sources resolved."""
    numbers = number_steps(flow)
    return {
        "id": flow.id,
        "title": flow.title,
        "nation": flow.nation,
        "edition": flow.edition,
        "reviewed": flow.reviewed.isoformat(),
        "summary": flow.summary,
        "lanes": [{"id": lane_id, "name": lane.name, "short": lane.tag} for lane_id, lane in flow.lanes.items()],
        "steps": [_step_data(step, flow, numbers, sources) for step in steps_in_order(flow)],
    }


def _step_data(step: Step, flow: Flow, numbers: dict[str, int], sources: dict[str, Source]) -> dict[str, Any]:
    return {
        "number": numbers[step.id],
        "id": step.id,
        "kind": step.kind,
        "lane": {"id": step.lane, "name": lane.name if (lane := flow.lanes.get(step.lane)) else None},
        "title": step.title,
        "text": step.text,
        "next": {"id": step.next, "number": numbers.get(step.next)} if step.next else None,
        "branches": [{"label": b.label, "to": b.to, "number": numbers.get(b.to)} for b in step.branches],
        "continues": step.continues,
        "citations": [_citation_data(c, sources) for c in step.cites],
    }


def _citation_data(citation: Citation, sources: dict[str, Source]) -> dict[str, Any]:
    source = sources.get(citation.source)
    return {
        "source": source.model_dump(mode="json") if source else {"id": citation.source},
        "section": citation.section,
        "note": citation.note,
        "state": "pending" if citation.is_pending else "verified",
        "verified": citation.verified.model_dump(mode="json") if citation.verified else None,
        "pending": citation.pending,
    }


def _number(step_id: str, numbers: dict[str, int]) -> str:
    return str(numbers[step_id]) if step_id in numbers else f"? ({step_id})"
