"""Write stage: a rendered document as an editable Word file, built from its structure.

Render hands each Word document down as structure (`render/document.py`), with the same
words as its PDF: headings become Word's Title and Heading 1-3 styles (the navigation pane
and the contents field work), lists become Word lists whose numbers are the charts' step
numbers, tables stay tables, form fields become cells to type into, and each chart becomes
a 300 dpi picture at the size and on the paper the layout chose, with its numbered outline
as alternative text. Text is only ever added as text: nothing a school wrote becomes Word
markup. This writer never reads HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

import docx

from policypack.load.letterhead import Letterhead
from policypack.load.pack import CheckedPack
from policypack.load.strings import bundled_strings
from policypack.model.strings import Strings
from policypack.model.text import visible_controls
from policypack.model.theme import Theme
from policypack.render.document import Block, Figure, ListBlock, SideBySide, Structured
from policypack.render.pack import Rendered
from policypack.write.atomic import replacing
from policypack.write.pdf import BuildFailed
from policypack.write.raster import Rasteriser
from policypack.write.word.body import BodyBuilder
from policypack.write.word.letterhead import letterhead_document
from policypack.write.word.ooxml import ensure_styles, package_bytes, set_language, set_properties
from policypack.write.word.page import page_furniture, set_fonts, set_page, update_fields_on_open
from policypack.write.word.runs import finish_links


def write_docx(
    structure: Structured,
    out: Path,
    theme: Theme,
    adopted: dt.date,
    raster: Rasteriser,
    allowed: Sequence[Path],
    template: Letterhead | None = None,
    words: Strings | None = None,
) -> None:
    """Write `structure` (a rendered document) as a Word file at `out`, atomically and reproducibly."""
    try:
        document = letterhead_document(template) if template else docx.Document()
    except Exception as exc:  # a letterhead is the school's file: any way it fails to open is theirs
        raise BuildFailed(f"the letterhead {template.name if template else ''} cannot be opened: {exc}") from None
    builder = BodyBuilder(document, theme, raster, [root.resolve() for root in allowed])
    builder.empty()
    if template is None:  # a letterhead keeps its own paper, fonts and styles
        set_page(document.sections[0], structure.page)
        set_fonts(document, theme)
    else:
        ensure_styles(document)
    builder.blocks(structure.blocks)
    finish_links(document.element.body)
    words = words or bundled_strings()
    page_furniture(document, structure.running, template is not None, structure.page, words.word.page_of)
    update_fields_on_open(document)
    when = dt.datetime.combine(adopted, dt.time(), tzinfo=dt.UTC)  # the file's dates: the policy's
    text = {key: visible_controls(value) for key, value in _properties(structure).items()}
    set_properties(
        document, text["title"], text["author"], text["subject"], text["keywords"], when, words.word.category
    )
    set_language(document, words.language)
    with replacing(out) as temp:
        temp.write_bytes(package_bytes(document, when))


def _properties(structure: Structured) -> dict[str, str]:
    return {
        "title": structure.title,
        "author": structure.author,
        "subject": structure.subject,
        "keywords": structure.keywords,
    }


def figures(blocks: Sequence[Block]) -> Iterator[Figure]:
    """Every chart in `blocks`, in order."""
    for block in blocks:
        if isinstance(block, Figure):
            yield block
        elif isinstance(block, SideBySide):
            yield from figures(block.left)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from figures(item.blocks)


class WordWriter:
    """The `docx` format: an editable Word copy of the documents that have one."""

    def __init__(self, checked: CheckedPack) -> None:
        self.checked = checked
        self.raster = Rasteriser()  # each chart is drawn once for the pack, whichever Word files show it

    def prepare(self, document: Rendered) -> None:
        """Begin drawing the charts while the PDFs are written, at the widths the layout chose."""
        for figure in figures(document.structure.blocks if document.structure else ()):
            self.raster.start(figure.svg, figure.width_mm)

    def write(self, document: Rendered, out: Path) -> None:
        if document.structure is None:
            raise BuildFailed(f"{out.name}: render gave no structure for a Word copy")
        inputs = self.checked.inputs
        adopted = inputs.school.model.policy.adopted
        letterhead, theme = inputs.school.letterhead, self.checked.theme
        write_docx(document.structure, out, theme, adopted, self.raster, inputs.allowed, letterhead, inputs.strings)

    def close(self) -> None:
        self.raster.close()
