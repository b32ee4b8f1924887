"""Issue 18 item 5: posters lead with who to tell.

Read back from the PDFs: on every poster at every size the who-to-tell line (the DSL and
deputies with their phones, and 999) is the largest text after the title, inside the title
block, and never dropped; a chart that would print under the legibility rule with it is
refused at its line of the profile, never printed small; no internal ids in the footers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader

from policypack.build import load_checked_pack
from policypack.layout.pack import poster_layout
from policypack.layout.sheet import MM_PER_PT, PAPER_MM, legible, minimum_text_pt
from policypack.model.profile import PROCEDURE_CHARTS, PosterSpec
from tests.conftest import ROOT, copy_school

Cli = Callable[..., Result]
EXAMPLE = ROOT / "examples" / "oakfield" / "school.yaml"
TODAY = dt.date(2026, 12, 3)
TELL_END = "if a child is in immediate danger"


def printed_text(path: Path) -> list[tuple[float, float, str]]:
    """Each piece of text the page draws, in drawing order: its size (pt), its baseline's height
    from the bottom of the page (pt), and the text."""
    pieces: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((round(size * scale, 2), y, " ".join(text.split())))

    (page,) = PdfReader(path).pages
    page.extract_text(visitor_text=visit)
    return pieces


def tell_line(pieces: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """The pieces of the who-to-tell line: from "Tell at once:" to the 999 line's end."""
    start = next(i for i, piece in enumerate(pieces) if piece[2].startswith("Tell at once"))
    end = next(i for i, piece in enumerate(pieces) if i > start and piece[2].endswith(TELL_END.split()[-1]))
    return pieces[start : end + 1]


@pytest.mark.slow
@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.parametrize("size", list(PAPER_MM))
@pytest.mark.parametrize("chart", PROCEDURE_CHARTS)
def test_who_to_tell_is_the_largest_text_after_the_title_or_the_size_is_refused(
    cli: Cli, tmp_path: Path, chart: str, size: str
) -> None:
    checked = load_checked_pack(EXAMPLE, TODAY)
    flow = checked.charts[chart]
    spec = PosterSpec(chart=chart, size=size)  # type: ignore[arg-type]
    layout = poster_layout(
        flow,
        checked.theme,
        checked.flows.flow_titles(),
        spec,
        False,
        checked.school.model,
        checked.inputs.strings.chart,
    )
    out = tmp_path / "poster.pdf"
    result = cli("flowchart", chart, "--size", size, "--profile", str(EXAMPLE), "-o", str(out))
    rule = minimum_text_pt(size)
    if not legible(layout.sheet, layout.chart):
        assert result.exit_code == 1 and not out.exists(), "a poster under the legibility rule is never printed"
        assert f"--size {size}: the chart '{flow.title}' is too tall for an {size} poster" in result.stderr
        assert re.search(rf"needs {rule:.1f} pt; --size (A\d( or A\d)*) prints? it legibly", result.stderr)
        return
    assert result.exit_code == 0, result.output + result.stderr
    pieces = printed_text(out)
    tell = tell_line(pieces)
    words = " ".join(text for _, _, text in tell)
    expected = (
        "Tell at once: Ms Priya Raman (DSL) 01632 960 101 · deputies: Mr Tom Ellis 01632 960 102, "
        "Mrs Grace Okafor 01632 960 103 · 999 if a child is in immediate danger"
    )
    assert words.replace(" ", "") == expected.replace(" ", ""), "the lead, each deputy with their phone, and 999"
    title = max(size_pt for size_pt, _, _ in pieces)
    tell_sizes = {size_pt for size_pt, _, _ in tell}
    others = [piece for piece in pieces if piece not in tell and piece[0] < title]
    assert max(tell_sizes) < title, "the title stays the largest text"
    assert min(tell_sizes) > max(size_pt for size_pt, _, _ in others), sorted(others)[-3:]
    assert min(size_pt for size_pt, _, _ in pieces) >= rule - 0.05, "every text meets the legibility rule"
    page_height = PAPER_MM[size][0 if layout.sheet.landscape else 1] / MM_PER_PT
    header_bottom = page_height - (layout.sheet.margin + layout.sheet.header_height) / MM_PER_PT
    assert min(y for _, y, _ in tell) > header_bottom, "the line sits inside the title block, not cut off by it"
    printed = "".join(text for _, _, text in pieces).replace(" ", "")
    assert "draftforchecking,notyetadopted" in printed, "a draft's poster says so under its title"
    footer = (
        "call children's social care 01632 960 200, out of hours 01632 960 299 · Not legal advice."
        if "staff" in flow.id
        else "Not legal advice"
    )
    assert footer.replace(" ", "") in printed, "the footer, with the number to call, is never cut off"


@pytest.mark.usefixtures("needs_weasyprint")
def test_the_packs_posters_all_name_who_to_tell_and_no_internal_ids(pack: Path) -> None:
    checked = load_checked_pack(EXAMPLE, TODAY)
    posters = sorted(pack.glob("poster-*.pdf"))
    assert len(posters) == 4
    ids = {flow.id for flow in checked.charts.values()} | {s.id for f in checked.charts.values() for s in f.steps}
    for poster in posters:
        pieces = printed_text(poster)
        assert tell_line(pieces), poster.name
        footer = " ".join(text for _, y, text in pieces if y < 0.12 * float(PdfReader(poster).pages[0].mediabox.height))
        assert footer and not [i for i in ids if re.search(rf"\b{re.escape(i)}\b", footer)], (poster.name, footer)


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_chart_too_tall_for_its_poster_size_is_refused_at_its_line(cli: Cli, tmp_path: Path) -> None:
    entry = "    - {chart: dsl-review, size: A4}\n"
    staff = "    - {chart: staff-response, size: A4}\n"
    profile = copy_school(tmp_path / "school", {staff: staff + entry})
    line = profile.read_text().splitlines().index("    - {chart: dsl-review, size: A4}") + 1
    result = cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"school.yaml:{line}:" in result.stderr
    chart = "the chart 'Nudes shared by pupils: the DSL's review and immediate referrals'"
    assert f"error: {chart} is too tall for an A4 poster: with who to tell at the top, its smallest" in result.stderr
    assert (
        "a poster read from 1 m needs 9.0 pt" in result.stderr and "hint: size: A2 prints it legibly" in result.stderr
    )
    assert not (tmp_path / "out" / "oakfield-academy").exists(), "nothing is built"
