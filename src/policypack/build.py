"""The stages in order: load and check, lay out, render, write — for one poster or a pack."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from policypack.atomicfile import replacing
from policypack.checks import validate_paths
from policypack.errors import InvalidInput, ToolMissing, has_errors
from policypack.flowchart import ChartStyle, check_text_measurement
from policypack.pdf import BuildFailed, write_pdf
from policypack.poster import Poster, minimum_text_pt, render_poster
from policypack.project import FlowSet, bundled_path
from policypack.resolve import FlowDoc

log = logging.getLogger("policypack")

POSTER_PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


@dataclass(frozen=True)
class PosterRequest:
    size: str = "A3"
    landscape: bool | None = None
    print_marks: bool = False
    fmt: str = "pdf"
    dpi: int = 72


def build_flowchart(flow_set: FlowSet, doc: FlowDoc, request: PosterRequest, out: Path) -> Poster:
    """Check the flow, lay it out and write one poster (PDF, SVG chart, or PNG preview)."""
    problems = validate_paths([doc.path])
    if has_errors(problems):
        raise InvalidInput(problems)
    style = ChartStyle()
    check_text_measurement(style.font)
    poster = render_poster(
        doc.model,
        flow_set.source_map(),
        flow_set.flow_titles(),
        size=request.size,
        landscape=request.landscape,
        print_marks=request.print_marks,
        style=style,
    )
    _report_legibility(poster, can_turn=request.landscape is False)
    if request.fmt == "svg":
        _write_text(poster.chart.svg, out)
    elif request.fmt == "png":
        _write_png(poster, out, request.dpi)
    else:
        _write_poster_pdf(poster, out)
    return poster


def _write_poster_pdf(poster: Poster, out: Path) -> None:
    templates = bundled_path("templates")
    warnings = write_pdf(poster.html, out, base_url=templates, allowed=[templates], pages=1, **POSTER_PDF_OPTIONS)
    for warning in warnings:
        log.warning("WeasyPrint: %s", warning)


def _report_legibility(poster: Poster, can_turn: bool) -> None:
    sheet, chart = poster.sheet, poster.chart
    orientation = "landscape" if sheet.landscape else "portrait"
    log.info("%s %s: chart scaled %.2f; smallest text %.1f pt", sheet.size, orientation, chart.scale, chart.smallest_pt)
    if not poster.legible:
        log.warning(
            "the smallest text prints at %.1f pt; an %s poster needs %.1f pt to be read from its distance "
            "(try a larger size%s)",
            chart.smallest_pt,
            sheet.size,
            minimum_text_pt(sheet.size),
            " or --landscape" if can_turn else "",
        )


def _write_text(text: str, out: Path) -> None:
    with replacing(out) as temp:
        temp.write_text(text, encoding="utf-8")


def _write_png(poster: Poster, out: Path, dpi: int) -> None:
    """A preview: the PDF poster rasterised by poppler's pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise ToolMissing("PNG previews need 'pdftoppm': apt-get install poppler-utils (macOS: brew install poppler)")
    with tempfile.TemporaryDirectory(prefix="policypack-preview-") as work:
        pdf = Path(work) / "poster.pdf"
        _write_poster_pdf(poster, pdf)
        stem = Path(work) / "page"
        done = subprocess.run(
            [pdftoppm, "-png", "-r", str(dpi), "-singlefile", str(pdf), str(stem)],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise BuildFailed(f"pdftoppm failed: {done.stderr.decode(errors='replace').strip()}")
        with replacing(out) as temp:
            temp.write_bytes(stem.with_suffix(".png").read_bytes())
