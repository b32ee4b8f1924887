"""Word files that open clean: read back with python-docx, and laid out by LibreOffice as an office would."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from pypdf import PdfReader

from policypack.layout.pack import SIDE_MARGIN_MM
from policypack.render.document import FormField, FormRow, Heading, PageStart, Table
from policypack.render.structure import structure_of
from policypack.write.word.runs import plain
from tests.conftest import ROOT, normalised, run_cli, with_formats

EXAMPLE = ROOT / "examples" / "oakfield"
LONG_NAME = "The Blessed Cardinal John Henry Newman Catholic Voluntary Academy and Sixth Form, Oakfield"


def body_text(document: docx.document.Document) -> str:
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        found += [cell.text for row in table.rows for cell in row.cells]
    return normalised(" ".join(found))


def to_pdf(files: list[Path], folder: Path) -> None:
    """LibreOffice lays the Word files out and prints them, as a school office would see them."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is not installed: scripts/system-deps.sh --with-test-tools"
    profile = f"-env:UserInstallation=file://{folder / 'lo-profile'}"
    command = [soffice, profile, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(folder)]
    subprocess.run([*command, *map(str, files)], check=True, capture_output=True, timeout=240)


def test_headings_fonts_and_contents_are_words_own(pack: Path) -> None:
    document = docx.Document(str(pack / "policy.docx"))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 3", "Review history of the policy this draft replaces") in styles, (
        "a table's caption is a real heading"
    )
    xml = document.styles.element.xml
    assert "asciiTheme" not in xml and "majorHAnsi" not in xml, "no theme font can override the brand's"
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Open Sans", name
    defaults = document.styles.element.find(qn("w:docDefaults")).find(f".//{qn('w:rFonts')}")
    assert defaults.get(qn("w:ascii")) == "Open Sans"
    instructions = " ".join(t.text for t in document.element.body.iter(qn("w:instrText")))
    assert 'TOC \\o "1-2" \\h' in instructions, "the contents is a field Word fills in"
    assert document.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"


def test_no_two_tables_touch(pack: Path) -> None:
    """Word joins two tables with nothing between them into one grid."""
    for name in ("policy", "incident-form"):
        body = docx.Document(str(pack / f"{name}.docx")).element.body
        tables = body.findall(qn("w:tbl"))
        assert tables, name
        for table in tables:
            following = table.getnext()
            assert following is not None and following.tag != qn("w:tbl"), name


def test_web_and_mail_addresses_are_links_that_open(pack: Path) -> None:
    document = docx.Document(str(pack / "policy.docx"))
    external = {rel.target_ref for rel in document.part.rels.values() if rel.reltype == RT.HYPERLINK}
    assert "https://report.iwf.org.uk/" in external
    assert any(target.startswith("mailto:") for target in external)
    assert any(target.startswith("tel:") for target in external)
    assert all(target.startswith(("https://", "http://", "mailto:", "tel:")) for target in external)
    links = document.element.body.iter(qn("w:hyperlink"))
    shown = {"".join(t.text for t in link.iter(qn("w:t"))) for link in links if link.get(qn("r:id"))}
    assert "report.iwf.org.uk" in shown


def test_charts_sit_on_the_paper_the_layout_chose(pack: Path) -> None:
    """Each chart part's Word section has the layout's paper and orientation; the picture its width."""
    document = docx.Document(str(pack / "policy.docx"))
    sections = document.sections
    chart_sections = [s for s in sections if round(s.left_margin.mm) == SIDE_MARGIN_MM]
    assert chart_sections, "chart pages have the layout's side margins"
    for section in chart_sections:
        width, height = round(section.page_width.mm), round(section.page_height.mm)
        assert (min(width, height), max(width, height)) in ((210, 297), (297, 420))
        assert (width > height) == (section.orientation == 1)
    for shape in document.inline_shapes:
        if "Flowchart" in shape._inline.docPr.get("descr", ""):
            assert shape.width.mm <= max(s.page_width.mm for s in sections) - 2 * SIDE_MARGIN_MM + 0.01


def test_structure_keeps_captions_as_headings_and_fields_as_fields() -> None:
    html = (
        "<html><body><table><caption>Approval of this text (edition 3)</caption>"
        "<thead><tr><th>Role</th><th>Signature</th></tr></thead><tbody><tr><td>Head</td><td></td></tr></tbody>"
        "</table><table><caption>Review history</caption><tr><td>1 May</td></tr></table>"
        '<div><div><label for="a">Incident reference</label><input type="text" id="a"></div>'
        '<div><label for="b">Date</label><input type="text" id="b"></div></div>'
        '<div><label for="c">Criterion 1</label><select id="c"><option selected>Yes / No / Unsure</option>'
        "<option>No</option><option>Yes</option><option>Unsure</option></select></div>"
        '<section data-word="chart-page" data-chart="x" data-part="1"></section>'
        "</body></html>"
    )
    with pytest.raises(ValueError, match="no laid-out chart"):
        structure_of(html, lambda chart, part: None)
    blocks = structure_of(html.replace('<section data-word="chart-page"', "<section"), lambda c, p: None).blocks
    headings = [b for b in blocks if isinstance(b, Heading)]
    assert [plain(h.inlines) for h in headings] == ["Approval of this text (edition 3)", "Review history"]
    assert [type(b) for b in blocks][:4] == [Heading, Table, Heading, Table]
    (row,) = [b for b in blocks if isinstance(b, FormRow)]
    assert [field.kind for cell in row.cells for field in cell] == ["line", "line"]
    (choice,) = [b for b in blocks if isinstance(b, FormField)]
    assert choice.choices == ("No", "Yes", "Unsure")
    assert not any(isinstance(b, PageStart) for b in blocks)


