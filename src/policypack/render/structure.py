"""Render stage: a rendered document's structure (`render/document.py`), from the HTML render just made.

Only HTML's own meaning is read: headings, paragraphs, lists, tables and their captions,
links, emphasis, form controls and their labels. What HTML cannot say, a template says with
a `data-word` attribute (documented in `templates/base.html.j2`): the cover, the contents,
columns, a chart's page (whose paper and sizes come from the layout, by chart and part),
the running strings, a list whose items print their own numbers, a signature box. Class
names and styles are never read, so a school's template can restyle freely.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import lxml.html

from policypack.layout.pack import PAGE_MARGIN_MM, SIDE_MARGIN_MM, ChartPage
from policypack.layout.sheet import PAPER_MM
from policypack.model.text import visible_controls
from policypack.render.document import (
    Block,
    Cell,
    Columns,
    Contents,
    Figure,
    Heading,
    ListBlock,
    ListItem,
    PageBreak,
    PageSetup,
    PageStart,
    Paragraph,
    Running,
    SideBySide,
    Structured,
    Table,
)
from policypack.render.inlines import (
    CONTROLS,
    children,
    form,
    inlines,
    is_inline_label,
    paragraph,
    text,
)

# A4 portrait with the print's margins (templates/_document.css.j2), for the document's own pages.
DOCUMENT_PAGE = PageSetup(*PAPER_MM["A4"], (22.0, 18.0, 22.0, 18.0))
HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3, "h5": 3, "h6": 3}
CONTAINERS = {"body", "section", "div", "nav", "header", "footer", "aside", "main", "article", "blockquote"}
CONTAINERS |= {"form", "fieldset", "figcaption"}
BLOCKS = {*CONTAINERS, *HEADINGS, "p", "ul", "ol", "li", "table", "figure", "svg", *CONTROLS, "label"}
Charts = Callable[[str, int], ChartPage | None]


def structure_of(html: str, charts: Charts) -> Structured:
    """The structure of `html`, a document render made; `charts(key, part)` is the layout's page for a chart part."""
    tree = lxml.html.document_fromstring(visible_controls(html))  # XML cannot hold them: they print as pictures
    builder = _StructureBuilder(charts)
    builder.container(tree.body, builder.blocks)
    meta = {m.get("name"): m.get("content", "") for m in tree.xpath("//meta[@name]")}
    title = tree.find(".//title")

    def running(role: str) -> str:
        found = tree.xpath(f"//*[@data-word='{role}']")
        return text(found[0]) if found else ""

    return Structured(
        title=text(title) if title is not None else "",
        page=DOCUMENT_PAGE,
        blocks=tuple(builder.blocks),
        running=Running(running("header-left"), running("header-right"), running("footer"), bool(builder.cover)),
        author=meta.get("author", ""),
        subject=meta.get("description", ""),
        keywords=meta.get("keywords", ""),
    )


