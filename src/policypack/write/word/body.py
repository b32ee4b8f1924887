"""Write stage, Word: the body of a Word file, block by block, from a document's structure.

Headings become Word's Title and Heading 1-3 styles, lists Word lists (numbered from the
charts' step numbers), tables stay tables with a paragraph between any two, form fields
become table cells to type into, and each chart becomes a 300 dpi picture at the size the
layout gave it, on a page of the paper the layout chose, described by its numbered outline.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as WordParagraph

from policypack.model.theme import Theme
from policypack.render import document as doc
from policypack.write.pdf import BuildFailed
from policypack.write.raster import Rasteriser
from policypack.write.word.ooxml import describe, image_bytes, number_paragraph, numbering, rgb, start_columns
from policypack.write.word.page import contents_field, new_section
from policypack.write.word.runs import add_inlines, mark

LOGO_HEIGHT_MM, LOGO_MAX_WIDTH_MM = 16.0, 60.0
HEADING_STYLES = {0: "Title", 1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
TABLE_TEXT_PT = 9.5
BOX = "\u2610"  # a box to tick, or to circle an answer beside


class BodyBuilder:
    """Appends a structure's blocks to a Word body, in the school's theme."""

    def __init__(self, document: Any, theme: Theme, raster: Rasteriser, allowed: list[Path]) -> None:
        self.document, self.theme, self.raster, self.allowed = document, theme, raster, allowed
        self.break_next = False
        self.item: dict[str, Any] | None = None  # the list item being written: its numId, or None
        self.style_ids: dict[str, str] = {}
        self.marks = 0  # bookmarks so far
        self.last: Any = None  # the block written last
        self.link_colour = rgb(theme.accent)

    def empty(self) -> None:
        body = self.document.element.body
        for child in [c for c in body if not c.tag.endswith("}sectPr")]:
            body.remove(child)

    def blocks(self, blocks: tuple[doc.Block, ...]) -> None:
        for block in blocks:
            self.block(block)

    def block(self, block: doc.Block) -> None:
        if isinstance(block, doc.Table | doc.FormRow | doc.FormField | doc.SideBySide) and isinstance(
            self.last, doc.Table | doc.FormRow | doc.FormField | doc.SideBySide
        ):
            self.spacer()  # two tables side by side in Word are one table: keep them apart
        if isinstance(block, doc.Paragraph):
            self.paragraph(block.inlines)
        elif isinstance(block, doc.Heading):
            paragraph = self.paragraph(block.inlines, HEADING_STYLES[block.level])
            if block.anchor:  # a target of the contents' links
                self.marks += 1
                mark(paragraph._p, block.anchor, self.marks)
        elif isinstance(block, doc.ListBlock):
            self.listing(block)
        elif isinstance(block, doc.Table):
            self.table(block)
        elif isinstance(block, doc.FormRow | doc.FormField):
            self.form(block.cells if isinstance(block, doc.FormRow) else ((block,),))
        elif isinstance(block, doc.Figure):
            self.figure(block, self.new_paragraph())
        elif isinstance(block, doc.SideBySide):
            self.side_by_side(block)
        elif isinstance(block, doc.PageStart):
            new_section(self.document, block.page)
            self.break_next = False  # the section starts the page
        elif isinstance(block, doc.PageBreak):
            self.break_next = True
        elif isinstance(block, doc.Columns):
            start_columns(self.document, block.count)
        elif isinstance(block, doc.Contents):
            contents_field([self.paragraph(entry.inlines) for entry in block.entries])
        self.last = block

    def new_paragraph(self, style: str | None = None, container: Any = None) -> Any:
        """A paragraph at the end of the body, or of `container` (a table cell)."""
        p = OxmlElement("w:p")
        if container is not None:
            container._tc.append(p)
            paragraph = WordParagraph(p, container)
        else:
            body = self.document.element.body
            end = body.find(qn("w:sectPr"))
            end.addprevious(p) if end is not None else body.append(p)
            paragraph = WordParagraph(p, self.document._body)
        if style:
            if style not in self.style_ids:
                self.style_ids[style] = self.document.styles[style].style_id
            p.get_or_add_pPr().style = self.style_ids[style]
        if self.break_next and container is None:
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

    def paragraph(
        self, inlines: tuple[doc.Inline, ...], style: str | None = None, container: Any = None, **look: Any
    ) -> Any:
        paragraph = self.new_paragraph(style, container)
        add_inlines(paragraph, inlines, self.picture, self.link_colour, **look)
        return paragraph

    def listing(self, block: doc.ListBlock) -> None:
        """A list: Word's own numbers from `start` (a chart's steps), bullets, or the items' own numbers."""
        if block.bullets:
            num: int | None = numbering(self.document, "bullet")
        elif block.start is not None:
            num = numbering(self.document, "decimal", block.start)
        else:
            num = None
        outer = self.item
        for item in block.items:
            self.item = {"num": num, "started": False}
            last = self.last
            self.blocks(item.blocks)
            self.last = last
        self.item = outer

    def cell_blocks(self, cell: Any, blocks: tuple[doc.Block, ...], bold: bool = False) -> None:
        """A table cell's blocks, as compact paragraphs (a list's items one to a line)."""
        for block in blocks:
            if isinstance(block, doc.ListBlock):
                self.cell_blocks(cell, tuple(b for item in block.items for b in item.blocks), bold)
                continue
            if isinstance(block, doc.Heading):  # a heading beside a chart is still a heading
                paragraph = self.paragraph(block.inlines, HEADING_STYLES[max(3, block.level)], container=cell)
                paragraph.paragraph_format.space_before = Pt(0)
                continue
            inlines = block.inlines if isinstance(block, doc.Paragraph) else ()
            paragraph = self.paragraph(inlines, container=cell, bold=bold, size=TABLE_TEXT_PT)
            paragraph.paragraph_format.space_after = Pt(1)

    def new_table(self, rows: int, columns: int, grid: bool = True) -> Any:
        table = self.document.add_table(rows=rows, cols=columns)
        if grid and "Table Grid" in {style.name for style in self.document.styles}:
            table.style = self.document.styles["Table Grid"]
        for row in table.rows:
            for cell in row.cells:
                cell._tc.remove(cell.paragraphs[0]._p)  # each cell gets its own paragraphs
        return table

    def table(self, block: doc.Table) -> None:
        width = max(len(row) for row in block.rows)
        table = self.new_table(len(block.rows), width)
        set_widths(table, column_shares(block.rows, width), self.text_width_mm())
        for r, row in enumerate(block.rows):
            if r < block.header_rows:
                table.rows[r]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
            for c in range(width):
                cell = table.cell(r, c)
                if c < len(row):
                    self.cell_blocks(cell, row[c].blocks, bold=row[c].header)
                if not cell.paragraphs:
                    self.new_paragraph(container=cell)

    def form(self, cells: tuple[tuple[doc.FormField, ...], ...]) -> None:
        """Fields side by side, each a cell: its label, then room to type, tick or sign."""
        table = self.new_table(1, len(cells))
        for c, fields in enumerate(cells):
            cell = table.cell(0, c)
            for field in fields:
                self.field(cell, field)

    def field(self, cell: Any, field: doc.FormField) -> None:
        if field.kind == "tick":
            label = self.paragraph((doc.Text(f"{BOX} "), *field.label), container=cell, size=TABLE_TEXT_PT)
            label.paragraph_format.space_after = Pt(2)
            return
        label = self.paragraph(field.label, container=cell, bold=True, size=TABLE_TEXT_PT)
        label.paragraph_format.space_after = Pt(1)
        if field.kind == "choice":
            answers = "    ".join(f"{BOX} {choice}" for choice in field.choices)
            self.paragraph((doc.Text(answers),), container=cell, size=TABLE_TEXT_PT)
            return
        lines = {"line": 1, "box": field.lines, "signature": 3}[field.kind]
        for _ in range(lines):  # room to type (the row grows as the answer does)
            self.paragraph((), container=cell, size=10).paragraph_format.space_after = Pt(2)

    def text_width_mm(self) -> float:
        section = self.document.sections[-1]
        return float((section.page_width - section.left_margin - section.right_margin) / Mm(1))

    def side_by_side(self, block: doc.SideBySide) -> None:
        """A chart and its steps in words, in a table with no borders (as the PDF sets them)."""
        table = self.new_table(1, 2, grid=False)
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        text_width = self.text_width_mm()
        left_share = min(0.8, (block.left_mm + 2) / text_width)
        set_widths(table, [left_share, 1 - left_share], text_width)
        left, right = table.cell(0, 0), table.cell(0, 1)
        for item in block.left:
            if isinstance(item, doc.Figure):
                self.figure(item, self.new_paragraph(container=left))
        self.cell_blocks(right, block.right)
        for cell in (left, right):
            if not cell.paragraphs:
                self.new_paragraph(container=cell)

    def spacer(self) -> None:
        paragraph = self.new_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run().font.size = Pt(4)

    def figure(self, figure: doc.Figure, paragraph: Any) -> None:
        """A chart at the width the layout gave it, drawn at 300 dpi."""
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        look = paragraph.paragraph_format
        look.keep_with_next, look.line_spacing, look.space_before, look.space_after = False, 1.0, Pt(0), Pt(0)
        png = self.raster.png(figure.svg, figure.width_mm)
        shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(figure.width_mm))
        describe(shape, figure.alt)

    def picture(self, run: Any, picture: doc.Picture) -> None:
        """The school's logo, at the height the documents print it."""
        data, svg = image_bytes(picture.src, self.allowed)
        if svg:
            data = self.raster.png_by_height(data.decode("utf-8", errors="replace"), LOGO_HEIGHT_MM)
        try:
            shape = run.add_picture(io.BytesIO(data), height=Mm(LOGO_HEIGHT_MM))
        except Exception as exc:  # python-docx reads the picture's header: a broken one is the school's
            raise BuildFailed(f"a picture could not go into the Word file: {exc}") from exc
        if shape.width > Mm(LOGO_MAX_WIDTH_MM):
            shape.height = int(shape.height * Mm(LOGO_MAX_WIDTH_MM) / shape.width)
            shape.width = Mm(LOGO_MAX_WIDTH_MM)
        describe(shape, picture.alt)


def column_shares(rows: tuple[tuple[doc.Cell, ...], ...], width: int) -> list[float]:
    """Each column's share of the table's width, by the length of its longest line (within limits),
    so that an e-mail address is not broken mid-word in a narrow column."""
    longest = [8] * width
    for row in rows:
        for c, cell in enumerate(row):
            for block in cell.blocks:
                if isinstance(block, doc.Paragraph):
                    words = sum(len(piece.text) for piece in block.inlines if isinstance(piece, doc.Text))
                    longest[c] = max(longest[c], min(words, 45))
    total = sum(longest)
    shares = [max(0.12, length / total) for length in longest]
    return [share / sum(shares) for share in shares]


def set_widths(table: Any, shares: list[float], total_mm: float) -> None:
    """Fixed column widths, as Word and LibreOffice both honour them."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for column, share in zip(grid.findall(qn("w:gridCol")), shares, strict=False):
        column.set(qn("w:w"), str(round(share * total_mm * 56.7)))
    for row in table.rows:
        for cell, share in zip(row.cells, shares, strict=False):
            cell.width = Mm(share * total_mm)
