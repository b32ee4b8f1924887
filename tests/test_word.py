"""The Word copies of the pack: real Word structure, the PDF's words, the same bytes every build."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from PIL import Image
from pypdf import PdfReader

from policypack.layout.pack import SIDE_MARGIN_MM
from policypack.model.profile import PROCEDURE_CHARTS as CHARTS
from policypack.model.theme import Theme
from policypack.render.structure import structure_of
from policypack.write.raster import Rasteriser
from policypack.write.word.writer import write_docx
from tests.conftest import (
    DATA,
    ROOT,
    bookmark_titles,
    normalised,
    pdf_body_text,
    run_cli,
    svg_labels,
    with_formats,
)

EXAMPLE = ROOT / "examples" / "oakfield"


def paragraphs(document: docx.document.Document) -> list[str]:
    """Every paragraph of the body and of its tables, in order."""
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        found += [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return [normalised(text) for text in found if text.strip()]


def running(html: str) -> dict[str, str]:
    tree = lxml.html.document_fromstring(html)
    found = {
        name: " ".join(tree.find_class(name)[0].text_content().split()) if tree.find_class(name) else ""
        for name in ("running-school", "running-title", "running-provenance")
    }
    school = tree.find_class("running-school")
    return {**found, "running-school": (school and school[0].get("data-short")) or found["running-school"]}


@pytest.mark.usefixtures("needs_weasyprint")
def test_pdf_alone_is_the_default(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "school")
    profile = tmp_path / "school" / "school.yaml"
    profile.write_text(re.sub(r"\n  formats: .*", "", profile.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert {p.suffix for p in (tmp_path / "out" / "oakfield-academy").iterdir()} == {".pdf", ".json"}


def test_the_pack_has_word_copies_and_the_web_page_listed_in_the_manifest(pack: Path) -> None:
    names = {p.name for p in pack.iterdir()}
    assert {
        "policy.docx",
        "staff-card.docx",
        "incident-form.docx",
        "parent-leaflet.docx",
        "policy-preview.html",
    } <= names
    manifest = json.loads((pack / "manifest.json").read_text())
    files = {entry["name"]: entry["sha256"] for entry in manifest["files"]}
    assert set(files) == names - {"manifest.json"}
    for name in ("policy.docx", "policy-preview.html", "staff-card.docx", "parent-leaflet.docx"):
        assert hashlib.sha256((pack / name).read_bytes()).hexdigest() == files[name]


def test_the_policy_uses_words_own_structure(pack: Path) -> None:
    document = docx.Document(str(pack / "policy.docx"))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", "Sharing nudes and semi-nudes: policy and procedure") in styles
    headings = [text for style, text in styles if style == "Heading 1"]
    assert headings[:3] == ["Contents", "1. Purpose and scope", "2. Words this policy uses"]  # a first edition
    assert "5. The procedure" in headings and "Appendix D: References" in headings
    parts = [text for style, text in styles if style == "Heading 2" and re.match(r"5\.\d ", text)]
    assert parts == [
        "5.1 What every member of staff does",
        "5.2 The DSL's review and immediate referrals",
        "5.3 The school's response when no criterion applies",
        "5.4 Police involvement, records and DBS checks",
    ]
    assert "Appendix C: Each step in full" in headings
    properties = document.core_properties
    assert properties.title.startswith("Oakfield Academy: responding to incidents")
    assert properties.author == "Oakfield Academy" and properties.language == "en-GB"
    assert properties.created.date().isoformat() == properties.modified.date().isoformat() == "2026-09-01"
    assert 'w:val="en-GB"' in document.styles.element.xml
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.header.tables[0].cell(0, 0).text == "Oakfield Academy"  # the title is in the next cell
    footer = section.footer._element.xml
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer


def test_each_procedure_step_is_a_word_numbered_item_with_the_charts_number(pack: Path) -> None:
    """Word numbers the steps itself, restarting for each chart, so the numbers are the charts'."""
    document = docx.Document(str(pack / "policy.docx"))
    lists: list[list[str]] = []
    current: str | None = None
    for paragraph in document.paragraphs:
        properties = paragraph._p.pPr
        num_pr = properties.numPr if properties is not None else None
        number = num_pr.numId.val if num_pr is not None else None  # type: ignore[attr-defined]
        if number is not None and document.part.numbering_part.element.num_having_numId(number) is not None:
            if number != current:
                lists.append([])
                current = number
            lists[-1].append(normalised(paragraph.text.replace("†", "")))  # without the draft mark
    outline = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "policypack"), "show", "england-dsl-review", "--brief"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[3:]
    # each step in full (Appendix C) leads with who takes it and where the route goes next
    routes = [normalised(line.rsplit("  ", 1)[1]) for line in outline if line.strip()]
    found = [items for items in lists if len(items) == len(routes)]
    assert any(all(map(str.endswith, items, routes)) for items in found), "the DSL's review is one Word list"
    numbering = document.part.numbering_part.element.xml
    assert numbering.count("<w:startOverride ") >= len(CHARTS), "each chart's list starts again at 1"