class _StructureBuilder:
    def __init__(self, charts: Charts) -> None:
        self.charts = charts
        self.blocks: list[Block] = []
        self.cover = False

    def container(self, element: Any, out: list[Block]) -> None:
        """Blocks, and paragraphs of the text and inline elements between them."""
        role = element.get("data-word", "")
        if role == "chart-page":
            self.chart_page(element, out)
            return
        if role == "beside":
            self.beside(element, out)
            return
        if role == "contents":
            self.contents(element, out)
            return
        if role == "columns":
            out.append(Columns(2))
        inline: list[Any] = [element.text or ""]
        for child in element:
            if isinstance(child.tag, str) and child.tag in BLOCKS and not is_inline_label(child):
                paragraph(inline, out)
                inline = []
                self.block(child, out)
            elif isinstance(child.tag, str):
                inline.append(child)
            inline.append(child.tail or "")
        paragraph(inline, out)
        if role == "columns":
            out.append(Columns(1))
        if role == "cover":
            self.cover = True
            out.append(PageBreak())

    def block(self, element: Any, out: list[Block]) -> None:
        tag = element.tag
        if element.get("data-word") == "new-page":
            out.append(PageBreak())
        if element.get("data-word") != "chart-page" and (field := form(element)) is not None:
            out.append(field)
        elif tag in HEADINGS:
            out.append(Heading(HEADINGS[tag], inlines(element), element.get("id", "")))
        elif tag == "p":
            paragraph([element.text or "", *children(element)], out)
        elif tag in ("ul", "ol"):
            out.append(self.listing(element))
        elif tag == "table":
            self.table(element, out)
        elif tag in ("figure", "svg"):
            self.figure(element, out)
        elif tag not in (*CONTROLS, "label"):
            self.container(element, out)

    def listing(self, element: Any) -> ListBlock:
        own = element.get("data-word") == "numbered"  # the items print their own numbers
        items = []
        for li in element.iterchildren("li"):
            blocks: list[Block] = []
            self.container(li, blocks)
            items.append(ListItem(tuple(blocks)))
        start = None if own or element.tag == "ul" else int(element.get("start", "1") or 1)
        return ListBlock(tuple(items), start, bullets=element.tag == "ul")

    def table(self, element: Any, out: list[Block]) -> None:
        for caption in element.iterchildren("caption"):  # a table's caption is a heading in Word
            out.append(Heading(3, inlines(caption)))
        rows = element.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        cells = []
        for row in rows:
            found = []
            for cell in row.xpath("th|td"):
                blocks: list[Block] = []
                self.container(cell, blocks)
                found.append(Cell(tuple(blocks), header=cell.tag == "th"))
            cells.append(tuple(found))
        if cells:
            out.append(Table(tuple(cells), header_rows=len(element.xpath("./thead/tr"))))

    def figure(self, element: Any, out: list[Block], page: ChartPage | None = None) -> None:
        svg = element if element.tag == "svg" else element.find(".//svg")
        if svg is not None and page is not None:
            title = svg.find("title")
            width, height = _svg_mm(page.chart.svg)
            out.append(Figure(page.chart.svg, text(title) if title is not None else "", width, height))
        for caption in element.iterchildren("figcaption"):
            self.container(caption, out)

    def chart_page(self, element: Any, out: list[Block]) -> None:
        """A page of its own, on the paper the layout chose for this part of the chart."""
        part = element.get("data-part", "1") or "1"
        page = self.charts(element.get("data-chart", ""), int(part) if part.isdigit() else 0)
        if page is None:
            raise ValueError(f"no laid-out chart {element.get('data-chart')!r} part {element.get('data-part')}")
        width, height = PAPER_MM[page.size]
        width, height = (height, width) if page.landscape else (width, height)
        _start(out, PageSetup(width, height, (PAGE_MARGIN_MM, SIDE_MARGIN_MM) * 2))
        inner: list[Block] = []
        self.container_with_chart(element, inner, page)
        out += inner
        _start(out, DOCUMENT_PAGE)

    def container_with_chart(self, element: Any, out: list[Block], page: ChartPage) -> None:
        inline: list[Any] = [element.text or ""]
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag in ("figure", "svg"):
                self.figure(child, out, page)
            elif child.get("data-word") == "beside" or child.find(".//svg") is not None:
                self.beside(child, out, page)
            elif child.tag in BLOCKS:
                paragraph(inline, out)
                inline = []
                self.block(child, out)
            else:
                inline.append(child)
            inline.append(child.tail or "")
        paragraph(inline, out)

    def beside(self, element: Any, out: list[Block], page: ChartPage | None = None) -> None:
        """A chart with its steps in words beside it, when the layout put them there."""
        left: list[Block] = []
        right: list[Block] = []
        for child in element.iterchildren():
            if child.tag in ("figure", "svg") and page is not None:
                self.figure(child, left, page)
            elif isinstance(child.tag, str):
                self.block(child, right)
        if page is not None and page.beside and left and right:
            first = left[0]
            out.append(SideBySide(tuple(left), tuple(right), first.width_mm if isinstance(first, Figure) else 0))
        else:
            out += left + right

    def contents(self, element: Any, out: list[Block]) -> None:
        """The contents: its heading, then a field Word fills in (the printed lines show until it does)."""
        for heading in element.iterchildren(*HEADINGS):
            out.append(Heading(HEADINGS[heading.tag], inlines(heading), heading.get("id", "")))
        entries = [Paragraph(inlines(li)) for li in element.iter("li")]
        out += [Contents(tuple(entries)), PageBreak()]


def _start(out: list[Block], page: PageSetup) -> None:
    if out and isinstance(out[-1], PageStart):  # nothing on the page between: one start
        out.pop()
    out.append(PageStart(page))


_SIZE = re.compile(r'<svg width="([\d.]+)mm" height="([\d.]+)mm"')


def _svg_mm(svg: str) -> tuple[float, float]:
    """The printed size the layout gave a chart (`layout/sheet.py` fit_chart writes it in mm)."""
    match = _SIZE.search(svg)
    if not match:
        raise ValueError("a laid-out chart has no printed size")
    return float(match.group(1)), float(match.group(2))
