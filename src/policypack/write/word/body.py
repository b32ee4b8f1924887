"""Write stage, Word: the body of a Word file, block by block, from a document's HTML.

Headings become Word's Title and Heading 1-3 styles, lists Word lists (numbered by the
charts' step numbers), tables stay tables, and each chart becomes a 300 dpi picture whose
alternative text is its numbered outline. Text is only ever added as text.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from policypack.model.theme import Theme
from policypack.write.pdf import BuildFailed
from policypack.write.raster import Rasteriser, fit_mm, svg_size_mm
from policypack.write.word.ooxml import (
    describe,
    ensure_styles,
    image_bytes,
    number_paragraph,
    numbering,
    rgb,
    start_columns,
)
from policypack.write.word.runs import (
    Runs,
    children_with_tails,
    has_content,
    mark,
    number_in,
    own_number,
    text_of,
)

PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"top": 24.0, "bottom": 26.0, "left": 18.0, "right": 18.0}
HEADER_FOOTER_MM = 10.0  # from the page's edge
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
# A chart fits on the page its part starts on, below the headings and the part's summary.
CHART_BOX_MM = (TEXT_WIDTH_MM, 170.0)
LOGO_HEIGHT_MM, LOGO_MAX_WIDTH_MM = 20.0, 60.0
HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3", "h5": "Heading 3"}
CONTAINERS = {"body", "section", "div", "nav", "header", "footer", "aside", "main", "article", "blockquote"}
BLOCKS = {*CONTAINERS, *HEADING_STYLES, "h6", "p", "ul", "ol", "li", "table", "figure", "svg"}
BREAK_BEFORE, BREAK_AFTER = {"chart-page"}, {"cover", "contents", "chart-page"}
_LITERAL_NUMBER = re.compile(r"^\s*\d+[.)]\s")


class BodyBuilder:
    """Appends a document's blocks to a Word body, in the school's theme."""

    def __init__(self, document: Any, theme: Theme, raster: Rasteriser, allowed: list[Path], svgs: Any) -> None:
        self.document, self.theme, self.raster, self.allowed, self.svgs = document, theme, raster, allowed, svgs
        self.break_next = False
        self.item: dict[str, Any] | None = None  # the list item being written: its numId, or None
        self.section_end = document.element.body.find(qn("w:sectPr"))  # new paragraphs go before it
        self.style_ids: dict[str, str] = {}
        self.last: Any = None  # the paragraph written last, if the last call wrote one
        self.marks = 0  # bookmarks so far

    def prepare(self, styled: bool) -> None:
        """An empty body; unless a letterhead gives them, A4 pages and the brand's font and colours."""
        body = self.document.element.body
        for child in [c for c in body if not c.tag.endswith("}sectPr")]:
            body.remove(child)
        if not styled:
            ensure_styles(self.document)
            return
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        for side, mm in MARGINS_MM.items():
            setattr(section, f"{side}_margin", Mm(mm))
        section.header_distance = section.footer_distance = Mm(HEADER_FOOTER_MM)
        styles = self.document.styles
        styles["Normal"].font.name = self.theme.font
        styles["Normal"].font.size = Pt(10.5)
        styles["Normal"].font.color.rgb = rgb(self.theme.ink)
        styles["Normal"].paragraph_format.space_after = Pt(5)
        styles["Normal"].paragraph_format.line_spacing = 1.15
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            styles[name].font.name = self.theme.font
            styles[name].font.color.rgb = rgb(self.theme.accent)

    # Blocks

    def container(self, element: Any) -> None:
        """An element holding blocks, or text and inline elements that make paragraphs between them."""
        classes = set(element.get("class", "").split())
        if classes & BREAK_BEFORE:
            self.break_next = True
        if "columns" in classes:  # a two-column part of a page, as the staff card and leaflet have
            start_columns(self.document, 2)
        inline: list[Any] = [element.text or ""]
        for child in element:
            if isinstance(child.tag, str) and child.tag in BLOCKS:
                self.paragraph(inline)
                inline = []
                self.block(child)
            elif isinstance(child.tag, str):
                inline.append(child)
            inline.append(child.tail or "")
        self.paragraph(inline)
        if "columns" in classes:
            start_columns(self.document, 1)
        if classes & BREAK_AFTER:
            self.break_next = True

    def block(self, element: Any) -> None:
        tag = element.tag
        if tag in HEADING_STYLES or tag == "h6":
            style = HEADING_STYLES.get(element.tag, "Heading 3")  # numbers are in the headings' own text
            self.paragraph([element.text or "", *children_with_tails(element)], style)
            if element.get("id") and self.last is not None:  # a target of the contents' links
                self.marks += 1
                mark(self.last._p, element.get("id"), self.marks)
        elif tag == "p":
            self.paragraph([element.text or "", *children_with_tails(element)])
        elif tag in ("ul", "ol"):
            self.listing(element)
        elif tag == "table":
            self.table(element)
        elif tag in ("figure", "svg"):
            self.figure(element)
        else:
            self.container(element)

    def new_paragraph(self, style: str | None = None) -> Any:
        """A paragraph at the end of the body (python-docx's own lookups, done once, are most of the cost)."""
        p = OxmlElement("w:p")
        self.section_end.addprevious(p) if self.section_end is not None else self.document.element.body.append(p)
        paragraph = Paragraph(p, self.document._body)
        if style:
            if style not in self.style_ids:
                self.style_ids[style] = self.document.styles[style].style_id
            p.get_or_add_pPr().style = self.style_ids[style]
        if self.break_next:
            paragraph.paragraph_format.page_break_before = True
            self.break_next = False
        if self.item is not None:
            paragraph.paragraph_format.space_after = Pt(3)
            if self.item["num"] is not None and not self.item["started"]:
                number_paragraph(paragraph, self.item["num"])
            else:
                paragraph.paragraph_format.left_indent = Mm(8)
            self.item["started"] = True
        return paragraph

    def paragraph(self, inline: list[Any], style: str | None = None) -> None:
        """One paragraph of text and inline elements; nothing when they hold no text or picture."""
        self.last = None
        if not any(has_content(node) for node in inline):
            return
        paragraph = self.last = self.new_paragraph(style)
        writer = Runs(self, paragraph)
        for node in inline:
            writer.node(node)
        writer.finish()

    def listing(self, element: Any) -> None:
        """A list: Word's own numbers when the items' printed numbers are 1, 2, 3... or there are none."""
        items = [li for li in element if li.tag == "li"]
        own = [own_number(li) for li in items]
        counted = all(n is not None for n in own) and [number_in(n) for n in own] == list(range(1, len(items) + 1))
        written = any(n is not None for n in own) or any(_LITERAL_NUMBER.match(text_of(li)) for li in items)
        if element.tag == "ul":
            num = numbering(self.document, "bullet")
        elif counted or not written:
            num = numbering(self.document, "decimal")
        else:
            num = None  # the items carry their own numbers, which Word's would repeat
        outer = self.item
        for li, number in zip(items, own, strict=True):
            self.item = {"num": num, "started": False, "hide": number if counted else None}
            self.container(li)
        self.item = outer

    def table(self, element: Any) -> None:
        rows = element.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        if not rows:
            return
        width = max(len(row.xpath("th|td")) for row in rows)
        table = self.document.add_table(rows=len(rows), cols=width)
        if "Table Grid" in {style.name for style in self.document.styles}:
            table.style = self.document.styles["Table Grid"]
        for r, row in enumerate(rows):
            if row.getparent().tag == "thead":
                row_properties = table.rows[r]._tr.get_or_add_trPr()
                row_properties.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
            for c, cell in enumerate(row.xpath("th|td")):
                writer = Runs(self, table.cell(r, c).paragraphs[0], bold=cell.tag == "th")
                writer.node_contents(cell)
                writer.finish()

    def figure(self, element: Any) -> None:
        svg = element if element.tag == "svg" else element.find(".//svg")
        if svg is not None:
            raw = next(self.svgs)
            title = svg.find("title")
            width, _ = fit_mm(svg_size_mm(raw), CHART_BOX_MM)
            paragraph = self.new_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            shape = paragraph.add_run().add_picture(io.BytesIO(self.raster.png(raw, width)), width=Mm(width))
            describe(shape, text_of(title) if title is not None else "")
        for caption in element.xpath("./figcaption"):
            self.container(caption)

    def picture(self, run: Any, element: Any) -> None:
        """An <img>: the school's logo, at the height the documents print it."""
        data, svg = image_bytes(element.get("src", ""), self.allowed)
        if svg:
            data = self.raster.png_by_height(data.decode("utf-8", errors="replace"), LOGO_HEIGHT_MM)
        try:
            shape = run.add_picture(io.BytesIO(data), height=Mm(LOGO_HEIGHT_MM))
        except Exception as exc:  # python-docx reads the picture's header: a broken one is the school's
            raise BuildFailed(f"a picture could not go into the Word file: {exc}") from exc
        if shape.width > Mm(LOGO_MAX_WIDTH_MM):
            shape.height = int(shape.height * Mm(LOGO_MAX_WIDTH_MM) / shape.width)
            shape.width = Mm(LOGO_MAX_WIDTH_MM)
        describe(shape, element.get("alt", ""))

    # The page: header and footer
