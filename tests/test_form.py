"""The incident form as a record a DSL really keeps: filled by any tool, printed whole, or written on by hand."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops
from pypdf import PdfReader, PdfWriter

DPI = 100
LONG = " ".join(
    f"Part {n}: what the pupil said, in the words used, and how the member of staff came to hear of it."
    for n in range(1, 16)
)


def widgets(pdf: Path) -> list[tuple[int, Any]]:
    """(page index, widget annotation) for every form field, in page order."""
    found = []
    for index, page in enumerate(PdfReader(pdf).pages):
        for annot in page.get("/Annots", []):
            widget = annot.get_object()
            if widget.get("/Subtype") == "/Widget":
                found.append((index, widget))
    return found


def fill(blank: Path, out: Path, answer: str) -> None:
    """Every field filled as a script would: long text, a choice, every box ticked."""
    writer = PdfWriter(clone_from=blank)
    for page in writer.pages:
        values: dict[str, str] = {}
        for annot in page.get("/Annots", []):
            widget = annot.get_object()
            name, kind = str(widget["/T"]), widget.get("/FT")
            if kind == "/Tx":
                values[name] = answer if int(widget.get("/Ff", 0)) & 4096 else "AN/12345/27, 3 March 2027 at 10:15"
            elif kind == "/Ch":
                values[name] = "unsure"
            elif kind == "/Btn":
                values[name] = next(str(k) for k in widget["/AP"]["/N"] if k != "/Off")
        writer.update_page_form_field_values(page, values, auto_regenerate=True)
    writer.write(out)


def render(pdf: Path, prefix: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), str(pdf), str(prefix)], check=True, capture_output=True)
    return [Image.open(p).convert("L") for p in sorted(prefix.parent.glob(f"{prefix.name}-*.png"))]


def inside(image: Image.Image, rect: Any, margin: float = 0.2) -> Image.Image:
    """The part of a page image within a field's rectangle, less a margin on each side (a share of its size)."""
    xa, ya, xb, yb = (float(v) for v in rect)
    x0, y0, x1, y1 = min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)
    scale = DPI / 72
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    box = (x0 + dx, y1 - dy, x1 - dx, y0 + dy)  # PDF y grows upwards, the image's downwards
    return image.crop(
        (
            int(box[0] * scale),
            int(image.height - box[1] * scale),
            int(box[2] * scale),
            int(image.height - box[3] * scale),
        )
    )


def ink(image: Image.Image) -> float:
    """The share of an image's pixels that are dark."""
    dark = sum(image.histogram()[:128])
    return dark / max(1, image.width * image.height)


def test_the_blank_form_asks_for_a_reference_dates_a_signature_and_names_each_steps_chart(pack: Path) -> None:
    reader = PdfReader(pack / "incident-form.pdf")
    assert len(reader.pages) == 3, "two pages of record and a continuation sheet"
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for words in [
        "Incident reference",
        "Date and time of the incident",
        "Signature of the DSL (by hand, on the printed record)",
        "Initial review (chart 5.2, step 2)",
        "chart 5.2, step 3",
        "Continuation sheet",
    ]:
        assert words in text, words
    fields = reader.get_fields() or {}
    assert {"incident_reference", "incident_on", "signed_name", "signed_on", "continued"} <= set(fields)
    assert "signed" not in fields, "a signature is written by hand, not typed"


def test_a_blank_printed_form_shows_yes_no_unsure_to_circle(pack: Path, tmp_path: Path) -> None:
    reader = PdfReader(pack / "incident-form.pdf")
    criteria = [w for _, w in widgets(pack / "incident-form.pdf") if str(w["/T"]).startswith("criterion_")]
    assert len(criteria) == 5
    for widget in criteria:
        assert widget["/V"] == "not-recorded"
        assert ["not-recorded", "Yes / No / Unsure"] in [list(map(str, pair)) for pair in widget["/Opt"]]
    pages = render(pack / "incident-form.pdf", tmp_path / "blank")
    for widget in criteria:
        assert ink(inside(pages[0], widget["/Rect"], 0.1)) > 0.02, "the three answers print in the box"
    assert reader.trailer["/Root"]["/AcroForm"]


def test_a_form_filled_by_a_script_prints_its_ticks_and_its_longest_answer(pack: Path, tmp_path: Path) -> None:
    blank = pack / "incident-form.pdf"
    filled, shorter = tmp_path / "filled.pdf", tmp_path / "shorter.pdf"
    fill(blank, filled, LONG)
    fill(blank, shorter, LONG.rsplit(" Part", 1)[0])  # the same, without its last sentence
    assert PdfReader(filled).trailer["/Root"]["/AcroForm"].get("/NeedAppearances"), "viewers redraw the fields"
    blank_pages = render(blank, tmp_path / "blank")
    pages = render(filled, tmp_path / "filled")
    shorter_pages = render(shorter, tmp_path / "shorter")
    boxes = [(i, w) for i, w in widgets(filled) if w.get("/FT") == "/Btn"]
    assert boxes, "the form has check boxes"
    for index, widget in boxes:
        ticked, empty = ink(inside(pages[index], widget["/Rect"])), ink(inside(blank_pages[index], widget["/Rect"]))
        assert ticked > 0.1 and empty < 0.01, f"{widget['/T']}: the tick prints ({ticked:.2f} dark)"
    longest = [(i, w) for i, w in widgets(filled) if int(w.get("/Ff", 0)) & 4096]
    for index, widget in longest:
        whole = inside(pages[index], widget["/Rect"], 0.0)
        cut = inside(shorter_pages[index], widget["/Rect"], 0.0)
        assert ImageChops.difference(whole, cut).getbbox() is not None, f"{widget['/T']}: the end of the answer shows"
        assert ink(whole) > 0.003, f"{widget['/T']}: the answer prints"
