"""Write stage: a PNG preview of a poster, rasterised from its PDF by poppler's pdftoppm."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from policypack.tools import run_tool
from policypack.write.atomic import replacing

PDFTOPPM_TIMEOUT_SECONDS = 120


def write_png(write_pdf: Callable[[Path], None], out: Path, dpi: int) -> None:
    """Write the PDF that `write_pdf` makes to a temporary file, then its first page as `out`."""
    with tempfile.TemporaryDirectory(prefix="policypack-preview-") as work:
        pdf = Path(work) / "poster.pdf"
        write_pdf(pdf)
        stem = Path(work) / "page"
        run_tool(
            "pdftoppm", ["-png", "-r", str(dpi), "-singlefile", str(pdf), str(stem)], timeout=PDFTOPPM_TIMEOUT_SECONDS
        )
        with replacing(out) as temp:
            temp.write_bytes(stem.with_suffix(".png").read_bytes())
