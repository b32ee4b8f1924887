"""Write stage, Word: the page around the words: paper, fonts, header, footer, contents field.

Fonts are named outright in every style, with no theme font beside them (Word lets a theme
font win, which is how headings came out in Cambria). The header is a two-cell table, so a
long school name wraps inside its cell instead of running into the title.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from policypack.model.text import visible_controls
from policypack.model.theme import Theme
from policypack.render.document import PageSetup, Running
from policypack.write.word.ooxml import add_field, has_words, rgb

HEADER_FOOTER_MM = 9.0  # from the page's edge
# The longest footer (at 8 pt) that shares one line with "Page N of M" on A4: about the 75 % of the
# width the PDF gives it. A longer one would wrap, so the page numbers go on a line of their own.
FOOTER_ONE_LINE = 90
HEADING_SIZES = {"Title": 22, "Heading 1": 15, "Heading 2": 12.5, "Heading 3": 11}
TOC_LEVELS = "1-2"


def set_page(section: Any, page: PageSetup) -> None:
    """A section's paper and margins, as the structure (so the layout) chose them."""
    section.orientation = WD_ORIENT.LANDSCAPE if page.width_mm > page.height_mm else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
    top, right, bottom, left = page.margin_mm
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    section.header_distance = section.footer_distance = Mm(HEADER_FOOTER_MM)


def new_section(document: Any, page: PageSetup) -> None:
    """What follows starts a new page set up as `page`; header and footer carry on as before."""
    set_page(document.add_section(WD_SECTION.NEW_PAGE), page)


def set_fonts(document: Any, theme: Theme) -> None:
    """The brand's body font in Normal and the defaults, its heading font in Title and Heading 1-3."""
    styles = document.styles
    _name_font(styles.element.find(qn("w:docDefaults")), theme.font)
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.color.rgb = rgb(theme.ink)
    normal.paragraph_format.space_after = Pt(5)
    normal.paragraph_format.line_spacing = 1.15
    _name_font(normal.element, theme.font)
    for name, size in HEADING_SIZES.items():
        style = styles[name]
        style.font.color.rgb = rgb(theme.accent)
        style.font.size = Pt(size)
        style.font.bold = True
        style.paragraph_format.space_before = Pt(8 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
        _name_font(style.element, theme.headings)
    for fonts in styles.element.iter(qn("w:rFonts")):  # other styles too: none may name a theme font
        for attribute in [a for a in fonts.attrib if a.lower().endswith("theme")]:
            kind = fonts.attrib.pop(attribute)
            fonts.set(qn("w:ascii"), theme.headings if kind.startswith("major") else theme.font)
            fonts.set(qn("w:hAnsi"), fonts.get(qn("w:ascii")))
    title = styles["Title"].element.get_or_add_pPr()
    for border in title.findall(qn("w:pBdr")):  # python-docx's Title has a rule under it: the PDF has none
        title.remove(border)


def _name_font(element: Any, font: str) -> None:
    """`font` for every script in `element`'s run properties, and no theme font to override it."""
    if element is None:
        return
    properties = element.find(f".//{qn('w:rPr')}")
    if properties is None:
        properties = parse_xml(f"<w:rPr {nsdecls('w')}/>")
        element.append(properties)
    for old in properties.findall(qn("w:rFonts")):
        properties.remove(old)
    fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), font)
    properties.insert(0, fonts)


def page_furniture(document: Any, running: Running, keep: bool, page: PageSetup, page_of: Sequence[str]) -> None:
    """Header: the school and the title; footer: where the words come from, and page numbers.

    A letterhead's own header and footer (`keep`) stay as the school made them.
    """
    section = document.sections[0]
    if keep and (has_words(section.header) or has_words(section.footer)):
        return
    if running.left or running.right:
        _header(section.header, running, page)
    footers = [section.footer]
    if running.own_first_page:
        section.different_first_page_header_footer = True
        footers.append(section.first_page_footer)
    for footer in footers:
        line = footer.paragraphs[0]
        line.paragraph_format.tab_stops.add_tab_stop(Mm(page.text_width_mm), WD_TAB_ALIGNMENT.RIGHT)
        words = visible_controls(running.footer) if running.footer else ""
        if words:
            line.add_run(words).font.size = Pt(8)
        if len(words) > FOOTER_ONE_LINE:  # too long to share a line with the page numbers: they go under it
            line = footer.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            line.add_run(page_of[0])
        else:  # on one line, as in the PDF: the words at the left, the page numbers at the right margin
            line.add_run(f"\t{page_of[0]}")
        add_field(line, "PAGE", "1", 8.5)
        line.add_run(page_of[1])
        add_field(line, "NUMPAGES", "1", 8.5)
        for run in line.runs:
            run.font.size = Pt(8.5)


def _header(header: Any, running: Running, page: PageSetup) -> None:
    """Two cells: the school on the left, the title on the right, each wrapping in its own width."""
    total = page.text_width_mm
    left_share = min(0.62, max(0.38, len(running.left) / max(1, len(running.left) + len(running.right))))
    table = header.add_table(1, 2, Mm(total))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for cell, text, width, align in (
        (table.cell(0, 0), running.left, total * left_share, WD_ALIGN_PARAGRAPH.LEFT),
        (table.cell(0, 1), running.right, total * (1 - left_share), WD_ALIGN_PARAGRAPH.RIGHT),
    ):
        cell.width = Mm(width)
        paragraph = cell.paragraphs[0]
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run(visible_controls(text)).font.size = Pt(8.5)
    empty = header.paragraphs[0]  # the header's own first paragraph, kept small under the table
    empty.paragraph_format.space_after = Pt(0)
    header._element.remove(empty._p)
    header._element.append(empty._p)
    empty.add_run().font.size = Pt(2)


def contents_field(paragraphs: list[Any]) -> None:
    """A TOC field over `paragraphs` (the contents' entries, already written): Word rebuilds it, with
    page numbers, from the headings; until then it shows the entries."""
    if not paragraphs:
        return
    first, last = paragraphs[0]._p, paragraphs[-1]._p
    begin = parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>')
    toc = f' TOC \\o "{TOC_LEVELS}" \\h \\z \\u '
    instruction = parse_xml(f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve">{toc}</w:instrText></w:r>')
    separate = parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>')
    end = parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>')
    properties = first.find(qn("w:pPr"))
    at = 1 if properties is not None else 0
    for offset, run in enumerate((begin, instruction, separate)):
        first.insert(at + offset, run)
    last.append(end)


def update_fields_on_open(document: Any) -> None:
    """Word asks to update the document's fields (the contents) when it opens the file."""
    settings = document.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    settings.append(parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'))
