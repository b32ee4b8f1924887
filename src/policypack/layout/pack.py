"""Lay-out stage for a school's pack: every chart laid out once, for the policy and the posters.

Each chart goes to `dot` once per pack (and once per process for a flow and style that
another school shares); the policy's chart pages and the posters are fitted from that. A
chart too big for one page is cut into parts, each laid out again: of the cuts in two, only
the few whose parts look smallest in the whole chart's layout go to `dot`.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from policypack.layout.chart import build_graph, to_svg, to_svgs
from policypack.layout.sheet import MM_PER_PT, PAPER_MM, FittedChart, Sheet, fit_chart, lay_out_poster, title_lengths
from policypack.load.pack import CheckedPack
from policypack.model.flow import Flow
from policypack.model.profile import PosterSpec, Profile
from policypack.model.route import number_steps
from policypack.model.strings import ChartWords
from policypack.model.theme import Theme

# A chart in the policy is printed on the profile's paper (A4 unless it asks for A3) with
# its text at 8 pt or more: beside its steps in words when that fits, else with the steps in
# words under it, else split into parts with explicit continuations. It is never printed
# larger than puts its smallest text at CHART_PAGE_TEXT_PT, a little above the policy's own
# small print: a chart that fills a page at 11 pt only makes the policy longer.
CHART_PAGE_MIN_PT = 8.0
CHART_PAGE_TEXT_PT = 8.0

MAX_CHART_PARTS = 4
SHORTLIST = 3  # cuts in two laid out by `dot` (of up to seven), chosen by how the whole chart lies
NODE = re.compile(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>(.*?)</g>', re.DOTALL)
SHAPE = re.compile(r' (?:d|points)="([^"]*)"')
COORDINATE = re.compile(r"-?\d+(?:\.\d+)?")
OUTLINE_COLUMN_MM = 72.0
PAGE_MARGIN_MM = 15.0
SIDE_MARGIN_MM = 14.0  # a chart page's left and right margins (documents/policy.html.j2: @page chart-*)


@dataclass(frozen=True)
class ChartPage:
    """One page of a chart in the policy: the chart (or a part of it) and how it is laid out."""

    size: str
    landscape: bool
    beside: bool  # the steps in words print in a column beside the chart
    chart: FittedChart
    numbers: tuple[int, ...]  # the steps drawn on this page
    part: int = 1
    parts: int = 1

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
    charts: dict[str, tuple[Flow, list[ChartPage]]]  # chart name -> its flow and policy pages, in the policy's order
    posters: list[PosterLayout]


def lay_out_pack(checked: CheckedPack) -> PackLayout:
    """The nation's charts on policy pages, and the posters the profile asks for (fonts were
    checked by the pre-flight, `layout/fonts.py`)."""
    profile = checked.school.model
    theme = checked.theme
    titles = checked.flows.flow_titles()
    words = checked.inputs.strings.chart
    sources = [build_graph(flow, theme, titles, words=words) for flow in checked.charts.values()]
    svgs = dict(zip(checked.charts, to_svgs(sources), strict=True))
    paper = profile.outputs.chart_paper
    charts = {
        name: (flow, lay_out_chart_pages(flow, svgs[name], theme, titles, paper, words))
        for name, flow in checked.charts.items()
    }
    marks = profile.outputs.print_marks
    posters = [poster_layout(flow, theme, titles, spec, marks, profile, words) for spec, flow in checked.posters]
    return PackLayout(charts, posters)


def poster_layout(
    flow: Flow,
    theme: Theme,
    titles: dict[str, str],
    spec: PosterSpec,
    print_marks: bool,
    profile: Profile | None,
    words: ChartWords | None = None,
) -> PosterLayout:
    """One poster: the chart on its sheet, with room for a school's title block when `profile` is
    given. The pack's posters and `policypack flowchart` both come through here."""
    svg = to_svg(
        build_graph(flow, theme, titles, words=words)
    )  # a chart the policy prints too was laid out already (cached)
    logo = theme.logo is not None
    text = title_lengths(flow, profile, logo)
    sheet, chart = lay_out_poster(svg, theme, spec.size, spec.landscape, print_marks, text)
    return PosterLayout(f"poster-{spec.chart}-{spec.size.lower()}", flow, sheet, chart, spec.landscape)


def lay_out_chart_pages(
    flow: Flow, svg: str, style: Theme, titles: dict[str, str], paper: str = "A4", words: ChartWords | None = None
) -> list[ChartPage]:
    """The fewest parts, each on at most a page of `paper`, in which every part of the chart
    reads at 8 pt or more; among splits into as many parts, the one with the largest smallest
    text. The parts print at one scale, and follow one another with their steps in words.

    `svg` is the whole chart, already laid out (for the posters too).
    """
    numbers = number_steps(flow)
    order = sorted(numbers, key=numbers.__getitem__)
    best: list[tuple[ChartPage, str]] = []
    for chunks in _splits(order, svg, paper):
        if best and len(chunks) > len(best) and _smallest(best) >= CHART_PAGE_MIN_PT:
            break  # more parts only when fewer cannot be read
        split = len(chunks) > 1
        parts = to_svgs([build_graph(flow, style, titles, frozenset(c), words) for c in chunks]) if split else [svg]
        pages = [
            (_fit_part(part, style, paper, tuple(sorted(numbers[i] for i in chunk)), (index, len(chunks))), part)
            for index, (chunk, part) in enumerate(zip(chunks, parts, strict=True), start=1)
        ]
        if not best or _smallest(pages) > _smallest(best):
            best = pages
    return _one_scale(best, style)


