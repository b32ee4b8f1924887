"""Write stage: HTML to PDF with WeasyPrint, loading nothing it should not, atomically.

WeasyPrint is imported only here and only when a PDF is written: `validate` and `show`
stay fast and work without Pango.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from policypack import __version__
from policypack.errors import PolicypackError, ToolMissing
from policypack.load.files import is_file
from policypack.load.pack import CheckedPack
from policypack.render.pack import Rendered
from policypack.write.atomic import replacing
from policypack.write.pdfform import fix_form_fields

log = logging.getLogger("policypack")
MAX_FETCH_BYTES = 5_000_000  # an image a school's template adds; logos come in as data


class BuildFailed(PolicypackError):
    """A document could not be produced; nothing was written."""


def load_weasyprint() -> Any:
    try:
        import weasyprint
    except OSError as exc:  # Pango or its friends are missing: WeasyPrint dlopens them
        raise ToolMissing(
            f"WeasyPrint cannot load its libraries ({exc}); "
            "install them: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        ) from exc
    return weasyprint


def warm_renderer(language: str, font: str) -> None:
    """Print a few words in `language` and `font`, so that what WeasyPrint loads once per process
    (the hyphenation dictionary, the C types of its font calls, the font subsetter) is loaded
    here: a batch does this before it forks its workers, and none of them loads it again."""
    weasyprint = load_weasyprint()
    words = "<p>Safeguarding <b>responsibilities</b> <i>acknowledged</i> <a href='https://example.org'>here</a></p>"
    style = f"font-family: '{font}'; hyphens: auto; width: 3em"  # narrow: the words must be hyphenated
    html = f'<html lang="{language}"><body style="{style}">{words}</body></html>'
    weasyprint.HTML(string=html).write_pdf(io.BytesIO(), **pdf_options())


def strict_fetcher(allowed: Sequence[Path]) -> Any:
    """A URL fetcher that serves `data:` URLs and files inside `allowed` folders only."""
    load_weasyprint()  # a clear error when its libraries are missing
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = [root.resolve() for root in allowed]

    class StrictFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise FatalURLFetchingError(f"refused to load {path}: it is outside the allowed folders")
                if not is_file(path) or path.stat().st_size > MAX_FETCH_BYTES:
                    raise FatalURLFetchingError(
                        f"refused to load {path}: only regular files of at most {MAX_FETCH_BYTES:,} bytes are loaded"
                    )
            elif parsed.scheme != "data":
                raise FatalURLFetchingError(f"refused to load {url}: only local files and data: URLs are allowed")
            return super().fetch(url, headers)

    return StrictFetcher(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True)


PDF_VARIANT = "pdf/ua-1"  # tagged, with the document's language: screen readers can follow it


def pdf_options(fillable: bool = False) -> dict[str, Any]:
    """WeasyPrint's options for a document: PDF/UA-1 always, form fields when it has them."""
    return {"pdf_variant": PDF_VARIANT, **({"pdf_forms": True} if fillable else {})}


class PdfWriter:
    """The `pdf` format: every document, printed by WeasyPrint from its HTML."""

    def __init__(self, checked: CheckedPack) -> None:
        self.base, self.allowed = checked.inputs.base, checked.inputs.allowed

    def prepare(self, document: Rendered) -> None:
        return None

    def write(self, document: Rendered, out: Path) -> None:
        options = pdf_options(document.spec.fillable)
        warnings = write_pdf(
            document.html, out, base_url=self.base, allowed=self.allowed, pages=document.spec.pages, **options
        )
        for warning in warnings:
            log.warning("%s: WeasyPrint: %s", document.name, warning)

    def close(self) -> None:
        return None


def write_pdf(
    html: str,
    out: Path,
    *,
    base_url: Path,
    allowed: Sequence[Path],
    pages: int | None = None,
    **options: Any,
) -> list[str]:
    """Render `html` to `out` through a temporary file; returns WeasyPrint's warnings.

    `pages`, when given, is how many pages the document must have (a poster is one):
    more means something overflowed, and that is an error rather than a stray page.
    Nothing at `out` is touched unless the whole PDF was produced.
    """
    weasyprint = load_weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    document = weasyprint.HTML(string=html, base_url=str(base_url) + os.sep, url_fetcher=strict_fetcher(allowed))
    try:
        with _collected_warnings() as warnings, replacing(out) as temp:
            rendered = document.render(**options)
            if pages is not None and len(rendered.pages) != pages:
                raise BuildFailed(f"{out.name}: laid out on {len(rendered.pages)} pages instead of {pages}")
            rendered.write_pdf(temp, finisher=_finish, **options)
    except FatalURLFetchingError as exc:
        raise BuildFailed(f"{out.name}: {exc}") from None
    return warnings


def _finish(document: Any, pdf: Any) -> None:
    """Last touches before the PDF is written: table header scopes, and who produced it."""
    _scope_table_headers(pdf)
    _bleed_box(pdf)
    fix_form_fields(pdf)
    import pydyf
    import weasyprint

    pdf.info["Producer"] = pydyf.String(f"policypack {__version__} (WeasyPrint {weasyprint.__version__})")


BLEED_PT = 3 * 72 / 25.4  # the print shop's 3 mm; the sheet beyond it is a slug for the marks


def _bleed_box(pdf: Any) -> None:
    """WeasyPrint puts /BleedBox up to 10 pt outside the trim; a poster's bleed is 3 mm."""
    for page in pdf.objects:
        if isinstance(page, dict) and page.get("Type") == "/Page" and "TrimBox" in page:
            left, top, right, bottom = page["TrimBox"]
            page["BleedBox"][:] = [left - BLEED_PT, top - BLEED_PT, right + BLEED_PT, bottom + BLEED_PT]


def _scope_table_headers(pdf: Any) -> None:
    """Give each tagged table header cell a /Scope, which WeasyPrint does not write.

    A header in a <thead> heads its column; any other (<th scope="row">) heads its row.
    Without it, a screen reader cannot tell which header a data cell belongs to.
    """
    objects = pdf.objects

    def parent(element: Any) -> Any:
        return objects[int(element["P"].split()[0])]

    for element in objects:
        if isinstance(element, dict) and element.get("S") == "/TH" and "A" in element:
            row = parent(element)
            in_head = row.get("S") == "/TR" and parent(row).get("S") == "/THead"
            element["A"]["Scope"] = "/Column" if in_head else "/Row"


@contextmanager
def _collected_warnings() -> Iterator[list[str]]:
    """WeasyPrint reports problems (unknown CSS, missing glyphs) as log warnings: keep them."""
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = _Collect(level=logging.WARNING)
    logger.addHandler(handler)
    previous, logger.propagate = logger.propagate, False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