def test_the_contents_link_to_their_headings(pack: Path) -> None:
    document = docx.Document(str(pack / "policy.docx"))
    body = document.element.body
    marks = {m.get(qn("w:name")): m.getparent() for m in body.iter(qn("w:bookmarkStart"))}
    links = [link for link in body.iter(qn("w:hyperlink")) if link.get(qn("w:anchor"))]
    assert all(link.get(qn("w:anchor")) in marks for link in links)
    contents = [p for p in document.paragraphs if p._p.findall(qn("w:hyperlink"))][:13]
    assert [p.text for p in contents][:2] == ["1. Purpose and scope", "2. Words this policy uses"]
    for paragraph in contents:
        (link,) = paragraph._p.findall(qn("w:hyperlink"))
        heading = marks[link.get(qn("w:anchor"))]
        assert "".join(t.text for t in heading.iter(qn("w:t"))).startswith(paragraph.text), paragraph.text


def test_key_people_and_contacts_are_tables(pack: Path) -> None:
    document = docx.Document(str(pack / "policy.docx"))
    kept = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["Headteacher", "Dr\u00a0Helen\u00a0Marsh"] in kept, "a name is kept on one line, as in the PDF"
    cells = [[text.replace("\u00a0", " ") for text in row] for row in kept]
    assert any(row[:2] == ["Designated Safeguarding Lead", "Ms Priya Raman"] for row in cells)
    assert any(row[0] == "Emergency" and "999" in row[2] for row in cells)


def test_charts_are_300_dpi_pictures_described_by_their_numbered_steps(pack: Path) -> None:
    document = docx.Document(str(pack / "policy.docx"))
    charts = [shape for shape in document.inline_shapes if "Flowchart" in shape._inline.docPr.get("descr", "")]
    assert len(charts) >= len(CHARTS)  # a long chart is split into parts, each a picture
    for shape in charts:
        alt = shape._inline.docPr.get("descr")
        assert re.search(r"The steps in order: \d+\. .+ \d+\. ", alt), alt
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        image = Image.open(io.BytesIO(document.part.related_parts[blip].blob))
        dpi = image.width / (shape.width / Mm(25.4))
        assert 295 <= dpi <= 305, dpi
        widest = max(section.page_width or 0 for section in document.sections)  # a landscape chart page's
        assert shape.width <= widest - Mm(2 * SIDE_MARGIN_MM)
    names = [n for n in zipfile.ZipFile(pack / "policy.docx").namelist() if n.startswith("word/media/")]
    assert len(names) == len(charts) + 1  # and the logo: each picture once


@pytest.mark.parametrize("name", ["policy", "staff-card", "parent-leaflet"])
def test_word_has_the_same_words_as_the_pdf(pack: Path, name: str) -> None:
    """Every paragraph of the Word file is in the PDF, and every paragraph the PDF prints
    from its HTML (all but the charts' own labels) is in the Word file."""
    words = running((pack / "policy-preview.html").read_text()) if name == "policy" else {}
    pdf = pdf_body_text(
        pack / f"{name}.pdf",
        f"{words.get('running-school', '')} {words.get('running-title', '')}",
        words.get("running-provenance", "-"),
        svg_labels((pack / "policy-preview.html").read_text()) if name == "policy" else (),
    )
    document = paragraphs(docx.Document(str(pack / f"{name}.docx")))
    missing = [p for p in document if p not in pdf]
    assert missing == [], missing[:5]
    assert len(" ".join(document)) > 0.6 * len(pdf), "the Word file leaves out much of the PDF"


