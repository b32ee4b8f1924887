"""A school's logo, decoded and rebuilt: the documents print what was checked, never the file.

A logo is untrusted input, so it is proven by decoding it, not by its name or first bytes:
- PNG and JPEG are read size-capped, their pixel count is checked from the header before
  a pixel is decoded (a 420 KB PNG can claim 12000 x 12000 pixels, 1.2 GB decoded), then
  Pillow verifies and decodes the whole image (a truncated or corrupt file fails here) and
  it is re-encoded at no more than 300 dpi of the largest size a document prints a logo.
  The PDFs get those pixels, not the file: its metadata (EXIF, GPS) is left behind too.
- SVG is parsed from bytes by defusedxml (no DTD, entities or external references), so its
  own declaration or byte order mark decides the encoding, UTF-16 included. The parsed tree
  is checked (elements, nesting, how far `<use>` and `url(#...)` references expand, only
  local references, no `@import` in styles) and then written out again as UTF-8: the
  renderer never sees bytes that were not checked.
Every logo becomes a `data:` URL, which the PDF writer accepts without reading any file.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException
from PIL import Image, UnidentifiedImageError

from policypack.errors import Location, Problem
from policypack.load.files import UnreadableFile, read_bytes

LOGO_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".svg": "SVG"}
LOGO_SUFFIXES = frozenset(LOGO_FORMATS)
MAX_LOGO_BYTES = 1_000_000
MAX_LOGO_PIXELS = 25_000_000  # 5000 x 5000: at most 100 MB decoded (4 bytes a pixel)
# The largest a template prints a logo: 32 mm high in an A1 poster's title block (80 % of
# its 40 mm), and never wider than a poster's title block. A test ties these to the layout.
LOGO_PRINT_MM = (300.0, 32.0)
PRINT_DPI = 300
# A progressive JPEG is decoded once per scan: 10,000 tiny scans over 25 million pixels is
# a CPU bomb in 1 MB. Encoders write about 10; the start-of-scan marker cannot occur inside
# the coded data (a 0xFF byte there is always followed by 0x00), so counting it is exact.
MAX_JPEG_SCANS = 100
MAX_SVG_ELEMENTS = 10_000
MAX_SVG_DRAWN = 50_000  # elements drawn once every <use> and url(#...) is expanded
MAX_SVG_NESTING = 64
MAX_SVG_REFERENCE_DEPTH = 8

SVG = "{http://www.w3.org/2000/svg}"
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_LOCAL_URL = re.compile(r"url\(\s*['\"]?#([^)'\"\s]+)", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg);base64,(.*)$", re.IGNORECASE | re.DOTALL)


class ImageRefused(Exception):
    """A logo that cannot be used; the message says why, in plain words."""

    def __init__(self, message: str, line: int = 0, col: int = 0) -> None:
        super().__init__(message)
        self.line, self.col = line, col


@dataclass(frozen=True)
class PrintImage:
    """A logo as the documents embed it: checked, rebuilt bytes and their media type."""

    media_type: str
    data: bytes
    width: int  # pixels (0 for SVG)
    height: int

    @property
    def uri(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def check_image(path: Path, where: Location) -> tuple[PrintImage | None, list[Problem], bytes | None]:
    """The logo at `path` rebuilt for printing, or the problem (at `where`, or in an SVG at its line).

    Also the bytes read (None when the file could not be read), so its digest is of what was checked.
    """
    try:
        data = read_bytes(path, MAX_LOGO_BYTES)
    except UnreadableFile as exc:
        return None, [Problem(where, f"the logo {path.name}: {exc}")], None
    try:
        return print_image(data, LOGO_FORMATS[path.suffix.lower()]), [], data
    except ImageRefused as exc:
        place = Location(path, exc.line, exc.col) if exc.line else where
        return None, [Problem(place, f"the logo {path.name}: {exc}")], data


def print_image(data: bytes, kind: str) -> PrintImage:
    """`data` (PNG, JPEG or SVG, as `kind` says) decoded, checked and rebuilt; ImageRefused if not."""
    if not data:
        raise ImageRefused("the file is empty (0 bytes)")
    return _svg(data) if kind == "SVG" else _raster(data, kind)


# --- PNG and JPEG ----------------------------------------------------------------------------


def print_pixels(width: int, height: int) -> tuple[int, int]:
    """The size an image of width x height is printed at: 300 dpi of the largest logo, never larger."""
    box_w, box_h = (round(mm / 25.4 * PRINT_DPI) for mm in LOGO_PRINT_MM)
    scale = min(1.0, box_w / width, box_h / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _raster(data: bytes, kind: str) -> PrintImage:
    name = "PNG" if kind == "PNG" else "JPEG"
    if kind == "JPEG" and data.count(b"\xff\xda") > MAX_JPEG_SCANS:
        raise ImageRefused(f"the JPEG image has more than {MAX_JPEG_SCANS} scans, far more than any encoder writes")
    try:
        with warnings.catch_warnings():  # the size is checked below, with a clearer message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                _check_pixels(image.size)
                image.verify()  # chunk checksums, and a PNG's end: a cut-off file fails here
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                target = print_pixels(*image.size)
                image.draft("RGB", target)  # JPEG decodes at 1/2, 1/4 or 1/8 scale when that is enough
                image.load()
                return _encode(image, kind, target)
    except ImageRefused:
        raise
    except Image.DecompressionBombError:
        raise ImageRefused(f"the image has far more pixels than the limit of {MAX_LOGO_PIXELS:,}") from None
    except (UnidentifiedImageError, SyntaxError):
        raise ImageRefused(f"this is not a {name} image") from None
    except (OSError, ValueError, EOFError) as exc:
        raise ImageRefused(f"the {name} image is damaged or incomplete ({exc})") from None


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ImageRefused(f"the image is {width} x {height} pixels")
    if width * height > MAX_LOGO_PIXELS:
        limit = f"{MAX_LOGO_PIXELS:,}"
        raise ImageRefused(
            f"the image is {width:,} x {height:,} pixels; the limit is {limit} (a logo needs far fewer: "
            f"{print_pixels(width, height)[0]} x {print_pixels(width, height)[1]} pixels print it at {PRINT_DPI} dpi)"
        )


def _encode(image: Image.Image, kind: str, size: tuple[int, int]) -> PrintImage:
    keeps_alpha = "A" in image.mode or "transparency" in image.info
    mode = "RGBA" if keeps_alpha else ("L" if image.mode in ("1", "L", "I", "I;16", "F") else "RGB")
    if kind == "JPEG" and keeps_alpha:
        mode = "RGB"
    if image.mode not in ("L", "LA", "RGB", "RGBA"):  # palette, 1-bit, 16-bit, CMYK: resampled as pixels
        image = image.convert(mode)
    if image.size != size:  # shrink before any other copy (box-reduce, then Lanczos)
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    converted = image if image.mode == mode else image.convert(mode)
    out = io.BytesIO()
    if kind == "JPEG":
        converted.save(out, "JPEG", quality=90, dpi=(PRINT_DPI, PRINT_DPI))
        return PrintImage("image/jpeg", out.getvalue(), *size)
    converted.save(out, "PNG", optimize=True, dpi=(PRINT_DPI, PRINT_DPI))
    return PrintImage("image/png", out.getvalue(), *size)


# --- SVG -------------------------------------------------------------------------------------


def _svg(data: bytes) -> PrintImage:
    try:
        root = SafeXml.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ImageRefused("the SVG declares a DOCTYPE or entities, which are not allowed") from None
    except ElementTree.ParseError as exc:
        line, col = exc.position
        message = str(exc).split(":", 1)[0]
        raise ImageRefused(f"the SVG is not well-formed XML ({message})", line, col + 1) from None
    if root.tag != f"{SVG}svg":
        raise ImageRefused(f"this is not an SVG image (its first element is <{_local(root.tag)}>, not <svg>)")
    elements = _elements(root)
    ids = {element.get("id"): element for element in elements if element.get("id")}
    for element in elements:
        _check_element(element)
    _check_expansion(root, ids)
    text = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return PrintImage("image/svg+xml", text, 0, 0)


def _elements(root: ElementTree.Element) -> list[ElementTree.Element]:
    """Every element, walked without recursion; refused beyond the caps on count and nesting."""
    found: list[ElementTree.Element] = []
    todo = [(root, 1)]
    while todo:
        element, depth = todo.pop()
        if depth > MAX_SVG_NESTING:
            raise ImageRefused(f"the SVG nests elements more than {MAX_SVG_NESTING} deep")
        found.append(element)
        if len(found) > MAX_SVG_ELEMENTS:
            raise ImageRefused(f"the SVG has more than {MAX_SVG_ELEMENTS:,} elements")
        todo += [(child, depth + 1) for child in element]
    return found


def _check_element(element: ElementTree.Element) -> None:
    tag = _local(element.tag)
    if tag in ("script", "foreignObject"):
        raise ImageRefused(f"the SVG contains <{tag}>, which a logo cannot have")
    for name, value in element.attrib.items():
        attribute = _local(name)
        if attribute in ("href", "src"):
            _check_reference(element, name, value)
        else:  # `style`, and presentation attributes such as fill="url(...)", are read as CSS
            _check_css(value)
    if tag == "style":
        _check_css(element.text or "")


def _check_reference(element: ElementTree.Element, name: str, value: str) -> None:
    """Only a reference inside the SVG, or an embedded PNG or JPEG, which is checked and rebuilt."""
    value = value.strip()
    if value.startswith("#"):
        return
    embedded = _DATA_IMAGE.match(value)
    if embedded and _local(element.tag) == "image":
        try:
            raw = base64.b64decode(re.sub(r"\s+", "", embedded.group(2)), validate=True)
        except (binascii.Error, ValueError):
            raise ImageRefused("an image embedded in the SVG is not valid base64") from None
        if len(raw) > MAX_LOGO_BYTES:
            raise ImageRefused(f"an image embedded in the SVG is over {MAX_LOGO_BYTES:,} bytes")
        element.set(name, _raster(raw, embedded.group(1).upper()).uri)
        return
    raise ImageRefused(f"the SVG refers to other files or addresses ({value[:80]}); embed them")


def _check_css(css: str) -> None:
    if "\\" in css:  # `\75 rl(` is url( to a CSS parser: escapes would hide what is checked below
        raise ImageRefused("the SVG's style uses CSS escapes (a backslash), which a logo does not need")
    if "image-set(" in css.lower():
        raise ImageRefused("the SVG's style uses image-set(), which can load other files")
    if "@import" in css.lower():
        raise ImageRefused("the SVG's style imports another style sheet (@import), which is not allowed")
    for _, target in _CSS_URL.findall(css):
        if not target.strip().startswith("#"):
            raise ImageRefused(f"the SVG's style refers to other files or addresses ({target[:80]}); embed them")


def _references(element: ElementTree.Element, ids: dict[str | None, ElementTree.Element]) -> Iterator[str]:
    for name, value in element.attrib.items():
        if _local(name) == "href" and value.strip().startswith("#"):
            yield value.strip()[1:]
        else:
            yield from _LOCAL_URL.findall(value)
    if _local(element.tag) == "style":
        yield from _LOCAL_URL.findall(element.text or "")


def _check_expansion(root: ElementTree.Element, ids: dict[str | None, ElementTree.Element]) -> None:
    """Refuse an SVG whose references loop, chain too deep, or expand to too many elements.

    Ten `<use>`s of a group of ten `<use>`s, eight levels down, is 1.6 KB that draws 10^8
    elements: each element counts once for every time it is drawn, computed bottom-up
    without recursion, and counting stops at the cap.
    """
    drawn: dict[int, int] = {}  # id(element) -> elements drawn for it, references expanded
    depth: dict[int, int] = {}  # id(element) -> the longest chain of references below it
    on_path: set[int] = set()
    todo: list[tuple[ElementTree.Element, bool]] = [(root, False)]
    while todo:
        element, finished = todo.pop()
        key = id(element)
        targets = [ids[name] for name in _references(element, ids) if name in ids]
        if finished:
            on_path.discard(key)
            children = list(element)
            drawn[key] = 1 + sum(drawn[id(c)] for c in children) + sum(drawn[id(t)] for t in targets)
            depth[key] = max([depth[id(c)] for c in children] + [depth[id(t)] + 1 for t in targets], default=0)
            if depth[key] > MAX_SVG_REFERENCE_DEPTH:
                limit = MAX_SVG_REFERENCE_DEPTH
                raise ImageRefused(f"the SVG's references (<use>, url(#...)) chain more than {limit} deep")
            if drawn[key] > MAX_SVG_DRAWN:
                raise ImageRefused(f"the SVG's references (<use>, url(#...)) expand to over {MAX_SVG_DRAWN:,} elements")
            continue
        if key in drawn:
            continue
        on_path.add(key)
        todo.append((element, True))
        for following in [*element, *targets]:
            if id(following) in on_path:
                raise ImageRefused("the SVG refers to itself in a loop (a <use> or url(#...) inside what it draws)")
            if id(following) not in drawn:
                todo.append((following, False))


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]