def _one_scale(pages: list[tuple[ChartPage, str]], style: Theme) -> list[ChartPage]:
    """The parts of one chart at one scale, the smallest part's: a reader compares them side by side."""
    scale = min(page.chart.scale for page, _ in pages)
    return [
        replace(
            page,
            chart=fit_chart(svg, _ChartSheet(page.size, page.beside, page.parts > 1), style, style.largest_pt * scale),
        )
        for page, svg in pages
    ]


def _smallest(pages: list[tuple[ChartPage, str]]) -> float:
    return min(page.chart.smallest_pt for page, _ in pages)


def _splits(order: list[str], svg: str, paper: str) -> Iterator[list[list[str]]]:
    """Ways to cut the steps (in number order) into pages: whole, in two near the middle, then
    in 3 or 4 equal runs. Each part of a cut is one more `dot` run, so of the cuts in two only
    the `SHORTLIST` whose parts look smallest in the whole chart's layout are tried."""
    yield [order]
    middle = len(order) // 2
    halves = [[order[:cut], order[cut:]] for cut in range(max(2, middle - 3), min(len(order) - 1, middle + 4))]
    spans = _node_spans(svg)
    box_w, box_h = _ChartSheet(paper, False, True).chart_box()

    def reach(chunks: list[list[str]]) -> float:  # the largest part, as a share of the page's box
        return max(_extent(chunk, spans, box_w, box_h) for chunk in chunks)

    yield from sorted(halves, key=reach)[:SHORTLIST] if spans else halves
    for count in range(3, MAX_CHART_PARTS + 1):  # runs as even as they go: never a part of one step
        bounds = [round(index * len(order) / count) for index in range(count + 1)]
        yield [order[start:end] for start, end in itertools.pairwise(bounds)]


def _node_spans(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Each step's box in dot's whole-chart layout (x and y ranges, in points), by step id."""
    spans = {}
    for match in NODE.finditer(svg):
        xs: list[float] = []
        ys: list[float] = []
        for shape in SHAPE.findall(match.group(2)):  # path d="M x,y C x,y ..." and polygon points="x,y ..."
            numbers = [float(n) for n in COORDINATE.findall(shape)]
            xs += numbers[0::2]
            ys += numbers[1::2]
        if xs and ys:
            spans[html.unescape(match.group(1))] = (min(xs), max(xs), min(ys), max(ys))
    return spans


def _extent(chunk: list[str], spans: dict[str, tuple[float, float, float, float]], box_w: float, box_h: float) -> float:
    """How much of the page's box a part would fill at full size, judged from where its steps
    lie in the whole chart (its own layout is usually a little more compact)."""
    boxes = [spans[step] for step in chunk if step in spans]
    if not boxes:
        return 0.0
    width = (max(b[1] for b in boxes) - min(b[0] for b in boxes)) * MM_PER_PT
    height = (max(b[3] for b in boxes) - min(b[2] for b in boxes)) * MM_PER_PT
    return max(width / box_w, height / box_h)


def _fit_part(svg: str, style: Theme, paper: str, shown: tuple[int, ...], part: tuple[int, int]) -> ChartPage:
    """Beside its steps in words when it reads there, else with them under it (always
    portrait: a policy is read as a book, never turned); never larger than puts its smallest
    text at `CHART_PAGE_TEXT_PT`."""
    largest = style.largest_pt * CHART_PAGE_TEXT_PT / style.smallest_pt
    pages = [
        ChartPage(paper, False, beside, fit_chart(svg, sheet, style, largest), shown, *part)
        for beside in (True, False)
        for sheet in [_ChartSheet(paper, beside, part[1] > 1)]
    ]
    if pages[0].chart.smallest_pt >= CHART_PAGE_MIN_PT:
        return pages[0]
    return max(pages, key=lambda page: page.chart.smallest_pt)


class _ChartSheet(Sheet):
    """A policy page's box for a chart: the full width, or less a column for the steps."""

    def __init__(self, size: str, beside: bool, split: bool) -> None:
        super().__init__(size, False, False)
        self.beside = beside
        self.split = split

    def chart_box(self) -> tuple[float, float]:
        width, height = PAPER_MM[self.size]
        # the procedure's heading (first part only, room kept on all), the part's heading, its
        # summary, and for a split chart the line saying which part this is
        heading = 15 * 2.2 * MM_PER_PT + 12 * 2.4 * MM_PER_PT + 10.5 * 1.45 * 3 * MM_PER_PT
        heading += 10.5 * 1.45 * 2 * MM_PER_PT if self.split else 0
        column = OUTLINE_COLUMN_MM + 6 if self.beside else 0
        return width - 2 * SIDE_MARGIN_MM - column, height - 2 * PAGE_MARGIN_MM - heading - 14