def test_a_second_build_gives_the_same_bytes(pack: Path, tmp_path: Path) -> None:
    profile = with_formats(EXAMPLE, tmp_path / "oakfield")
    assert run_cli("build", str(profile), "-o", str(tmp_path / "out")).exit_code == 0
    for name in ("policy.docx", "staff-card.docx", "parent-leaflet.docx", "policy-preview.html", "manifest.json"):
        again = tmp_path / "out" / "oakfield-academy" / name
        if name == "manifest.json":  # it names the profile's path, which differs here
            assert json.loads(again.read_text())["files"] == json.loads((pack / name).read_text())["files"]
        else:
            assert again.read_bytes() == (pack / name).read_bytes(), name
    dates = {info.date_time for info in zipfile.ZipFile(pack / "policy.docx").infolist()}
    assert dates == {(2026, 9, 1, 0, 0, 0)}


@pytest.mark.usefixtures("needs_weasyprint")
def test_hostile_text_prints_literally_in_word_and_on_the_web(tmp_path: Path) -> None:
    profile = with_formats(DATA / "profiles" / "hostile-name", tmp_path / "school")
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "out").iterdir()
    name = '<img src=x> {{ 7*7 }} "St Mary & St John" </p>'
    document = docx.Document(str(folder / "policy.docx"))
    assert name in [p.text for p in document.paragraphs]
    assert document.core_properties.author == name
    page = lxml.html.document_fromstring((folder / "policy-preview.html").read_text(encoding="utf-8"))
    assert name in page.text_content()
    assert [img.get("class") for img in page.iter("img")] == ["logo"]  # no <img src=x> in the page
    assert "49" not in page.find_class("school")[0].text_content()


def test_control_characters_print_as_their_pictures_in_word(tmp_path: Path) -> None:
    """A profile may not hold them (load refuses them at their line); a school's own template
    might, and XML cannot: the Word writer shows them rather than failing."""
    html = (
        '<html><head><title>T\x07</title></head><body><h2 data-word="header-left">Bell\x07 NUL\x00</h2></body></html>'
    )
    out = tmp_path / "control.docx"
    structure = structure_of(html, lambda chart, part: None)
    write_docx(structure, out, Theme(accent="#1b4965"), dt.date(2026, 9, 1), Rasteriser(), [])
    document = docx.Document(str(out))
    assert [p.text for p in document.paragraphs] == ["Bell\u2407 NUL\u2400"]
    assert document.core_properties.title == "T\u2407"


