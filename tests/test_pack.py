"""The school pack end to end: build the example school, read every PDF back."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from policypack.cli import main
from policypack.model.profile import PolicyDates
from tests.conftest import DATA, ROOT, PackHtml, bookmark_titles, pdf_words, run_cli

EXAMPLE = ROOT / "examples" / "oakfield" / "school.yaml"
PROFILES = DATA / "profiles"
Cli = Callable[..., Result]


def test_every_document_exists_with_sensible_pages(pack: Path) -> None:
    pages = {path.name: len(PdfReader(path).pages) for path in pack.glob("*.pdf")}
    assert pages.pop("staff-card.pdf") == 1
    assert pages.pop("incident-form.pdf") == 3
    assert pages.pop("parent-leaflet.pdf") == 2
    assert pages.pop("contacts-proof.pdf") == 1
    assert 15 <= pages.pop("policy.pdf") <= 30
    assert pages == {
        "poster-staff-response-a4.pdf": 1,
        "poster-dsl-review-a2.pdf": 1,
        "poster-dsl-response-a2.pdf": 1,
        "poster-police-records-a2.pdf": 1,
    }


def test_the_policy_says_what_a_dsl_needs_to_adopt_it(pack: Path) -> None:
    text = pdf_words(pack / "policy.pdf")
    for expected in [
        "Oakfield Academy",
        "Ms Priya Raman",
        "Mr Tom Ellis",
        "1 September 2027",  # next review
        "Outcome 21",
        "Criterion 1: is an adult involved?",
        "Criterion 2: coercion, blackmail, grooming, or doubt about capacity to consent?",
        "Criterion 3: sexual acts unusual for the child's development, or violent?",
        "Criterion 4: sexual acts, and a child in the imagery under 13?",
        "Criterion 5: is a child at immediate risk of harm?",
        "Anyshire Children's Services front door (MASH)",
        "not for signature",  # a draft (issue 17)
        "Make the referral immediately, not later in the day",
        "This pack is for schools and colleges in England. Scotland and Northern Ireland",
        "Page 1 of",
    ]:
        assert expected in text, expected


def test_the_policy_has_bookmarks_and_contents_with_page_numbers(pack: Path) -> None:
    reader = PdfReader(pack / "policy.pdf")
    titles = bookmark_titles(pack / "policy.pdf")
    assert "Contents" in titles and "Appendix D: References" in titles
    assert any("procedure" in t for t in titles)
    contents = reader.pages[1].extract_text()
    assert "The procedure" in contents and "References" in contents


def test_the_policy_and_leaflet_are_tagged_in_british_english(pack: Path) -> None:
    for name in ("policy.pdf", "parent-leaflet.pdf", "staff-card.pdf", "incident-form.pdf"):
        root = PdfReader(pack / name).trailer["/Root"]
        assert root["/Lang"] == "en-GB" and "/StructTreeRoot" in root, name  # type: ignore[operator]


def test_the_incident_form_has_its_fields(pack: Path) -> None:
    fields = PdfReader(pack / "incident-form.pdf").get_fields() or {}
    for name in [
        "reported_on",
        "children_involved",
        "what_was_reported",
        "review_notes",
        "imagery_viewed",
        "viewed_by",
        "viewed_present",
        "referral_details",
        "parents_details",
        "actions",
        "review_outcome",
    ]:
        assert name in fields, name
    assert {f"criterion_{n}" for n in range(1, 6)} <= set(fields)


def test_the_staff_card_and_leaflet_name_who_to_contact(pack: Path) -> None:
    card = pdf_words(pack / "staff-card.pdf")
    assert "Ms Priya Raman" in card and "01632 960 101" in card and "Mrs Grace Okafor" in card
    assert "Do not view, copy, print, share, store or save the imagery" in card
    leaflet = pdf_words(pack / "parent-leaflet.pdf")
    for expected in ("Report Remove", "Childline", "CEOP", "Outcome 21", "p.raman@oakfield.example.org"):
        assert expected in leaflet


def test_the_posters_carry_the_school(pack: Path) -> None:
    text = pdf_words(pack / "poster-dsl-review-a2.pdf")
    assert "Oakfield Academy · draft for checking, not yet adopted" in text, "a draft's poster never claims adoption"
    assert "policy adopted" not in text


def test_the_manifest_lists_every_file_with_its_hash(pack: Path) -> None:
    manifest = json.loads((pack / "manifest.json").read_text())
    files = {entry["name"]: entry["sha256"] for entry in manifest["files"]}
    assert set(files) == {p.name for p in pack.iterdir()} - {"manifest.json"}
    assert {"policy.docx", "policy-preview.html"} <= set(
        files
    )  # the example asks for every format (a draft: its web page is a preview)
    for name, digest in files.items():
        assert hashlib.sha256((pack / name).read_bytes()).hexdigest() == digest
    assert {f["id"] for f in manifest["flows"]} == {
        "england-staff-response",
        "england-dsl-review",
        "england-dsl-response",
        "england-police-records",
    }
    assert manifest["tools"]["weasyprint"].startswith("70.")


def test_every_pdf_passes_qpdf_and_embeds_its_fonts(pack: Path) -> None:
    for path in pack.glob("*.pdf"):
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, (path.name, check.stdout)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
        assert fonts and all(" yes " in line for line in fonts), (path.name, fonts)


def test_a_second_build_is_byte_identical(pack: Path, tmp_path: Path) -> None:
    result = run_cli("build", str(EXAMPLE), "-o", str(tmp_path))
    assert result.exit_code == 0
    for path in pack.iterdir():
        assert (tmp_path / "oakfield-academy" / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.usefixtures("needs_weasyprint")
def test_hostile_text_is_printed_literally(pack_html: PackHtml, tmp_path: Path) -> None:
    name = '<img src=x> {{ 7*7 }} "St Mary & St John" </p>'
    profile = PROFILES / "hostile-name" / "school.yaml"
    for document, html in pack_html(profile).items():
        assert "<img src=x>" not in html and "{{ 7*7 }}" in html, document
        assert name in visible_text(html), document
    # and on paper: one document, built for real
    school = tmp_path / "school"
    shutil.copytree(profile.parent, school)
    reduced = school / "school.yaml"
    reduced.write_text(re.sub(r"documents: \[[^\]]*\]", "documents: [staff-card]", reduced.read_text()))
    assert run_cli("build", str(reduced), "-o", str(tmp_path / "out")).exit_code == 0
    (folder,) = (tmp_path / "out").iterdir()
    assert name in pdf_words(folder / "staff-card.pdf")


def visible_text(html: str) -> str:
    """The text a reader sees: tags and the style sheet dropped, entities decoded, spaces folded."""
    body = re.sub(r"<(style|title)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.parametrize(
    ("profile", "line", "message"),
    [
        ("logo-outside", 71, "is outside the folder of the profile that gives it"),
        ("logo-remote", 71, "the logo must be a file beside the profile, not an address"),
        ("svg-external", 71, "refers to other files or addresses (file:///etc/passwd)"),
        ("brand-loop", 64, "the brand is not valid: Circular reference detected in 'logo'."),
        ("brand-wrong-type", 64, "'brand': input should be a valid dictionary, or input should be a valid string"),
        (
            "logo-no-extension",
            73,
            "'logo.images.crest.path': input should be a valid URL, relative URL without a base, or ",
        ),
        ("missing-contacts", 14, "missing required key 'phone'"),
        ("missing-contacts", 17, "list should have at least 1 item"),
        ("missing-contacts", 46, "'approved_by' must not be blank"),
    ],
)
def test_a_bad_profile_fails_with_its_line_and_writes_nothing(
    tmp_path: Path, profile: str, line: int, message: str
) -> None:
    result = run_cli("build", str(PROFILES / profile / "school.yaml"), "-o", str(tmp_path))
    assert result.exit_code == 1
    assert any(f"school.yaml:{line}:" in out and message in out for out in result.stderr.splitlines()), result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_failed_rebuild_leaves_the_previous_pack_intact(tmp_path: Path) -> None:
    school = tmp_path / "school"
    shutil.copytree(EXAMPLE.parent, school)
    profile = school / "school.yaml"
    profile.write_text(re.sub(r"documents: \[[^\]]*\]", "documents: [staff-card, parent-leaflet]", profile.read_text()))
    out = tmp_path / "out"
    assert run_cli("build", str(school / "school.yaml"), "-o", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "oakfield-academy").iterdir()}
    profile.write_text(profile.read_text().replace("phase: secondary", "phase: university"))
    assert run_cli("build", str(profile), "-o", str(out)).exit_code == 1
    assert {p.name: p.read_bytes() for p in (out / "oakfield-academy").iterdir()} == before
    assert [p.name for p in out.iterdir()] == ["oakfield-academy"], "no staging folder is left behind"


def painted_colours(path: Path) -> set[str]:
    page = PdfReader(path).pages[0]
    return set(re.findall(r"([0-9.]+ [0-9.]+ [0-9.]+) rg", page.get_contents().get_data().decode("latin-1")))


def test_a_brand_file_colours_the_pack(pack_html: PackHtml) -> None:
    documents = pack_html(PROFILES / "brand-file" / "school.yaml")
    assert "#7a1f2b" in documents["policy"], "the primary colour in _brand.yml colours the headings"
    poster = documents["poster-staff-response-a4"]
    assert "#7a1f2b" in poster and 'fill="#' in poster


def test_init_writes_placeholders_that_validate_reports(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path), "--no-interactive")
    assert result.exit_code == 0 and "18 field(s) still to fill in" in result.stdout
    check = run_cli("validate", str(tmp_path / "school.yaml"))
    assert check.exit_code == 1
    assert "school.yaml:7:3: error: 'school.name' is still a placeholder" in check.stdout
    assert run_cli("init", str(tmp_path)).exit_code == 1, "never overwrites without --force"


def test_init_asks_and_writes_a_profile_that_builds(tmp_path: Path) -> None:
    answers = [
        'St Anne\'s "Primary" & Nursery',
        "england",
        "primary",
        "2 Church Road, Anytown",
        "Ms A Lead",
        "01632 960 300",
        "lead@stannes.example.org",
        "Mr B Deputy",
        "01632 960 301",
        "deputy@stannes.example.org",
        "Mrs C Head",
        "Dr D Chair",
        "Anytown MASH",
        "01632 960 400",
        "Anytown Police",
        "101",
        "2026-10-01",
        "Full governing board",
    ]
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--interactive"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "still to fill in" not in result.stdout
    assert run_cli("validate", str(tmp_path / "school.yaml")).exit_code == 0
    assert 'name: "St Anne\'s \\"Primary\\" & Nursery"' in (tmp_path / "school.yaml").read_text()


@pytest.mark.parametrize(
    ("reviewed", "months", "expected"),
    [("2026-09-01", 12, "2027-09-01"), ("2026-08-31", 6, "2027-02-28"), ("2027-11-30", 3, "2028-02-29")],
)
def test_next_review_date(reviewed: str, months: int, expected: str) -> None:
    dates = PolicyDates.model_validate({"adopted": reviewed, "approved_by": "Board", "review_interval_months": months})
    assert dates.next_review.isoformat() == expected


def test_a_school_overrides_one_block_of_a_document(pack_html: PackHtml) -> None:
    text = visible_text(pack_html(PROFILES / "override" / "school.yaml")["policy"])
    assert "Our school counsellor, Ms Ada Okoye" in text
    assert "Report Remove" not in text.split("Our school counsellor")[1].split("Training")[0]
    assert "Criterion 1: is an adult involved" in text, "the rest of the document is unchanged"


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_brand_font_must_be_a_plain_name_and_installed(tmp_path: Path) -> None:
    school = tmp_path / "school"
    shutil.copytree(EXAMPLE.parent, school)
    profile = school / "school.yaml"
    base = profile.read_text()
    profile.write_text(base.replace("  meta:\n", '  typography: {base: {family: "Evil\\"; } body { x"}}\n  meta:\n'))
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "has characters a font name cannot have" in result.stderr
    profile.write_text(base.replace("  meta:\n", "  typography: {base: {family: No Such Font}}\n  meta:\n"))
    result = run_cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert "the font 'No Such Font' is not installed" in result.stderr


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_document_no_longer_asked_for_is_removed_and_nothing_else(tmp_path: Path) -> None:
    school = tmp_path / "school"
    shutil.copytree(EXAMPLE.parent, school)
    profile = school / "school.yaml"
    profile.write_text(
        profile.read_text().replace(
            "documents: [policy, staff-card, incident-form, parent-leaflet, posters]",
            "documents: [staff-card, posters]",
        )
    )
    out = tmp_path / "out"
    assert run_cli("build", str(profile), "-o", str(out)).exit_code == 0
    pack = out / "oakfield-academy"
    (pack / "notes.txt").write_text("the DSL's own file")
    profile.write_text(profile.read_text().replace("documents: [staff-card, posters]", "documents: [staff-card]"))
    assert run_cli("build", str(profile), "-o", str(out)).exit_code == 0
    kept = ["contacts-proof.pdf", "manifest.json", "notes.txt", "staff-card.docx", "staff-card.pdf"]
    assert sorted(p.name for p in pack.iterdir()) == kept, "the contacts proof comes with every PDF pack"


@pytest.mark.parametrize("key", ["brand", "templates", "extends"])
def test_an_impossible_path_in_a_profile_is_a_problem_not_a_crash(tmp_path: Path, key: str) -> None:
    school = tmp_path / "school"
    shutil.copytree(EXAMPLE.parent, school)
    profile = school / "school.yaml"
    text = profile.read_text()
    if key == "brand":
        text = text[: text.index("brand:")]
    profile.write_text(f"{key}: {'x' * 300}\n" + text)
    result = run_cli("validate", str(profile))
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "school.yaml:1:1: error:" in result.stdout


@pytest.mark.parametrize("document", ["policy", "staff-card", "incident-form", "parent-leaflet"])
def test_headings_never_skip_a_level(pack_html: PackHtml, document: str) -> None:
    html = pack_html(EXAMPLE)[document]
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert levels and levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, (document, levels)


MAINTAINER_PHRASES = ("verify", "not read first-hand", "read from a copy", "first policypack edition", "pending")


@pytest.fixture(scope="module")
def wales_pack(tmp_path_factory: pytest.TempPathFactory, needs_weasyprint: None) -> Path:
    folder = tmp_path_factory.mktemp("wales") / "school"
    shutil.copytree(EXAMPLE.parent, folder)
    profile = folder / "school.yaml"
    text = profile.read_text().replace("nation: england", "nation: wales")
    text = text.replace("Local Authority Designated Officer", "Designated Officer for Safeguarding")
    profile.write_text(text.replace("Safeguarding Children Partnership", "Regional Safeguarding Board"))
    out = tmp_path_factory.mktemp("packs")
    result = run_cli("build", str(profile), "-o", str(out))
    assert result.exit_code == 0, result.output
    return out / "oakfield-academy"


def test_no_document_of_either_nation_carries_a_maintainer_note(pack: Path, wales_pack: Path) -> None:
    for folder in (pack, wales_pack):
        for pdf in sorted(folder.glob("*.pdf")):
            text = pdf_words(pdf).casefold()
            for phrase in MAINTAINER_PHRASES:
                assert phrase not in text, (folder.name, pdf.name, phrase)


def test_the_draft_notice_is_on_the_cover_and_in_the_footer(pack: Path, cli: Cli) -> None:
    example = str(EXAMPLE)
    count = json.loads(cli("review", "--format", "json", "--profile", example).stdout)["parts"]["england"]
    notice = f"Draft — {count} parts of this text await checking against the current guidance (marked †)"
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(pack / "policy.pdf").pages]
    assert notice in pages[0]
    assert all(notice in page for page in pages[1:]), "every page's footer carries it"
