"""Write stage, Word: a paragraph's runs from the structure's inline pieces.

Text is only ever added as run text, so nothing a school wrote can become Word markup; a
link becomes a Word hyperlink (to a bookmark inside the document, or to a web, mail or
phone address, and never anything else).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from policypack.model.text import visible_controls
from policypack.render.document import Inline, LineBreak, Picture, Text

LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def add_inlines(
    paragraph: Any,
    inlines: Sequence[Inline],
    picture: Callable[[Any, Picture], None],
    link_colour: RGBColor | None = None,
    bold: bool = False,
    size: float | None = None,
) -> None:
    """`inlines` as runs of `paragraph`; `picture` puts a picture into a run."""
    for piece in inlines:
        if isinstance(piece, LineBreak):
            paragraph.add_run().add_break()
        elif isinstance(piece, Picture):
            picture(paragraph.add_run(), piece)
        else:
            run = paragraph.add_run()
            run._r.add_t(visible_controls(piece.text))  # white space is already collapsed: no tabs or breaks
            run.bold = True if bold or piece.bold else None
            run.italic = True if piece.italic else None
            if size is not None:
                run.font.size = Pt(size)
            if piece.link:
                _link(paragraph, run, piece, link_colour)


def _link(paragraph: Any, run: Any, piece: Text, colour: RGBColor | None) -> None:
    """The run just added, inside a hyperlink (joined to the one before when it has the same target)."""
    target = piece.link
    element = run._r
    previous = element.getprevious()
    if previous is not None and previous.tag == qn("w:hyperlink") and previous.get("data-target") == target:
        previous.append(element)
        return
    if target.startswith("#"):
        link = OxmlElement("w:hyperlink", {qn("w:anchor"): bookmark_name(target[1:]), qn("w:history"): "1"})
    elif target.startswith(LINK_SCHEMES):
        r_id = paragraph.part.relate_to(target, RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink", {qn("r:id"): r_id, qn("w:history"): "1"})
        run.font.underline = True
        if colour is not None:
            run.font.color.rgb = colour
    else:
        return  # any other kind of address stays plain text
    link.set("data-target", target)  # removed before saving (see `finish_links`)
    element.addprevious(link)
    link.append(element)


def finish_links(body: Any) -> None:
    for link in body.iter(qn("w:hyperlink")):
        link.attrib.pop("data-target", None)


def bookmark_name(anchor: str) -> str:
    """A Word bookmark name for an HTML id: hidden (a leading _), letters, digits and _ only, 40 at most."""
    return ("_pp_" + re.sub(r"[^A-Za-z0-9_]", "_", anchor))[:40]


def mark(paragraph: Any, anchor: str, number: int) -> None:
    """A bookmark around the whole of `paragraph`, for links to the HTML id `anchor`."""
    ids = {qn("w:id"): str(number)}
    start = OxmlElement("w:bookmarkStart", {**ids, qn("w:name"): bookmark_name(anchor)})
    properties = paragraph.pPr
    properties.addnext(start) if properties is not None else paragraph.insert(0, start)
    paragraph.append(OxmlElement("w:bookmarkEnd", ids))


def plain(inlines: Sequence[Inline]) -> str:
    return "".join(piece.text for piece in inlines if isinstance(piece, Text))
