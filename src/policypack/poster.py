"""Render stage for posters: fit a chart to a sheet of paper and fill the poster template.

The legibility rule: the smallest text on a poster must be at least 7 pt for every metre
it is meant to be read from, and never under 9 pt. Each paper size has an intended
reading distance, so A2 (read from 2 m) needs 14 pt. See the README for why.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from policypack import __version__
from policypack.documents import render_document
from policypack.flowchart import CONTINUES_STYLE, KIND_STYLES, ChartStyle, KindStyle, build_graph, to_svg
from policypack.models import Flow, Source
from policypack.outline import outline_text

PAPER_MM: dict[str, tuple[float, float]] = {"A4": (210, 297), "A3": (297, 420), "A2": (420, 594), "A1": (594, 841)}
READING_DISTANCE_M: dict[str, float] = {"A4": 1.0, "A3": 1.5, "A2": 2.0, "A1": 3.0}
PT_PER_METRE = 7.0
FLOOR_PT = 9.0
MM_PER_PT = 25.4 / 72
BLEED_MM = 3.0


def minimum_text_pt(size: str) -> float:
    """The smallest text size that reads from the paper size's intended distance."""
    return max(FLOOR_PT, PT_PER_METRE * READING_DISTANCE_M[size])


@dataclass(frozen=True)
class Sheet:
    """A poster page, with the boxes the template lays out (all in millimetres)."""

    size: str
    landscape: bool
    print_marks: bool

    @property
    def width(self) -> float:
        w, h = PAPER_MM[self.size]
        return h if self.landscape else w

    @property
    def height(self) -> float:
        w, h = PAPER_MM[self.size]
        return w if self.landscape else h

    @property
    def base_pt(self) -> float:
        """Body text size of the poster's own text (title block, legend, footer)."""
        return minimum_text_pt(self.size)

    @property
    def margin(self) -> float:
        return round(min(self.width, self.height) * 0.045, 1)

    @property
    def header_height(self) -> float:
        return round(self.base_pt * 5.4 * MM_PER_PT, 1)  # two title lines and a line of detail

    @property
    def footer_height(self) -> float:
        return round(self.base_pt * 5.6 * MM_PER_PT, 1)  # two lines of legend, then provenance

    @property
    def gap(self) -> float:
        return round(self.base_pt * 0.8 * MM_PER_PT, 1)

    def chart_box(self) -> tuple[float, float]:
        """Width and height (mm) left for the chart, less 1 mm so rounding never spills a page."""
        width = self.width - 2 * self.margin
        height = self.height - 2 * self.margin - self.header_height - self.footer_height - 2 * self.gap - 1
        return width, round(height, 1)


@dataclass(frozen=True)
class FittedChart:
    svg: str
    scale: float
    smallest_pt: float


def fit_chart(svg: str, sheet: Sheet, style: ChartStyle, alt_text: str, description: str) -> FittedChart:
    """Scale dot's SVG to fill the chart box, and give it a title and description.

    WeasyPrint takes a figure's alternative text only from a `<title>` that is a direct
    child of `<svg>`; dot puts its own inside a group, so ours goes first.
    """
    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not match:
        raise ValueError("dot's SVG has no size in points")
    width_pt, height_pt = float(match.group(1)), float(match.group(2))
    box_w, box_h = sheet.chart_box()
    scale = min(box_w / (width_pt * MM_PER_PT), box_h / (height_pt * MM_PER_PT))
    width_mm, height_mm = width_pt * MM_PER_PT * scale, height_pt * MM_PER_PT * scale
    body = svg[svg.index("<svg") :]
    body = re.sub(r"<!--.*?-->\n?", "", body, flags=re.DOTALL)
    body = re.sub(r' id="[^"]*"', "", body)  # dot's ids repeat across charts; nothing links to them
    body = body.replace(match.group(0), f'<svg width="{width_mm:.2f}mm" height="{height_mm:.2f}mm"', 1)
    head_end = body.index(">") + 1
    accessible = f"\n<title>{html.escape(alt_text)}</title>\n<desc>{html.escape(description)}</desc>"
    body = body[:head_end] + accessible + body[head_end:]
    return FittedChart(body, scale, style.smallest_pt * scale)


def legend(flow: Flow, style: ChartStyle) -> dict[str, list[dict[str, Any]]]:
    """Only what the chart uses: the kinds of step and the lanes, in drawing order."""
    kinds: list[KindStyle] = []
    for kind in ("start", "action", "decision", "end"):
        if any(s.kind == kind and not s.continues for s in flow.steps):
            kinds.append(KIND_STYLES[kind])
    if any(s.continues for s in flow.steps):
        kinds.append(CONTINUES_STYLE)
    used = [lane for lane in flow.lanes if any(s.lane == lane for s in flow.steps)]
    fills = dict(zip(flow.lanes, style.lane_fills(len(flow.lanes)), strict=False))
    return {
        "kinds": [{"label": k.label, "shape": k.shape, "style": k.style, "peripheries": k.peripheries} for k in kinds],
        "lanes": [{"name": flow.lanes[lane].name, "tag": flow.lanes[lane].tag, "fill": fills[lane]} for lane in used],
    }


@dataclass(frozen=True)
class Poster:
    html: str
    sheet: Sheet
    chart: FittedChart

    @property
    def legible(self) -> bool:
        return self.chart.smallest_pt >= minimum_text_pt(self.sheet.size) - 0.05


def render_poster(
    flow: Flow,
    sources: dict[str, Source],
    flow_titles: dict[str, str],
    *,
    size: str,
    landscape: bool | None = None,
    print_marks: bool = False,
    style: ChartStyle | None = None,
    branding: dict[str, Any] | None = None,
) -> Poster:
    """The poster's HTML. With `landscape=None`, the orientation that prints larger text.

    `branding` (the school, its logo and policy dates) puts the school in the title block.
    """
    style = style or ChartStyle()
    svg = to_svg(build_graph(flow, style, flow_titles))
    steps = outline_text(flow, sources, brief=True, flow_titles=flow_titles)
    alt = f"Flowchart: {flow.title}. The steps in order: " + " ".join(steps.splitlines()[3:])
    orientations = [landscape] if landscape is not None else [False, True]
    fitted = [
        (fit_chart(svg, sheet, style, alt, steps), sheet)
        for sheet in (Sheet(size, o, print_marks) for o in orientations)
    ]
    chart, sheet = max(fitted, key=lambda pair: pair[0].scale)
    context = {
        "flow": flow,
        "sheet": sheet,
        "chart": chart,
        "style": style,
        "legend": legend(flow, style),
        "version": __version__,
        "bleed_mm": BLEED_MM,
        "created": flow.reviewed.isoformat(),
        **(branding or {}),
    }
    return Poster(render_document("poster.html.j2", context), sheet, chart)
