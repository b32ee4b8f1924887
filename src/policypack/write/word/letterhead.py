"""Write stage: a Word file that takes from a school's letterhead only what is safe to take.

A letterhead is a whole Word package, and a package can carry much more than a look: an
attached template fetched from an address when the file opens, fields that fetch pictures
or run programs (INCLUDEPICTURE, DDEAUTO), links to network shares, altChunks of HTML,
embedded objects, macros. None of that may reach the files a school hands out. So the Word
copies are never built *in* the letterhead: each starts as a fresh, empty document, and
takes from the letterhead's checked bytes only
- its styles (by id, over python-docx's defaults, so the styles the writer needs are always there),
- the page size and margins of its first section,
- the plain text of its header and footer paragraphs, with their alignment and style names.
Relationships, fields, parts and pictures are left behind.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import docx
from docx.oxml.ns import qn

from policypack.load.letterhead import Letterhead
from policypack.model.text import visible_controls

PAGE_SETUP = ("w:pgSz", "w:pgMar")


def letterhead_document(letterhead: Letterhead) -> Any:
    """A fresh python-docx document with the letterhead's styles, page set-up and header/footer text."""
    source = docx.Document(io.BytesIO(letterhead.data))
    document = docx.Document()
    _copy_styles(source, document)
    _copy_page_setup(source, document)
    for kind in ("header", "footer"):
        _copy_text(getattr(source.sections[0], kind), getattr(document.sections[0], kind), document)
    return document


def _copy_styles(source: Any, document: Any) -> None:
    """The letterhead's style definitions and defaults replace the fresh document's of the same id."""
    target = document.styles.element
    given = source.styles.element
    defaults = given.find(qn("w:docDefaults"))
    if defaults is not None:
        old = target.find(qn("w:docDefaults"))
        if old is not None:
            old.addprevious(copy.deepcopy(defaults))
            target.remove(old)
    existing = {style.get(qn("w:styleId")): style for style in target.findall(qn("w:style"))}
    for style in given.findall(qn("w:style")):
        new = copy.deepcopy(style)
        old = existing.get(style.get(qn("w:styleId")))
        if old is not None:
            old.addprevious(new)
            target.remove(old)
        else:
            target.append(new)


def _copy_page_setup(source: Any, document: Any) -> None:
    given = source.sections[0]._sectPr
    target = document.sections[0]._sectPr
    for tag in PAGE_SETUP:
        found = given.find(qn(tag))
        if found is None:
            continue
        old = target.find(qn(tag))
        if old is not None:
            old.addprevious(copy.deepcopy(found))
            target.remove(old)
        else:
            target.append(copy.deepcopy(found))


def _copy_text(given: Any, target: Any, document: Any) -> None:
    """Each paragraph's text as text, in a paragraph of the same style (when it exists) and alignment."""
    names = {style.name for style in document.styles}
    first = True
    for paragraph in given.paragraphs:
        text = visible_controls(paragraph.text)
        if not text.strip():
            continue
        out = target.paragraphs[0] if first else target.add_paragraph()
        first = False
        try:
            style = paragraph.style.name if paragraph.style is not None else None
        except (KeyError, ValueError):  # a style the letterhead names but does not define
            style = None
        if style in names:
            out.style = document.styles[style]
        out.alignment = paragraph.alignment
        out.add_run(text)
