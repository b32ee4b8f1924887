"""Write stage, Word: text and inline elements into a paragraph's runs, as a browser would space them.

Text is only ever added as run text, so nothing a school wrote can become Word markup.
"""

from __future__ import annotations

import re
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

_SPACE = re.compile(r"\s+")
NUMBER_CLASSES = {"step-number", "n"}  # a list item's own printed number, e.g. <span class="n">3</span>


class Runs:
    """Text and inline elements into one paragraph's runs, with HTML's rules for white space."""

    def __init__(self, builder: Any, paragraph: Any, bold: bool = False) -> None:
        self.builder, self.paragraph, self.bold = builder, paragraph, bold
        self.space = True  # the paragraph starts as if after a space: leading space is dropped

    def text(self, text: str, bold: bool = False, italic: bool = False) -> None:
        text = _SPACE.sub(" ", text)
        if self.space:
            text = text.lstrip(" ")
        if text:
            run = self.paragraph.add_run()
            run._r.add_t(text)  # the text as it is: white space is already collapsed, so no tabs or breaks
            if bold or self.bold:
                run.bold = True
            if italic:
                run.italic = True
            self.space = text.endswith(" ")

    def node(self, node: Any, bold: bool = False, italic: bool = False) -> None:
        if isinstance(node, str):
            self.text(node, bold, italic)
            return
        if not isinstance(node.tag, str):  # a comment
            return
        item = self.builder.item
        if item is not None and node is item.get("hide"):
            return
        if node.tag == "br":
            self.paragraph.add_run().add_break()
            self.space = True
        elif node.tag == "a" and node.get("href", "").startswith("#"):
            start = len(self.paragraph._p)
            self.node_contents(node, bold, italic)
            link_runs(self.paragraph._p, start, node.get("href")[1:])
        elif node.tag == "img":
            self.builder.picture(self.paragraph.add_run(), node)
            self.space = False
        else:
            self.node_contents(node, bold or node.tag in ("strong", "b", "th"), italic or node.tag in ("em", "i"))
            if _set_on_its_own_line(node):
                self.paragraph.add_run().add_break()
                self.space = True

    def node_contents(self, element: Any, bold: bool = False, italic: bool = False) -> None:
        self.text(element.text or "", bold, italic)
        for child in element:
            self.node(child, bold, italic)
            self.text(child.tail or "", bold, italic)

    def finish(self) -> None:
        runs = self.paragraph.runs
        if runs and runs[-1].text.endswith(" "):
            runs[-1].text = runs[-1].text.rstrip(" ")


def bookmark_name(anchor: str) -> str:
    """A Word bookmark name for an HTML id: hidden (a leading _), letters, digits and _ only, 40 at most."""
    return ("_pp_" + re.sub(r"[^A-Za-z0-9_]", "_", anchor))[:40]


def link_runs(paragraph: Any, start: int, anchor: str) -> None:
    """The runs added to `paragraph` since child `start`, as a link to the bookmark for `anchor`."""
    runs = [child for child in list(paragraph)[start:] if child.tag == qn("w:r")]
    if runs:
        link = OxmlElement("w:hyperlink", {qn("w:anchor"): bookmark_name(anchor), qn("w:history"): "1"})
        runs[0].addprevious(link)
        link.extend(runs)


def mark(paragraph: Any, anchor: str, number: int) -> None:
    """A bookmark around the whole of `paragraph`, for links to the HTML id `anchor`."""
    ids = {qn("w:id"): str(number)}
    start = OxmlElement("w:bookmarkStart", {**ids, qn("w:name"): bookmark_name(anchor)})
    properties = paragraph.pPr
    properties.addnext(start) if properties is not None else paragraph.insert(0, start)
    paragraph.append(OxmlElement("w:bookmarkEnd", ids))


def _set_on_its_own_line(element: Any) -> bool:
    """A bold name run straight into the next word ("<strong>Ms Raman</strong>Deputy DSL") is one
    the stylesheet sets on a line of its own: a browser would never join two words so."""
    if not isinstance(element.tag, str) or element.tag not in ("strong", "b"):
        return False
    text, tail = element.text_content(), element.tail or ""
    return bool(text) and text[-1].isalnum() and tail[:1].isalnum()


def children_with_tails(element: Any) -> list[Any]:
    nodes: list[Any] = []
    for child in element:
        nodes += [child, child.tail or ""]
    return nodes


def has_content(node: Any) -> bool:
    if isinstance(node, str):
        return bool(node.strip())
    return isinstance(node.tag, str) and (node.tag == "img" or bool(node.xpath(".//img")) or bool(text_of(node)))


def text_of(element: Any) -> str:
    return _SPACE.sub(" ", element.text_content()).strip()


def own_number(li: Any) -> Any:
    for span in li.iter("span"):
        if set(span.get("class", "").split()) & NUMBER_CLASSES:
            return span
    return None


def number_in(element: Any) -> int:
    digits = re.sub(r"\D", "", text_of(element))
    return int(digits) if digits else -1
