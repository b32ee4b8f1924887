"""Write stage: a rendered document as an editable Word file, from the HTML its PDF is printed from.

The same HTML, so the same words: headings become Word's Title and Heading 1-3 styles (the
navigation pane and a table of contents work), lists become Word lists whose numbers are the
charts' step numbers, tables stay tables, and each chart becomes a 300 dpi picture whose
alternative text is its numbered outline. Text is only ever added as text: nothing a school
wrote can become Word markup. The page's header and footer carry the strings the PDF runs
along its margins (`running-school`, `running-title`, `running-provenance`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

import docx
import lxml.html
from docx.shared import Mm

from policypack.load.letterhead import Letterhead
from policypack.load.pack import CheckedPack
from policypack.load.strings import bundled_strings
from policypack.model.strings import Strings
from policypack.model.theme import Theme
from policypack.render.pack import Rendered
from policypack.write.atomic import replacing
from policypack.write.letterhead import letterhead_document
from policypack.write.pdf import BuildFailed
from policypack.write.raster import Rasteriser, fit_mm, svg_size_mm
from policypack.write.text import visible_controls
from policypack.write.word.body import CHART_BOX_MM, TEXT_WIDTH_MM, BodyBuilder
from policypack.write.word.ooxml import (
    package_bytes,
    page_furniture,
    set_language,
    set_properties,
)
from policypack.write.word.runs import (
    text_of,
)


def write_docx(
    html: str,
    out: Path,
    theme: Theme,
    adopted: dt.date,
    raster: Rasteriser,
    allowed: Sequence[Path],
    template: Letterhead | None = None,
    words: Strings | None = None,
) -> None:
    """Write `html` (a rendered document) as a Word file at `out`, atomically and reproducibly."""
    html = visible_controls(html)  # XML cannot hold them: they print as their pictures
    tree = lxml.html.document_fromstring(html)
    try:
        document = letterhead_document(template) if template else docx.Document()
    except Exception as exc:  # a letterhead is the school's file: any way it fails to open is theirs
        raise BuildFailed(f"the letterhead {template.name if template else ''} cannot be opened: {exc}") from None
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    if len(svgs) != len(tree.xpath("//svg")):
        raise BuildFailed(f"{out.name}: a picture inside a picture cannot go into Word")
    builder = BodyBuilder(document, theme, raster, [root.resolve() for root in allowed], iter(svgs))
    builder.prepare(styled=template is None)
    builder.container(tree.body)
    words = words or bundled_strings()
    page_furniture(document, tree, template is not None, Mm(TEXT_WIDTH_MM), words.word.page_of)
    when = dt.datetime.combine(adopted, dt.time(), tzinfo=dt.UTC)  # the file's dates: the policy's
    meta = {m.get("name"): m.get("content", "") for m in tree.xpath("//meta[@name]")}
    title = text_of(tree.find(".//title")) if tree.find(".//title") is not None else ""
    author = meta.get("author", "")
    subject, keywords = meta.get("description", ""), meta.get("keywords", "")
    set_properties(document, title, author, subject, keywords, when, words.word.category)
    set_language(document, words.language)
    with replacing(out) as temp:
        temp.write_bytes(package_bytes(document, when))


def start_charts(html: str, raster: Rasteriser) -> None:
    """Begin drawing the charts a document will show, at the width `write_docx` will ask for."""
    for raw in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL):
        raster.start(raw, fit_mm(svg_size_mm(raw), CHART_BOX_MM)[0])


class WordWriter:
    """The `docx` format: an editable Word copy of the documents that have one."""

    def __init__(self, checked: CheckedPack) -> None:
        self.checked = checked
        self.raster = Rasteriser()  # each chart is drawn once for the pack, whichever Word files show it

    def prepare(self, document: Rendered) -> None:
        start_charts(document.html, self.raster)  # drawn while the PDFs are written

    def write(self, document: Rendered, out: Path) -> None:
        inputs = self.checked.inputs
        adopted = inputs.school.model.policy.adopted
        letterhead, theme = inputs.school.letterhead, self.checked.theme
        write_docx(document.html, out, theme, adopted, self.raster, inputs.allowed, letterhead, inputs.strings)

    def close(self) -> None:
        self.raster.close()
