"""Lay-out stage: a flow and a theme become DOT source, and DOT becomes SVG.

`build_graph` is pure and deterministic (golden-tested); `to_svg` runs `dot` to lay a chart
out, with a timeout (the font pre-flight, `layout/fonts.py`, is the only other place that
asks dot anything). Lanes are not drawn as clusters (for a route that moves from actor to
actor they make a diagonal staircase); each box instead carries its lane's tag
and fill lightness, and kinds differ by shape and border, so nothing depends on hue.
"""

from __future__ import annotations

import functools
import html
import os
import textwrap
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import graphviz

from policypack.load.strings import bundled_strings
from policypack.model.flow import Branch, Flow, Step, StepKind
from policypack.model.route import number_steps
from policypack.model.strings import ChartWords
from policypack.model.theme import Theme
from policypack.tools import run_tool

DOT_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class KindStyle:
    """How one kind of step is drawn; distinct by shape, corners and border alone."""

    kind: str  # its name in the strings file's chart.kinds (the legend's words)
    shape: str
    style: str
    penwidth: float
    peripheries: int = 1


KIND_STYLES: dict[StepKind, KindStyle] = {
    "start": KindStyle("start", "box", "rounded,filled,bold", 3.0),
    "action": KindStyle("action", "box", "filled", 1.2),
    "decision": KindStyle("decision", "diamond", "filled", 1.6),
    "end": KindStyle("end", "box", "rounded,filled", 1.2, peripheries=2),
}
CONTINUES_STYLE = KindStyle("continues", "box", "rounded,filled,dashed", 1.6, peripheries=2)


def build_graph(
    flow: Flow,
    style: Theme,
    flow_titles: dict[str, str] | None = None,
    part: frozenset[str] | None = None,
    words: ChartWords | None = None,
) -> str:
    """DOT source for a flow: the same flow and style always give the same text.

    `part` (step ids) draws only those steps, for a chart split across pages: an arrow that
    leaves the part ends in a "continues at step N" box, and a step reached from outside
    it starts from a "from step N" box, so every page says where the route goes on.
    """
    words = words or bundled_strings().chart
    numbers = number_steps(flow)
    fills = dict(zip(flow.lanes, style.lane_fills(len(flow.lanes)), strict=False))
    graph = graphviz.Digraph(
        name=flow.id,
        graph_attr={
            "rankdir": "TB",
            "splines": "spline",
            "newrank": "true",
            "nodesep": "0.3",
            "ranksep": "0.3",
            "pad": "0.1",
            "bgcolor": "transparent",
            "fontname": style.font,
        },
        node_attr={"fontname": style.font, "fontsize": _pt(style.title_pt), "color": style.ink, "margin": "0.1,0.04"},
        edge_attr={
            "fontname": style.font,
            "fontsize": _pt(style.edge_pt),
            "color": style.ink,
            "fontcolor": style.ink,
            "penwidth": "1.4",
            "arrowsize": "0.9",
        },
    )
    shown = [s for s in sorted(flow.steps, key=lambda s: numbers[s.id]) if part is None or s.id in part]
    for step in shown:
        kind = CONTINUES_STYLE if step.continues else KIND_STYLES[step.kind]
        lane = flow.lanes.get(step.lane)
        tag = lane.tag if lane else step.lane
        label = _node_label(step, numbers[step.id], tag, style, flow_titles or {}, words)
        graph.node(
            step.id,
            label=label,
            shape=kind.shape,
            style=kind.style,
            penwidth=str(kind.penwidth),
            peripheries=str(kind.peripheries),
            fillcolor=fills.get(step.lane, "#ffffff"),
        )
    by_id = {step.id: step for step in shown}  # a box in another part is reached through a connector
    for step in shown:
        if step.kind == "decision":
            # With more than two ways out, dot may set a label nearer a neighbour's arrow. So a
            # label the box it leads to already starts with is left out, and the ways that lead
            # to other parts of the chart share one connector box, a line each (a row of boxes
            # would make the part too wide to read).
            many = len(step.branches) > 2
            away = [b for b in step.branches if b.to not in by_id] if many and part is not None else []
            if away:
                graph.edge(step.id, _ways_away(graph, step.id, away, numbers, words))
            for branch in step.branches:
                if branch in away:
                    continue
                target = by_id.get(branch.to)
                label = f"<B>{_html(branch.label)}</B>"
                arrow = _arrive(graph, branch.to, numbers, part, words)
                said = many and target is not None and target.title.casefold().startswith(branch.label.casefold())
                graph.edge(step.id, arrow, **({} if said else {"label": f"<{label}>"}))
        elif step.next:
            graph.edge(step.id, _arrive(graph, step.next, numbers, part, words))
    if part is not None:
        _entries(graph, flow, shown, numbers, part, words)
    return str(graph.source)


