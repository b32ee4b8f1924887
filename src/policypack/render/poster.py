"""Render stage for posters: the chart laid out on its sheet, in the poster template."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from typing import Any

from jinja2 import Environment

from policypack import __version__
from policypack.layout.chart import CONTINUES_STYLE, KIND_STYLES, KindStyle
from policypack.layout.sheet import BLEED_MM, MARK_MM, FittedChart, Sheet
from policypack.load.strings import bundled_strings
from policypack.model.flow import Flow, Source
from policypack.model.strings import Strings
from policypack.model.theme import Theme
from policypack.render.outline import outline_text, step_lines
from policypack.render.templating import render_document


def legend(flow: Flow, style: Theme, words: Strings) -> dict[str, list[dict[str, Any]]]:
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
        "kinds": [
            {"label": words.chart.kinds[k.kind], "shape": k.shape, "style": k.style, "peripheries": k.peripheries}
            for k in kinds
        ],
        "lanes": [{"name": flow.lanes[lane].name, "tag": flow.lanes[lane].tag, "fill": fills[lane]} for lane in used],
    }


@dataclass(frozen=True)
class Poster:
    html: str
    sheet: Sheet
    chart: FittedChart


def describe_chart(chart: FittedChart, alt_text: str, description: str) -> FittedChart:
    """The chart with its text alternative as the SVG's own title and description.

    WeasyPrint takes a figure's alternative text only from a `<title>` that is a direct
    child of `<svg>`; dot puts its own inside a group, so ours goes first.
    """
    head_end = chart.svg.index(">") + 1
    accessible = f"\n<title>{html.escape(alt_text)}</title>\n<desc>{html.escape(description)}</desc>"
    return replace(chart, svg=chart.svg[:head_end] + accessible + chart.svg[head_end:])


def chart_text(flow: Flow, sources: dict[str, Source], flow_titles: dict[str, str], words: Strings) -> tuple[str, str]:
    """A chart's alternative text and its description: the numbered steps in route order."""
    steps = " ".join(step_lines(flow, flow_titles, words.outline))
    description = outline_text(flow, sources, brief=True, flow_titles=flow_titles, words=words.outline)
    return words.alt.chart.format(title=flow.title, steps=steps), description


def render_poster(
    environment: Environment,
    flow: Flow,
    sources: dict[str, Source],
    flow_titles: dict[str, str],
    laid_out: tuple[Sheet, FittedChart],
    style: Theme,
    branding: dict[str, Any] | None = None,
    words: Strings | None = None,
) -> Poster:
    """The poster's HTML; `branding` (the school, its logo and dates) fills the title block."""
    sheet, chart = laid_out
    words = words or bundled_strings()
    chart = describe_chart(chart, *chart_text(flow, sources, flow_titles, words))
    context = {
        "flow": flow,
        "sheet": sheet,
        "chart": chart,
        "style": style,
        "legend": legend(flow, style, words),
        "language": words.language,
        "version": __version__,
        "bleed_mm": BLEED_MM,
        "mark_mm": MARK_MM,
        # from the inputs, never the clock: the later of the flow's review and the adoption
        "created": max(flow.reviewed, branding["policy"].adopted if branding else flow.reviewed).isoformat(),
        **(branding or {}),
    }
    return Poster(render_document(environment, "poster.html.j2", context), sheet, chart)
