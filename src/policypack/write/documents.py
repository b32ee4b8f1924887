"""Write stage: each rendered document into the file of its format, in a staging folder.

PDF through WeasyPrint; Word through python-docx from the same HTML; the web page as it was
rendered. The charts the Word files show are drawn once for the pack, starting before the
PDFs are written so that the drawing overlaps them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path

from policypack.load.pack import CheckedPack, PackInput
from policypack.render.pack import Rendered
from policypack.write.atomic import replacing
from policypack.write.docx import start_charts, write_docx
from policypack.write.pdf import write_pdf
from policypack.write.raster import Rasteriser
from policypack.write.sanitise import clean_web_page
from policypack.write.wordtext import visible_controls

log = logging.getLogger("policypack")


def write_documents(checked: CheckedPack, documents: Sequence[Rendered], stage: Path) -> None:
    """Every document into `stage`, as `<name>.<format>`, in the pack's theme."""
    pack = checked.inputs
    raster = Rasteriser()  # each chart is drawn once for the pack, whichever Word files show it
    with contextlib.closing(raster):
        for document in documents:
            if document.fmt == "docx":
                start_charts(document.html, raster)  # drawn while the PDFs are written
        for document in documents:
            out = stage / f"{document.name}.{document.fmt}"
            if document.fmt == "html":
                with replacing(out) as temp:
                    temp.write_text(clean_web_page(visible_controls(document.html)), encoding="utf-8")
            elif document.fmt == "docx":
                adopted = pack.school.model.policy.adopted
                write_docx(document.html, out, checked.theme, adopted, raster, pack.allowed, pack.school.letterhead)
            else:
                _write_pdf(pack, document, out)


def _write_pdf(pack: PackInput, document: Rendered, out: Path) -> None:
    warnings = write_pdf(
        document.html,
        out,
        base_url=pack.base,
        allowed=pack.allowed,
        pages=document.spec.pages,
        **document.spec.options,
    )
    for warning in warnings:
        log.warning("%s: WeasyPrint: %s", document.name, warning)
