"""Lay-out stage for a school's pack: every chart laid out once, for the policy and the posters.

Each chart goes to `dot` once per pack (and once per process for a flow and style that
another school shares); the policy's chart pages and the posters are fitted from that.
"""

from __future__ import annotations

from dataclasses import dataclass

from policypack.layout.chart import ChartStyle, build_graph, check_text_measurement, style_for, to_svg
from policypack.layout.sheet import MM_PER_PT, PAPER_MM, FittedChart, Sheet, fit_chart, lay_out_poster
from policypack.load.pack import PackInput
from policypack.model.flow import Flow

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
class PosterLayout:
    name: str  # the file's stem, e.g. poster-dsl-review-a2
    flow: Flow
    sheet: Sheet
    chart: FittedChart
    landscape_given: bool | None  # the orientation the profile asked for, if any


@dataclass(frozen=True)
class PackLayout:
    style: ChartStyle
    charts: dict[str, tuple[Flow, ChartPage]]  # chart key -> its flow and policy page, in CHARTS order
    posters: list[PosterLayout]


def lay_out_pack(pack: PackInput) -> PackLayout:
    """The nation's charts on policy pages, and the posters the profile asks for."""
    profile = pack.school.model
    style = style_for(pack.school.brand.model if pack.school.brand else None)
    check_text_measurement(style.font)
    titles = pack.flows.flow_titles()
    svgs: dict[str, str] = {}
    flows: dict[str, Flow] = {}
    for key in CHARTS:
        doc = pack.flows.find(f"{profile.school.nation}-{key}")
        if doc is None:
            raise LookupError(f"no bundled flow '{profile.school.nation}-{key}'")
        flows[key], svgs[key] = doc.model, to_svg(build_graph(doc.model, style, titles))
    charts = {key: (flows[key], lay_out_chart_page(svgs[key], style)) for key in CHARTS}
    posters = []
    if "posters" in profile.outputs.documents:
        for spec in profile.outputs.posters:
            doc = pack.flows.find(f"{profile.school.nation}-{spec.chart}")
            assert doc is not None  # checked by check_school
            svg = svgs.get(spec.chart) or to_svg(build_graph(doc.model, style, titles))
            sheet, chart = lay_out_poster(svg, style, spec.size, spec.landscape, profile.outputs.print_marks)
            name = f"poster-{spec.chart}-{spec.size.lower()}"
            posters.append(PosterLayout(name, doc.model, sheet, chart, spec.landscape))
    return PackLayout(style, charts, posters)


def lay_out_chart_page(svg: str, style: ChartStyle) -> ChartPage:
    """The first candidate page on which the chart, beside its outline, reads at 8 pt."""
    best: ChartPage | None = None
    for size, landscape in CHART_PAGE_CANDIDATES:
        page = ChartPage(size, landscape, fit_chart(svg, _ChartSheet(size, landscape), style))
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
