"""Lay-out stage: a flow and a chart style become DOT source, and DOT becomes SVG.

`build_graph` is pure and deterministic (golden-tested); `to_svg` is the one place that
runs `dot`, with a timeout. Lanes are not drawn as clusters (for a route that moves from
actor to actor they make a diagonal staircase); each box instead carries its lane's tag
and fill lightness, and kinds differ by shape and border, so nothing depends on hue.
"""

from __future__ import annotations

import colorsys
import functools
import html
import re
import textwrap
from dataclasses import dataclass, field

import graphviz
from brand_yml import Brand

from policypack.errors import ToolMissing
from policypack.model.colour import readable_colour, rgb, to_hex
from policypack.model.flow import Flow, Step, StepKind
from policypack.model.route import number_steps
from policypack.tools import INSTALL_HINTS, font_install_hint, run_tool

DOT_TIMEOUT_SECONDS = 20
HEX = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class KindStyle:
    """How one kind of step is drawn; distinct by shape, corners and border alone."""

    label: str
    shape: str
    style: str
    penwidth: float
    peripheries: int = 1


KIND_STYLES: dict[StepKind, KindStyle] = {
    "start": KindStyle("Start", "box", "rounded,filled,bold", 3.0),
    "action": KindStyle("Action", "box", "filled", 1.2),
    "decision": KindStyle("Decision", "diamond", "filled", 1.6),
    "end": KindStyle("End", "box", "rounded,filled", 1.2, peripheries=2),
}
CONTINUES_STYLE = KindStyle("Continues in another chart", "box", "rounded,filled,dashed", 1.6, peripheries=2)

# Fill lightness per lane, in drawing order: far enough apart to survive greyscale printing
# (luminance steps of 0.1 or more for any brand hue), and light enough that the ink keeps
# a contrast of at least 5:1 on the darkest.
LANE_LIGHTNESS = (0.985, 0.91, 0.83, 0.75, 0.67)


@dataclass(frozen=True)
class ChartStyle:
    """Fonts, sizes and colours of a chart. Sizes are DOT points before scaling to paper."""

    font: str = "Open Sans"
    heading_font: str | None = None  # documents' headings, when the brand names a font for them
    title_pt: float = 14.0
    number_pt: float = 15.0
    tag_pt: float = 13.0
    edge_pt: float = 13.0
    ink: str = "#1a1a1a"
    accent: str = "#2f4858"
    wrap: dict[str, int] = field(default_factory=lambda: {"decision": 26, "default": 28})

    @property
    def headings(self) -> str:
        return self.heading_font or self.font

    @property
    def smallest_pt(self) -> float:
        return min(self.title_pt, self.number_pt, self.tag_pt, self.edge_pt)

    def lane_fills(self, count: int) -> list[str]:
        """One fill per lane: the accent's hue, soft saturation, stepped lightness."""
        hue, _, saturation = colorsys.rgb_to_hls(*rgb(self.accent))
        saturation = min(saturation, 0.35)
        levels = LANE_LIGHTNESS[:count] if count <= len(LANE_LIGHTNESS) else LANE_LIGHTNESS
        return [to_hex(colorsys.hls_to_rgb(hue, lightness, saturation)) for lightness in levels]


def style_for(brand: Brand | None) -> ChartStyle:
    """A chart style in a brand's primary colour and base font, where it gives them."""
    primary = brand.color.primary if brand and brand.color else None
    family = brand.typography.base.family if brand and brand.typography and brand.typography.base else None
    headings = brand.typography.headings if brand and brand.typography else None
    heading_colour = getattr(headings, "color", None)
    foreground = brand.color.foreground if brand and brand.color else None
    style = ChartStyle()
    # headings and chart ink are text: a light brand colour is darkened until it reads (4.5:1)
    accent = next(
        (readable_colour(str(c)) for c in (heading_colour, primary) if c and HEX.fullmatch(str(c))), style.accent
    )
    ink = readable_colour(str(foreground)) if foreground and HEX.fullmatch(str(foreground)) else style.ink
    heading_family = getattr(headings, "family", None)
    return ChartStyle(
        font=family or style.font, heading_font=str(heading_family) if heading_family else None, accent=accent, ink=ink
    )


