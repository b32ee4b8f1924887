"""Render stage: a document as structure, for writers that build their own pages (Word).

The print HTML is one rendering of a document; this is another, of the same words: headings
with their levels and anchors, paragraphs of runs (emphasis and links kept), lists with the
numbers the charts give, tables, form fields, and each chart as the layout placed it (its
page's paper and orientation, its printed size). A writer reads these values and never the
HTML, so a template's classes and styles can change without breaking it. Every piece of
wording here came from a template or the school's data: nothing is written in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Text:
    """A run of text; `link` is `#anchor` inside the document or an http(s), mailto or tel address."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str = ""


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class Picture:
    """The school's logo: a data: or file: address, which the writer checks."""

    src: str
    alt: str


Inline = Text | LineBreak | Picture


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Heading:
    """Level 0 is the document's title; 1-3 are its headings, as Word's Heading 1-3."""

    level: int
    inlines: tuple[Inline, ...]
    anchor: str = ""  # the target of links to it (`#anchor`)


@dataclass(frozen=True)
class ListItem:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ListBlock:
    """A list; `start` is the first number of a numbered list, None for bullets or for items that
    print their own numbers in their text."""

    items: tuple[ListItem, ...]
    start: int | None
    bullets: bool = False


@dataclass(frozen=True)
class Cell:
    blocks: tuple[Block, ...]
    header: bool = False


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]
    header_rows: int = 0  # repeated at the top of each page


FieldKind = Literal["line", "box", "choice", "tick", "signature"]


@dataclass(frozen=True)
class FormField:
    """A field to fill in: a line, a box of `lines`, one of `choices`, a tick box, a signature."""

    label: tuple[Inline, ...]
    kind: FieldKind
    lines: int = 1
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormRow:
    """Fields side by side; each cell holds one field or a few stacked."""

    cells: tuple[tuple[FormField, ...], ...]


@dataclass(frozen=True)
class PageSetup:
    """Paper in millimetres (already turned for landscape) and the margins the layout kept clear."""

    width_mm: float
    height_mm: float
    margin_mm: tuple[float, float, float, float]  # top, right, bottom, left

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - self.margin_mm[1] - self.margin_mm[3]


@dataclass(frozen=True)
class Figure:
    """A chart at the size the layout fitted it to its page, with its text alternative."""

    svg: str
    alt: str
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class PageStart:
    """What follows starts a new page set up as `page` (a chart page's paper, or back to the document's)."""

    page: PageSetup


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Columns:
    """What follows is set in `count` columns on the same page (1 ends the columns)."""

    count: int


@dataclass(frozen=True)
class Contents:
    """A table of contents the reader's word processor fills in from the headings; `entries` show
    until it does."""

    entries: tuple[Paragraph, ...]


@dataclass(frozen=True)
class SideBySide:
    """Two columns of blocks on one page, e.g. a chart and its steps in words."""

    left: tuple[Block, ...]
    right: tuple[Block, ...]
    left_mm: float


Block = (
    Paragraph
    | Heading
    | ListBlock
    | Table
    | FormRow
    | Figure
    | PageStart
    | PageBreak
    | Columns
    | Contents
    | SideBySide
    | FormField
)


@dataclass(frozen=True)
class Running:
    """The strings a page carries in its margins: the school and the title above, provenance below."""

    left: str = ""
    right: str = ""
    footer: str = ""
    own_first_page: bool = False  # a cover: page 1 has no header


@dataclass(frozen=True)
class Structured:
    """One document as structure: its properties, its page, its running strings and its blocks."""

    title: str
    page: PageSetup
    blocks: tuple[Block, ...]
    running: Running = field(default_factory=Running)
    author: str = ""
    subject: str = ""
    keywords: str = ""
