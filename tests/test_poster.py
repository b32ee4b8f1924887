"""Posters end to end: real PDFs read back for size, text, tags, determinism and safety."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from pypdf import PdfReader

from policypack.layout.fonts import require_dot_font
from policypack.layout.sheet import PAPER_MM, minimum_text_pt
from policypack.load.flows import load_flow_set
from policypack.model.route import number_steps, steps_in_order
from policypack.resources import bundled_path
from policypack.write.pdf import BuildFailed, write_pdf
from tests.conftest import PosterHtml, copy_school

Cli = Callable[..., Result]
PT_PER_MM = 72 / 25.4
BUNDLED = load_flow_set(bundled_path("flows"))


def flowchart(cli: Cli, out: Path, *args: str) -> PdfReader:
    result = cli("flowchart", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    return PdfReader(out)


def page_size_mm(box: Any) -> tuple[float, float]:
    return (round(float(box.width) / PT_PER_MM, 1), round(float(box.height) / PT_PER_MM, 1))


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.usefixtures("needs_weasyprint")
def test_the_a2_dsl_review_is_one_vector_page_with_every_step(cli: Cli, tmp_path: Path) -> None:
    pdf = flowchart(cli, tmp_path / "poster.pdf", "england-dsl-review", "--size", "A2")
    assert len(pdf.pages) == 1
    page = pdf.pages[0]
    assert page_size_mm(page.mediabox) == (420.0, 594.0)
    assert len(page.images) == 0, "the chart must be vector, not a picture"
    text = words(page.extract_text())
    doc = BUNDLED.find("england-dsl-review")
    assert doc is not None
    numbers = number_steps(doc.model)
    for step in steps_in_order(doc.model):
        assert words(step.title) in text, step.title
        assert re.search(rf"(^| ){numbers[step.id]} (DSL|Police)", text), numbers[step.id]


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.parametrize("size", list(PAPER_MM))
@pytest.mark.parametrize("landscape", [False, True])
def test_each_paper_size_is_exactly_that_size(cli: Cli, tmp_path: Path, size: str, landscape: bool) -> None:
    orientation = "--landscape" if landscape else "--portrait"
    # a wide chart for landscape sheets (none reads on an A4 landscape sheet: that size is refused)
    chart = "england-police-records" if landscape else "england-staff-response"
    if landscape and size == "A4":
        result = cli("flowchart", chart, "--size", size, orientation, "-o", str(tmp_path / "p.pdf"))
        assert result.exit_code == 1 and "is too tall for an A4 poster" in result.stderr
        return
    pdf = flowchart(cli, tmp_path / "p.pdf", chart, "--size", size, orientation)
    width, height = PAPER_MM[size]
    assert len(pdf.pages) == 1
    assert page_size_mm(pdf.pages[0].mediabox) == ((height, width) if landscape else (width, height))


@pytest.mark.usefixtures("needs_weasyprint")
def test_print_marks_add_bleed_around_the_exact_trim_size(cli: Cli, tmp_path: Path) -> None:
    pdf = flowchart(cli, tmp_path / "p.pdf", "england-staff-response", "--size", "A3", "--print-marks")
    page = pdf.pages[0]
    assert page_size_mm(page.trimbox) == (297.0, 420.0)
    media_w, media_h = page_size_mm(page.mediabox)
    assert media_w >= 297 + 6 and media_h >= 420 + 6
    assert page_size_mm(page.bleedbox)[0] >= 297 + 6


@pytest.mark.usefixtures("needs_weasyprint")
def test_the_pdf_is_tagged_with_language_and_the_outline_as_alt_text(cli: Cli, tmp_path: Path) -> None:
    pdf = flowchart(cli, tmp_path / "p.pdf", "england-staff-response", "--size", "A4")
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    alts: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, dict):
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            walk(node.get("/K", []))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(root["/StructTreeRoot"])
    (alt,) = [a for a in alts if a.startswith("Flowchart:")]
    assert "1. You learn that nude or semi-nude images of pupils are involved" in alt
    assert "5. Is a phone or other device holding the imagery?  Yes → 6 · No → 7" in alt


@pytest.mark.usefixtures("needs_weasyprint")
def test_two_builds_are_byte_identical_and_pass_qpdf(cli: Cli, tmp_path: Path) -> None:
    first = tmp_path / "a.pdf"
    second = tmp_path / "b.pdf"
    flowchart(cli, first, "england-police-records", "--size", "A3")
    flowchart(cli, second, "england-police-records", "--size", "A3")
    assert first.read_bytes() == second.read_bytes()
    check = subprocess.run(["qpdf", "--check", str(first)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(
    ("flow_id", "size"),
    [
        (f"{n}-{f}", size)
        for n in ("england", "wales")
        for f, size in [
            ("staff-response", "A4"),
            ("dsl-review", "A2"),
            ("dsl-response", "A2"),
            ("police-records", "A2"),
        ]
    ],
)
def test_bundled_charts_meet_the_legibility_rule_at_their_poster_size(
    poster_html: PosterHtml, flow_id: str, size: str
) -> None:
    doc = BUNDLED.find(flow_id)
    assert doc is not None
    poster = poster_html(doc.model, BUNDLED, size)
    assert poster.chart.smallest_pt >= minimum_text_pt(size) - 0.05, poster.chart.smallest_pt


def test_the_legibility_rule_per_paper_size() -> None:
    assert [minimum_text_pt(size) for size in ("A4", "A3", "A2", "A1")] == [9.0, 10.5, 14.0, 21.0]


@pytest.mark.usefixtures("needs_weasyprint")
def test_an_illegible_choice_is_refused_with_the_sizes_that_read(cli: Cli, tmp_path: Path) -> None:
    result = cli("flowchart", "england-dsl-review", "--size", "A4", "-o", str(tmp_path / "p.pdf"))
    assert result.exit_code == 1 and not (tmp_path / "p.pdf").exists()
    assert "--size A4: the chart 'Nudes shared by pupils: the DSL's review and immediate referrals' is too tall" in (
        result.stderr
    )
    assert "a poster read from 1 m needs 9.0 pt; --size A2 prints it legibly" in result.stderr


@pytest.mark.usefixtures("needs_weasyprint")
def test_svg_output_carries_title_and_description_first(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "chart.svg"
    result = cli("flowchart", "england-staff-response", "--format", "svg", "-o", str(out))
    assert result.exit_code == 0
    svg = out.read_text()
    assert re.match(r'<svg width="[\d.]+mm" height="[\d.]+mm"[^>]*>\s*<title>Flowchart: ', svg)
    assert "<desc>" in svg


@pytest.mark.usefixtures("needs_weasyprint")
def test_png_output_is_a_preview_image(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "preview.png"
    result = cli(
        "flowchart", "england-staff-response", "--size", "A4", "--format", "png", "--dpi", "30", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.iterdir()) == [out], "no temporary files are left behind"


def test_a_missing_dot_exits_3_with_how_to_install(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_dot_font.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("flowchart", "england-staff-response", "-o", str(tmp_path / "p.pdf"))
    require_dot_font.cache_clear()
    assert result.exit_code == 3
    assert "'dot' was not found" in result.stderr and "apt-get install graphviz" in result.stderr


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_broken_flow_exits_1_and_leaves_the_previous_poster(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "poster.pdf"
    out.write_bytes(b"the previous poster")
    result = cli("flowchart", "tests/data/broken/loop.yaml", "-o", str(out))
    assert result.exit_code == 1
    assert "loop.yaml:18:6: error: steps loop with no way out" in result.stderr
    assert out.read_bytes() == b"the previous poster"


LONG_POSTER_RULE = (
    "No {lead} or deputy to be reached without delay: call {csc}, whose number is on the staff card and in "
    "the policy, and tell the {lead} as soon as one can be reached, with a written record of the call"
)


@pytest.mark.usefixtures("needs_dot", "needs_weasyprint")
@pytest.mark.parametrize("size", ["A4", "A3"])
def test_a_long_poster_rule_gets_the_footer_lines_it_needs_and_none_is_lost(
    cli: Cli, tmp_path: Path, size: str
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(bundled_path("flows"), flows)
    flow = flows / "england" / "staff-response.yaml"
    short = '    poster: "No {lead} or deputy to be reached without delay: call {csc}"\n'
    flow.write_text(flow.read_text().replace(short, f'    poster: "{LONG_POSTER_RULE}"\n'))
    reader = flowchart(cli, tmp_path / "poster.pdf", str(flow), "--size", size)
    printed = words(reader.pages[0].extract_text())
    rule = LONG_POSTER_RULE.format(lead="DSL", csc="children's social care")
    assert words(f"{rule} · Not legal advice.").replace(" ", "") in printed.replace(" ", ""), printed[-300:]


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.parametrize(
    "reference",
    ["file:///etc/passwd", "https://example.org/logo.png", "../../../etc/hostname"],
)
def test_the_pdf_writer_loads_nothing_outside_its_folders(tmp_path: Path, reference: str) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    out = tmp_path / "out.pdf"
    out.write_bytes(b"previous")
    html = f'<html><body><img src="{reference}" alt="x"></body></html>'
    with pytest.raises(BuildFailed, match="refused to load"):
        write_pdf(html, out, base_url=allowed, allowed=[allowed])
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["allowed", "out.pdf"]


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.allow_warnings  # legibility warnings for some sizes are the point or a side effect
def test_weasyprint_warnings_are_collected_and_the_bundled_poster_has_none(
    poster_html: PosterHtml, tmp_path: Path
) -> None:
    templates = bundled_path("templates")
    noisy = write_pdf("<p style='colour: red'>x</p>", tmp_path / "n.pdf", base_url=templates, allowed=[templates])
    assert any("colour" in warning for warning in noisy)
    doc = BUNDLED.find("wales-police-records")
    assert doc is not None
    poster = poster_html(doc.model, BUNDLED, "A3")
    warnings = write_pdf(poster.html, tmp_path / "p.pdf", base_url=templates, allowed=[templates], pages=1)
    assert warnings == []


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_profile_brands_a_single_poster(cli: Cli, tmp_path: Path) -> None:
    profile = "tests/data/profiles/brand-file/school.yaml"
    pdf = flowchart(cli, tmp_path / "p.pdf", "england-police-records", "--profile", profile, "--size", "A3")
    text = words(pdf.pages[0].extract_text())
    assert "Oakfield Academy · draft for checking, not yet adopted" in text, "as the school's pack prints it: a draft"


def test_a_profile_from_another_nation_is_refused(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "flowchart", "wales-staff-response", "--profile", "examples/oakfield/school.yaml", "-o", str(tmp_path / "p.pdf")
    )
    assert result.exit_code == 1
    assert "examples/oakfield/school.yaml:8:3: error: this school is in England" in result.stderr
    assert "hint: use england-staff-response" in result.stderr
    assert not (tmp_path / "p.pdf").exists()


@pytest.mark.usefixtures("needs_dot")
def test_a_brand_font_that_is_not_installed_stops_flowchart_as_it_stops_build(cli: Cli, tmp_path: Path) -> None:
    """One poster road: `flowchart --profile` asks the pack's pre-flight, so it never prints a fallback font."""
    heading = "  typography:\n    headings: {family: Nonexistent Serif}\n  meta:\n"
    profile = copy_school(tmp_path / "school", {"  meta:\n": heading})
    poster = cli("flowchart", "staff-response", "--profile", str(profile), "-o", str(tmp_path / "poster.pdf"))
    build = cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert poster.exit_code == build.exit_code == 1, (poster.output, build.output)
    line = next(n for n, text in enumerate(profile.read_text().splitlines(), 1) if "Nonexistent Serif" in text)
    said = f"school.yaml:{line}:"
    for result in (poster, build):
        assert any(
            said in out and "the font 'Nonexistent Serif' is not installed" in out for out in result.stderr.splitlines()
        )
    assert not (tmp_path / "poster.pdf").exists() and not (tmp_path / "out" / "oakfield-academy").exists()
