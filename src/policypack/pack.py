"""Render stage for a school's pack: one context, computed once, for every document.

Templates hold all the wording; this module only gathers data: the school, its nation's
flows in route order with their numbers, the sources they cite, and the charts laid out
for the policy's chart pages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from policypack import __version__
from policypack.checks import logo_path
from policypack.flowchart import ChartStyle, build_graph, to_svg
from policypack.models import Flow, Source, Step
from policypack.outline import outline_text, route_summary, step_citations
from policypack.poster import MM_PER_PT, PAPER_MM, FittedChart, Sheet, fit_chart
from policypack.project import FlowSet
from policypack.route import number_steps, steps_in_order
from policypack.school import SchoolDoc

# The charts of a nation's procedure, in the order the policy presents them.
CHARTS = ("staff-response", "dsl-review", "dsl-response", "police-records")
# A chart page in the policy: the chart, with its numbered steps beside it.
CHART_PAGE_CANDIDATES = (("A4", False), ("A4", True), ("A3", False), ("A3", True))
CHART_PAGE_MIN_PT = 8.0
OUTLINE_COLUMN_MM = 72.0
PAGE_MARGIN_MM = 15.0


@dataclass(frozen=True)
class ChartPage:
    """A chart laid out for the policy, on the smallest page where it reads at 8 pt or more."""

    size: str
    landscape: bool
    chart: FittedChart

    @property
    def name(self) -> str:
        return f"chart-{self.size.lower()}{'-landscape' if self.landscape else ''}"


@dataclass(frozen=True)
class ChartSection:
    key: str
    flow: Flow
    numbers: dict[str, int]
    steps: list[Step]
    page: ChartPage
    outline: list[str]
    routes: dict[str, str] = field(default_factory=dict)


def slug(name: str) -> str:
    """A folder name from a school's name: ASCII, lower case, hyphens."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "school"


def chart_style(school: SchoolDoc) -> ChartStyle:
    brand = school.brand
    primary = brand.color.primary if brand and brand.color else None
    family = brand.typography.base.family if brand and brand.typography and brand.typography.base else None
    style = ChartStyle()
    return ChartStyle(font=family or style.font, accent=str(primary) if primary else style.accent)


def pack_context(school: SchoolDoc, flow_set: FlowSet) -> dict[str, Any]:
    """Everything the pack's templates use; only data, no wording."""
    profile = school.profile
    nation = profile.school.nation
    style = chart_style(school)
    sources = flow_set.source_map()
    titles = flow_set.flow_titles()
    sections = []
    for key in CHARTS:
        doc = flow_set.find(f"{nation}-{key}")
        if doc is None:
            raise LookupError(f"no bundled flow '{nation}-{key}'")
        sections.append(_chart_section(key, doc.model, sources, titles, style))
    return {
        **branding(school),
        "people": profile.people,
        "contacts": profile.contacts,
        "style": style,
        "charts": {section.key: section for section in sections},
        "sections": sections,
        "terms": sections[0].flow.terms,
        "references": _references(sections, sources),
        "editions": sorted({section.flow.edition for section in sections}),
        "version": __version__,
        "created": profile.policy.adopted.isoformat(),
        "cite": lambda step: step_citations(step, sources),
    }


def branding(school: SchoolDoc) -> dict[str, Any]:
    """What puts a school on a document: its details, its logo and its policy's dates."""
    logo = logo_path(school)
    return {
        "school": school.profile.school,
        "policy": school.profile.policy,
        "logo": {"path": logo[0].as_uri(), "alt": logo[1]} if logo else None,
    }


def _chart_section(
    key: str, flow: Flow, sources: dict[str, Source], titles: dict[str, str], style: ChartStyle
) -> ChartSection:
    numbers = number_steps(flow)
    svg = to_svg(build_graph(flow, style, titles))
    brief = outline_text(flow, sources, brief=True, flow_titles=titles)
    lines = brief.splitlines()[3:]
    alt = f"Flowchart: {flow.title}. The steps in order: " + " ".join(lines)
    page = _chart_page(svg, style, alt, brief)
    routes = {step.id: route_summary(step, numbers, titles) for step in flow.steps}
    return ChartSection(key, flow, numbers, steps_in_order(flow), page, lines, routes)


def _chart_page(svg: str, style: ChartStyle, alt: str, description: str) -> ChartPage:
    """The first candidate page on which the chart, beside its outline, reads at 8 pt."""
    best: ChartPage | None = None
    for size, landscape in CHART_PAGE_CANDIDATES:
        sheet = _ChartSheet(size, landscape)
        page = ChartPage(size, landscape, fit_chart(svg, sheet, style, alt, description))
        if page.chart.smallest_pt >= CHART_PAGE_MIN_PT:
            return page
        if best is None or page.chart.smallest_pt > best.chart.smallest_pt:
            best = page
    assert best is not None
    return best


class _ChartSheet(Sheet):
    """A policy page whose chart box leaves a column for the numbered steps."""

    def __init__(self, size: str, landscape: bool) -> None:
        super().__init__(size, landscape, False)

    def chart_box(self) -> tuple[float, float]:
        width, height = PAPER_MM[self.size]
        if self.landscape:
            width, height = height, width
        # the procedure's heading (first part only, room kept on all), the part's heading, its summary
        heading = 15 * 2.2 * MM_PER_PT + 12 * 2.4 * MM_PER_PT + 10.5 * 1.45 * 3 * MM_PER_PT
        return width - 2 * PAGE_MARGIN_MM - OUTLINE_COLUMN_MM - 6, height - 2 * PAGE_MARGIN_MM - heading - 14


def _references(sections: list[ChartSection], sources: dict[str, Source]) -> list[dict[str, Any]]:
    """Every cited source once, in order of first citation, with the steps that rest on it.

    `steps` and `verify` map each chart's name to its step numbers, e.g.
    {"What every member of staff does": [1, 2, 4]}.
    """
    cited: dict[str, dict[str, Any]] = {}
    for section in sections:
        chart = section.flow.short_title or section.flow.title
        for step in section.steps:
            number = section.numbers[step.id]
            for citation in step.cites:
                entry = cited.setdefault(
                    citation.source, {"source": sources[citation.source], "steps": {}, "verify": {}}
                )
                _add(entry["steps"].setdefault(chart, []), number)
                if citation.verify:
                    _add(entry["verify"].setdefault(chart, []), number)
    return list(cited.values())


def _add(numbers: list[int], number: int) -> None:
    if number not in numbers:
        numbers.append(number)