def test_the_incident_form_in_word_has_every_field_of_the_pdf_form(pack: Path) -> None:
    """A DSL who types the record in Word finds each field the PDF form has, with its label."""
    document = docx.Document(str(pack / "incident-form.docx"))
    text = body_text(document)
    fields = PdfReader(pack / "incident-form.pdf").get_fields() or {}
    labels = {normalised(str(field.get("/TU", ""))) for field in fields.values()}
    labels.discard("")
    assert len(labels) >= 30
    missing = [label for label in labels if label not in text]
    assert missing == [], missing
    assert text.count("\u2610 No \u2610 Yes \u2610 Unsure") == 5, "each criterion: Yes, No or Unsure to tick"
    for label in ("Incident reference", "Date and time of the incident", "Signature of the DSL", "Date signed"):
        assert label in text
    assert len(document.tables) >= 20, "the fields are table cells to type into"


@pytest.mark.slow
@pytest.mark.usefixtures("needs_libreoffice", "needs_dot")
def test_libreoffice_prints_the_cover_on_page_one_and_a_long_name_in_the_header(tmp_path: Path) -> None:
    profile = with_formats(EXAMPLE, tmp_path / "school", "[docx]")
    text = profile.read_text(encoding="utf-8").replace("  name: Oakfield Academy\n", f"  name: {LONG_NAME}\n", 1)
    profile.write_text(re.sub(r"name: \{full: Oakfield Academy, short: Oakfield\}", "name: Oakfield", text))
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "out").iterdir()
    to_pdf([folder / "policy.docx", folder / "incident-form.docx"], tmp_path)
    policy = PdfReader(tmp_path / "policy.pdf")
    assert 15 <= len(policy.pages) <= 45, len(policy.pages)
    first, second = (normalised(policy.pages[i].extract_text()) for i in (0, 1))
    assert "Guidance:" in first and "Review history" in first, "the whole cover is on page 1"
    assert "Contents" in second and "Guidance:" not in second
    assert 2 <= len(PdfReader(tmp_path / "incident-form.pdf").pages) <= 5
    words = subprocess.run(
        ["pdftotext", "-f", "3", "-l", "3", "-bbox", str(tmp_path / "policy.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    boxes = [
        (float(x0), float(y0), float(x1), word)
        for x0, y0, x1, word in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', words
        )
    ]
    top = min(y for _, y, _, _ in boxes)
    header = [box for box in boxes if box[1] < top + 25]
    title = ["Sharing", "nudes", "and", "semi-nudes:", "policy", "and", "procedure"]
    name_words = [b for b in header if b[3] in LONG_NAME.split() and b[3] not in title]
    title_words = [b for b in header if b[3] in title and b[3] not in LONG_NAME.split()]
    assert {b[3] for b in name_words} >= {"Cardinal", "Sixth", "Form,"} and title_words
    assert max(b[2] for b in name_words) < min(b[0] for b in title_words), "the name never runs into the title"


def test_each_step_in_full_leads_with_who_takes_it_in_bold(pack: Path) -> None:
    """Role, route, text and sources would otherwise look alike in Word (the step's title is in
    the procedure, not printed a third time in the appendix)."""
    document = docx.Document(str(pack / "policy.docx"))
    bold = {run.text for paragraph in document.paragraphs for run in paragraph.runs if run.bold}
    assert {"Any member of staff", "Designated Safeguarding Lead (DSL)"} <= bold


@pytest.mark.usefixtures("needs_dot")
def test_a_school_template_naming_no_chart_is_a_located_problem(tmp_path: Path) -> None:
    """A school's own policy template whose chart page names no laid-out chart: exit 1, its file named."""
    profile = with_formats(EXAMPLE, tmp_path / "school", "[docx]")
    (profile.parent / "templates").mkdir()
    override = '{% extends "documents/policy.html.j2" %}{% block recording %}'
    override += '<section data-word="chart-page" data-chart="no-such-chart" data-part="x"></section>{% endblock %}'
    (profile.parent / "templates" / "policy.html.j2").write_text(override, encoding="utf-8")
    profile.write_text(profile.read_text(encoding="utf-8") + "\ntemplates: templates\n", encoding="utf-8")
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "policy.html.j2" in result.stderr and "no laid-out chart 'no-such-chart'" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