@pytest.mark.slow
@pytest.mark.usefixtures("needs_libreoffice")
def test_libreoffice_lays_out_the_word_policy_sensibly(pack: Path, tmp_path: Path, screenshots: Path) -> None:
    """Word as its users see it: LibreOffice turns policy.docx into a PDF we can read back."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice is not installed: run scripts/system-deps.sh --with-test-tools (libreoffice-writer-nogui)"
        )
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    subprocess.run(
        [
            soffice,
            profile,
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *(str(pack / f"{name}.docx") for name in ("policy", "staff-card", "parent-leaflet")),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert len(PdfReader(tmp_path / "staff-card.pdf").pages) == 1, "the staff card is one page, as in the PDF"
    assert len(PdfReader(tmp_path / "parent-leaflet.pdf").pages) == 2
    reader = PdfReader(tmp_path / "policy.pdf")
    assert 15 <= len(reader.pages) <= 45, len(reader.pages)
    # Headings keep their styles: LibreOffice makes its bookmarks from Word's heading levels.
    bookmarks = bookmark_titles(tmp_path / "policy.pdf")
    assert "5. The procedure" in bookmarks and "5.4 Police involvement, records and DBS checks" in bookmarks
    assert "Appendix C: Each step in full" in bookmarks
    text = normalised(" ".join(page.extract_text() for page in reader.pages))
    assert f"Page 3 of {len(reader.pages)}" in text, "the footer's fields are laid out as page numbers"
    page3 = subprocess.run(
        ["pdftotext", "-layout", "-f", "3", "-l", "3", str(tmp_path / "policy.pdf"), "-"],
        capture_output=True,
        text=True,
    ).stdout
    footer = [line for line in page3.splitlines() if "Page 3 of" in line]
    assert footer and "await checking" in footer[0], "the draft notice and the page number share one footer line"
    fonts = subprocess.run(["pdffonts", str(tmp_path / "policy.pdf")], capture_output=True, text=True).stdout
    assert "+OpenSans-Bold " in fonts and "+OpenSans " in fonts, "body and headings keep the brand font"
    for name in ("policy", "staff-card", "parent-leaflet"):
        pdf = str(tmp_path / f"{name}.pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "40", pdf, str(screenshots / f"word-{name}")], check=True)
    pages = sorted(screenshots.glob("word-*.png"))
    assert len(pages) == len(reader.pages) + 3
    for path in pages:  # nothing, a chart least of all, reaches the outer 10 mm of a page
        image = Image.open(path).convert("L")
        band = round(10 / 25.4 * 40)
        for box in ((0, 0, band, image.height), (image.width - band, 0, image.width, image.height)):
            darkest = image.crop(box).getextrema()[0]  # a grey image: (darkest, lightest)
            assert isinstance(darkest, (int, float)) and darkest > 200, (
                f"{path.name}: something runs into the page edge"
            )


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_school_letterhead_gives_the_word_files_its_styles_header_and_footer(tmp_path: Path) -> None:
    letterhead = docx.Document()
    letterhead.styles["Normal"].font.name = "DejaVu Serif"
    letterhead.sections[0].header.paragraphs[0].text = "Oakfield Academy · 1 Acorn Lane · Oakfield"
    letterhead.sections[0].footer.paragraphs[0].text = "A member of the Anyshire Learning Trust"
    letterhead.add_paragraph("Dear parent, this letter body is not part of the policy.")
    profile = with_formats(EXAMPLE, tmp_path / "school", "[docx]")
    letterhead.save(str(profile.parent / "letterhead.docx"))
    text = profile.read_text(encoding="utf-8").replace("\noutputs:\n", "\noutputs:\n  word_template: letterhead.docx\n")
    profile.write_text(text, encoding="utf-8")
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "oakfield-academy"
    assert {p.suffix for p in folder.iterdir()} == {".docx", ".json"}
    policy = docx.Document(str(folder / "policy.docx"))
    assert policy.styles["Normal"].font.name == "DejaVu Serif"
    assert policy.sections[0].header.paragraphs[0].text == "Oakfield Academy · 1 Acorn Lane · Oakfield"
    assert policy.sections[0].footer.paragraphs[0].text == "A member of the Anyshire Learning Trust"
    assert not any("Dear parent" in p.text for p in policy.paragraphs)
    assert ("Heading 1", "5. The procedure") in [(p.style.name, p.text) for p in policy.paragraphs]


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip", "is not a Word file (it is not a .docx package)"),
        (None, "is not a Word document (it has no word/document.xml)"),
    ],
)
def test_a_letterhead_that_is_not_a_word_file_is_a_problem_with_its_line(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    profile = with_formats(EXAMPLE, tmp_path / "school", "[docx]")
    if content is None:
        with zipfile.ZipFile(profile.parent / "letterhead.docx", "w") as archive:
            archive.writestr("hello.txt", "hello")
    else:
        (profile.parent / "letterhead.docx").write_bytes(content)
    text = profile.read_text(encoding="utf-8").replace("\noutputs:\n", "\noutputs:\n  word_template: letterhead.docx\n")
    profile.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  word_template: letterhead.docx") + 1
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"school.yaml:{line}:" in result.stderr and message in result.stderr, result.stderr


CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_letterhead_that_word_cannot_open_fails_the_build_and_writes_nothing(tmp_path: Path) -> None:
    profile = with_formats(EXAMPLE, tmp_path / "school", "[docx]")
    with zipfile.ZipFile(profile.parent / "letterhead.docx", "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<not really XML")
    text = profile.read_text(encoding="utf-8").replace("\noutputs:\n", "\noutputs:\n  word_template: letterhead.docx\n")
    profile.write_text(text, encoding="utf-8")
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "the letterhead letterhead.docx cannot be opened" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "out" / "oakfield-academy").exists()
