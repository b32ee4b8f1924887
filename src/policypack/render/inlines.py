"""Render stage: the pieces of structure that live inside a block: runs of text, form fields.

White space follows HTML's rules (runs of spaces collapse, none at a paragraph's ends); a
form field is one control with its label and hint, and a row is up to four fields side by
side, as the form prints them.
"""

from __future__ import annotations

import re
from typing import Any

from policypack.render.document import Block, FormField, FormRow, Inline, LineBreak, Paragraph, Picture, Text

CONTROLS = ("input", "textarea", "select")
_SPACE = re.compile(r"\s+")
NBSP = "\u00a0"  # a no-break space: Word keeps the words either side on one line


def form(element: Any) -> FormField | FormRow | None:
    """A form field (one control and its label), or a row of up to four fields side by side."""
    controls = controls_in(element)
    if not controls or element.tag in ("label", *CONTROLS):
        return None
    if len(controls) == 1:
        return field(element, controls[0])
    cells = [child for child in element.iterchildren() if isinstance(child.tag, str)]
    if not 2 <= len(cells) <= 4 or (element.text or "").strip():
        return None
    stacks = []
    for cell in cells:
        inner = [cell] if len(controls_in(cell)) == 1 else [c for c in cell.iterchildren() if isinstance(c.tag, str)]
        if not all(len(controls_in(c)) == 1 for c in inner):
            return None
        stacks.append(tuple(field(c, controls_in(c)[0]) for c in inner))
    return FormRow(tuple(stacks))


def controls_in(element: Any) -> list[Any]:
    found: list[Any] = element.xpath(".//input[not(@type='hidden')]|.//textarea|.//select|.//*[@data-word='signature']")
    return found


def field(element: Any, control: Any) -> FormField:
    label = tuple(piece for piece in inlines(element, skip=control) if not isinstance(piece, LineBreak))
    if control.tag == "select":
        options = list(control.iterchildren("option"))
        shown = [option for option in options if option.get("selected") is None] or options
        return FormField(label, "choice", choices=tuple(text(option) for option in shown))
    if control.tag == "textarea":
        return FormField(label, "box", lines=max(2, int(control.get("rows", "3") or 3)))
    if control.get("type") == "checkbox":
        return FormField(label, "tick")
    return FormField(label, "signature" if control.get("data-word") == "signature" else "line")


def is_inline_label(element: Any) -> bool:
    return element.tag == "label" and not controls_in(element)


def paragraph(inline: list[Any], out: list[Block]) -> None:
    pieces = collapse(inline)
    if any(isinstance(p, Picture) or (isinstance(p, Text) and p.text.strip()) for p in pieces):
        out.append(Paragraph(pieces))


def inlines(element: Any, skip: Any = None) -> tuple[Inline, ...]:
    return collapse([element.text or "", *children(element)], skip)


def children(element: Any) -> list[Any]:
    nodes: list[Any] = []
    for child in element:
        nodes += [child, child.tail or ""]
    return nodes


def collapse(nodes: list[Any], skip: Any = None) -> tuple[Inline, ...]:
    """Inline nodes as runs, with HTML's white-space rules: spaces collapse, none at either end."""
    pieces: list[Inline] = []
    for node in nodes:
        inline(node, pieces, False, False, "", skip)
    text_at = [i for i, p in enumerate(pieces) if isinstance(p, Text)]
    space = True
    for i in text_at:
        piece = pieces[i]
        assert isinstance(piece, Text)
        text = piece.text.lstrip(" ") if space else piece.text
        pieces[i] = Text(text, piece.bold, piece.italic, piece.link)
        space = text.endswith(" ") if text else space
    while pieces and (
        isinstance(pieces[-1], LineBreak) or (isinstance(pieces[-1], Text) and not pieces[-1].text.strip())
    ):
        pieces.pop()
    if pieces and isinstance(pieces[-1], Text):
        last = pieces[-1]
        pieces[-1] = Text(last.text.rstrip(" "), last.bold, last.italic, last.link)
    return tuple(p for p in pieces if not isinstance(p, Text) or p.text)


def inline(node: Any, out: list[Inline], bold: bool, italic: bool, link: str, skip: Any) -> None:
    if isinstance(node, str):
        if node:
            out.append(Text(_SPACE.sub(" ", node), bold, italic, link))
        return
    if not isinstance(node.tag, str) or node is skip or node.tag in CONTROLS or node.get("data-word") == "number":
        return  # a comment, a form control, or a list item's printed number (Word numbers the list)
    if node.tag == "br":
        out.append(LineBreak())
    elif node.tag == "img":
        out.append(Picture(node.get("src", ""), node.get("alt", "")))
    else:
        bold = bold or node.tag in ("strong", "b", "th")
        italic = italic or node.tag in ("em", "i")
        link = node.get("href", "") if node.tag == "a" else link
        start = len(out)
        inline(node.text or "", out, bold, italic, link, skip)
        for child in node:
            inline(child, out, bold, italic, link, skip)
            inline(child.tail or "", out, bold, italic, link, skip)
        if "nowrap" in (node.get("class") or "").split():  # a date or a name: its spaces do not break
            out[start:] = [
                Text(p.text.replace(" ", NBSP), p.bold, p.italic, p.link) if isinstance(p, Text) else p
                for p in out[start:]
            ]
        if own_line(node):
            out.append(LineBreak())
        elif node.tag == "label":  # a field's name ends there: a hint after it is set apart, not run on
            out.append(Text(" "))


def own_line(element: Any) -> bool:
    """A bold name run straight into the next word ("<strong>Ms Raman</strong>Deputy DSL") is one
    the stylesheet sets on a line of its own: a browser would never join two words so."""
    if element.tag not in ("strong", "b"):
        return False
    text, tail = element.text_content(), element.tail or ""
    return bool(text) and text[-1].isalnum() and tail[:1].isalnum()


def text(element: Any) -> str:
    return _SPACE.sub(" ", element.text_content()).strip()