CONNECTOR = {"shape": "box", "style": "rounded,dashed", "penwidth": "1.4"}


def _arrive(
    graph: graphviz.Digraph, target: str, numbers: dict[str, int], part: frozenset[str] | None, words: ChartWords
) -> str:
    """The node an arrow ends at: the step, or a connector when the step is on another page."""
    if part is None or target in part:
        return target
    name = f"to-{target}"
    graph.node(name, label=f"<<I>{_html(words.continues_at.format(number=numbers[target]))}</I>>", **CONNECTOR)
    return name


def _ways_away(
    graph: graphviz.Digraph, source: str, branches: list[Branch], numbers: dict[str, int], words: ChartWords
) -> str:
    """One connector for the ways out of a decision that go on in other parts: each way's
    label and where it continues, a line each."""
    lines = [
        f"<B>{_html(b.label)}</B>: <I>{_html(words.continues_at.format(number=numbers[b.to]))}</I>" for b in branches
    ]
    name = f"away-from-{source}"
    left = '<BR ALIGN="LEFT"/>'
    graph.node(name, label=f"<{left.join(lines)}{left}>", **CONNECTOR)
    return name


def _entries(
    graph: graphviz.Digraph,
    flow: Flow,
    shown: list[Step],
    numbers: dict[str, int],
    part: frozenset[str],
    words: ChartWords,
) -> None:
    """A "from step N" connector above each step that is reached from another page."""
    for step in shown:
        sources = sorted(
            numbers[s.id] for s in flow.steps if s.id not in part and step.id in (s.next, *(b.to for b in s.branches))
        )
        if sources:
            name = f"from-{step.id}"
            said = words.from_steps if len(sources) > 1 else words.from_step
            label = said.format(numbers=", ".join(map(str, sources)))
            graph.node(name, label=f"<<I>{_html(label)}</I>>", **CONNECTOR)
            graph.edge(name, step.id)


def _node_label(step: Step, number: int, tag: str, style: Theme, flow_titles: dict[str, str], words: ChartWords) -> str:
    """An HTML-like label: the step number and lane tag, then the wrapped title.

    Every piece of text is XML-escaped here, because graphviz escapes nothing inside
    HTML-like labels. Runs are kept in separate cells: SVG drops spaces between runs.
    """
    width = style.wrap.get(step.kind, style.wrap["default"])
    lines = "<BR/>".join(_html(line) for line in textwrap.wrap(step.title, width))
    head = (
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{_pt(style.number_pt)}"><B>{number}</B></FONT></TD>'
        f'<TD ALIGN="RIGHT"><FONT POINT-SIZE="{_pt(style.tag_pt)}">{_html(tag)}</FONT></TD></TR>'
    )
    rows = [head, f'<TR><TD COLSPAN="2">{lines}</TD></TR>']
    if step.continues:
        target = flow_titles.get(step.continues, step.continues)
        follow = "<BR/>".join(_html(line) for line in textwrap.wrap(words.continues_in.format(title=target), width + 4))
        rows.append(f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="{_pt(style.tag_pt)}"><I>{follow}</I></FONT></TD></TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


@functools.lru_cache(maxsize=256)  # the policy tries several splits of each chart
def to_svg(source: str, timeout: float = DOT_TIMEOUT_SECONDS) -> str:
    """Run `dot -Tsvg`; a missing dot is ToolMissing (exit 3), a failure ToolFailed (exit 1).

    Cached per process: every school that shares a flow and a style shares its layout.
    """
    return run_tool("dot", ["-Tsvg"], stdin=source.encode(), timeout=timeout).stdout.decode()


def to_svgs(sources: Sequence[str]) -> list[str]:
    """Several charts through `to_svg` at once, one `dot` per core: the same layouts, sooner."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(sources) < 2 or cores < 2:
        return [to_svg(source) for source in sources]
    pool = ThreadPoolExecutor(min(cores, len(sources)), thread_name_prefix="dot")
    try:
        return list(pool.map(to_svg, sources))
    finally:  # a failure or a stopped build does not wait for the other runs (each has its timeout)
        pool.shutdown(wait=False, cancel_futures=True)


def _html(text: str) -> str:
    """Text for an HTML-like label: XML-escaped, and backslashes doubled.

    graphviz escapes nothing in HTML-like labels, and dot still reads backslash escapes
    in them (a doubled one prints once; \\N would print the node's name).
    """
    return html.escape(text).replace("\\", "\\\\")


def _pt(value: float) -> str:
    return f"{value:g}"
