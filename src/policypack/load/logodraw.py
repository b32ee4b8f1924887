"""An SVG logo is proven by drawing it once, at the largest size a document prints it, under limits.

Counting elements cannot see every bomb: a marker repeated on each of 300,000 vertices, a
turbulence filter of a million octaves, an aspect ratio of a million to one all pass a count
and then stall or fail the build long after `validate` said yes. So `validate` (and the
batch's planning) draws each SVG logo with librsvg, as the Word files will, with a short time
limit and a memory cap: a logo that passes has been drawn, and one that cannot be drawn is an
error at the line that names it. A logo shared by a trust's schools is drawn once per process.
Without `rsvg-convert` installed the drawing is skipped here (the Word writer needs it anyway).
"""

from __future__ import annotations

import functools
import hashlib
import shutil

from policypack.errors import ToolFailed
from policypack.load.images import LOGO_PRINT_MM, PRINT_DPI
from policypack.tools import run_tool

DRAW_SECONDS = 10.0
DRAW_MEMORY_BYTES = 768 * 1024**2


def svg_drawing_problem(svg: bytes) -> str | None:
    """Why the (already checked) SVG cannot be drawn within the limits, or None when it can."""
    if shutil.which("rsvg-convert") is None:
        return None
    return _drawn(hashlib.sha256(svg).hexdigest(), svg)


@functools.lru_cache(maxsize=256)
def _drawn(digest: str, svg: bytes) -> str | None:
    height = round(LOGO_PRINT_MM[1] / 25.4 * PRINT_DPI)  # the tallest a document prints it, in pixels
    try:
        run_tool(
            "rsvg-convert",
            ["--height", str(height), "--keep-aspect-ratio", "--format", "png"],
            stdin=svg,
            timeout=DRAW_SECONDS,
            memory_limit=DRAW_MEMORY_BYTES,
        )
    except ToolFailed as exc:
        reason = str(exc).removeprefix("rsvg-convert ")
        return f"it cannot be drawn within {DRAW_SECONDS:g} seconds and {DRAW_MEMORY_BYTES // 1024**2} MB ({reason})"
    return None
