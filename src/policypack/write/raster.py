"""Write stage: charts as print-resolution PNG images, for documents that cannot hold SVG (Word).

librsvg draws dot's SVG with the same fonts through Pango, so the picture is the chart the
PDF prints. Each picture is drawn once per pack, whichever documents use it, and once per
process for a chart that several schools share (same flow, same brand). Drawing starts as
soon as the pack's documents are known, in `rsvg-convert` processes that run while
WeasyPrint writes the PDFs.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from policypack.tools import run_tool

DPI = 300
MM_PER_INCH = 25.4
RSVG_TIMEOUT_SECONDS = 60
KEEP_DRAWN = 16  # pictures kept for the next school in a batch (a chart is about 300 kB)
_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)(mm|pt)"[^>]*?\bheight="([\d.]+)(mm|pt)"')
_TO_MM = {"mm": 1.0, "pt": MM_PER_INCH / 72}
_drawn: OrderedDict[tuple[str, tuple[str, ...]], bytes] = OrderedDict()


def svg_size_mm(svg: str) -> tuple[float, float]:
    """The printed size an SVG asks for, in millimetres."""
    match = _SIZE.search(svg)
    if not match:
        raise ValueError("the chart's SVG has no printed size")
    return float(match.group(1)) * _TO_MM[match.group(2)], float(match.group(3)) * _TO_MM[match.group(4)]


def fit_mm(size: tuple[float, float], box: tuple[float, float]) -> tuple[float, float]:
    """`size` scaled, keeping its shape, to the largest that fits in `box`."""
    scale = min(box[0] / size[0], box[1] / size[1])
    return size[0] * scale, size[1] * scale


@dataclass
class Rasteriser:
    """PNG images of SVG pictures at 300 dpi, each drawn once and kept for the rest of the pack."""

    pending: dict[tuple[str, tuple[str, ...]], Future[bytes]] = field(default_factory=dict)
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=2))

    def png(self, svg: str, width_mm: float) -> bytes:
        """`svg` drawn `width_mm` wide (a chart, on white)."""
        return self.start(svg, width_mm).result()

    def start(self, svg: str, width_mm: float) -> Future[bytes]:
        """Begin drawing a chart that a document will need; `png` collects it."""
        return self._draw(svg, f"--width={_pixels(width_mm)}", "--background-color=white")

    def png_by_height(self, svg: str, height_mm: float) -> bytes:
        """`svg` drawn `height_mm` tall (a logo, on what it is printed on)."""
        return self._draw(svg, f"--height={_pixels(height_mm)}").result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _draw(self, svg: str, *options: str) -> Future[bytes]:
        key = (hashlib.sha256(svg.encode()).hexdigest(), options)
        if key not in self.pending:
            self.pending[key] = self.pool.submit(_drawn_once, key, svg, options)
        return self.pending[key]


def _drawn_once(key: tuple[str, tuple[str, ...]], svg: str, options: tuple[str, ...]) -> bytes:
    if key in _drawn:
        _drawn.move_to_end(key)
        return _drawn[key]
    arguments = ["--format=png", "--keep-aspect-ratio", f"--dpi-x={DPI}", f"--dpi-y={DPI}", *options]
    png = run_tool("rsvg-convert", arguments, stdin=svg.encode(), timeout=RSVG_TIMEOUT_SECONDS).stdout
    _drawn[key] = png
    while len(_drawn) > KEEP_DRAWN:
        _drawn.popitem(last=False)
    return png


def _pixels(mm: float) -> int:
    return max(1, round(mm / MM_PER_INCH * DPI))