def build_graph(
    flow: Flow, style: ChartStyle, flow_titles: dict[str, str] | None = None, part: frozenset[str] | None = None
) -> str:
    """DOT source for a flow: the same flow and style always give the same text.

    `part` (step ids) draws only those steps, for a chart split across pages: an arrow that
    leaves the part ends in a "continues at step N" box, and a step reached from outside
    it starts from a "from step N" box, so every page says where the route goes on.
    """
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
        label = _node_label(step, numbers[step.id], lane.tag if lane else step.lane, style, flow_titles or {})
        graph.node(
            step.id,
            label=label,
            shape=kind.shape,
            style=kind.style,
            penwidth=str(kind.penwidth),
            peripheries=str(kind.peripheries),
            fillcolor=fills.get(step.lane, "#ffffff"),
        )
    for step in shown:
        if step.kind == "decision":
            for branch in step.branches:
                graph.edge(step.id, _arrive(graph, branch.to, numbers, part), label=f"<<B>{_html(branch.label)}</B>>")
        elif step.next:
            graph.edge(step.id, _arrive(graph, step.next, numbers, part))
    if part is not None:
        _entries(graph, flow, shown, numbers, part)
    return str(graph.source)


CONNECTOR = {"shape": "box", "style": "rounded,dashed", "penwidth": "1.4"}


def _arrive(graph: graphviz.Digraph, target: str, numbers: dict[str, int], part: frozenset[str] | None) -> str:
    """The node an arrow ends at: the step, or a connector when the step is on another page."""
    if part is None or target in part:
        return target
    name = f"to-{target}"
    graph.node(name, label=f"<<I>Continues at step {numbers[target]}</I>>", **CONNECTOR)
    return name


def _entries(
    graph: graphviz.Digraph, flow: Flow, shown: list[Step], numbers: dict[str, int], part: frozenset[str]
) -> None:
    """A "from step N" connector above each step that is reached from another page."""
    for step in shown:
        sources = sorted(
            numbers[s.id] for s in flow.steps if s.id not in part and step.id in (s.next, *(b.to for b in s.branches))
        )
        if sources:
            name = f"from-{step.id}"
            label = "From step" + ("s " if len(sources) > 1 else " ") + ", ".join(map(str, sources))
            graph.node(name, label=f"<<I>{label}</I>>", **CONNECTOR)
            graph.edge(name, step.id)


def _node_label(step: Step, number: int, tag: str, style: ChartStyle, flow_titles: dict[str, str]) -> str:
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
        follow = "<BR/>".join(_html(line) for line in textwrap.wrap(f"Continues: {target}", width + 4))
        rows.append(f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="{_pt(style.tag_pt)}"><I>{follow}</I></FONT></TD></TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


@functools.lru_cache(maxsize=256)  # the policy tries several splits of each chart
def to_svg(source: str, timeout: float = DOT_TIMEOUT_SECONDS) -> str:
    """Run `dot -Tsvg`; a missing dot is ToolMissing (exit 3), a failure ToolFailed (exit 1).

    Cached per process: every school that shares a flow and a style shares its layout.
    """
    return run_tool("dot", ["-Tsvg"], stdin=source.encode(), timeout=timeout).stdout.decode()


@functools.cache
def check_text_measurement(font: str) -> str:
    """The font file dot measures `font` with; dot must measure through Pango.

    Without the Pango plugin, dot guesses text widths and labels overflow their boxes in
    the PDF, silently; without the font, dot and WeasyPrint may pick different fallbacks.
    """
    probe = f'digraph {{ node [fontname="{font}"]; a }}'
    done = run_tool("dot", ["-v", "-Tsvg"], stdin=probe.encode(), timeout=DOT_TIMEOUT_SECONDS, check=False)
    report = done.stderr.decode(errors="replace")
    # e.g. fontname: "Open Sans" resolved to: (PangoCairoFcFont) "Open Sans, Regular" /usr/.../OpenSans-Regular.ttf
    match = re.search(r'resolved to: \(([^)]*)\)\s*"([^",]*)[^"]*"\s*(\S*)', report)
    if not match or "pango" not in match.group(1).casefold():
        raise ToolMissing(f"dot cannot measure text with Pango, so labels would overflow; {INSTALL_HINTS['dot']}")
    if match.group(2).strip().casefold() != font.casefold():
        raise ToolMissing(
            f"the font '{font}' is not installed (dot would use '{match.group(2).strip()}'); {font_install_hint(font)}"
        )
    return match.group(3)


def _html(text: str) -> str:
    """Text for an HTML-like label: XML-escaped, and backslashes doubled.

    graphviz escapes nothing in HTML-like labels, and dot still reads backslash escapes
    in them (a doubled one prints once; \\N would print the node's name).
    """
    return html.escape(text).replace("\\", "\\\\")


def _pt(value: float) -> str:
    return f"{value:g}"
