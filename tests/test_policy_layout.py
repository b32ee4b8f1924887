"""Issue 18 item 1: a policy a governing board reads, checked on the built PDF.

The policy itself (its "core": cover, contents, the sections and the procedure's charts with
their steps in words) is at most 12 A4 portrait pages, for the example school and for a
Wales and a primary school; the appendices (contacts, what police involvement means, each
step in full, references) follow it. The parts of one chart print at one scale; no page of
the core is under half full unless a chapter follows; each step's full text is printed once
(Appendix C) and its short title twice (its box and the steps in words); the running header
uses the brand's short name.
"""

from __future__ import annotations

import itertools
import math
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from policypack.load.flows import bundled_flow_set
from policypack.model.phases import applies
from tests.conftest import copy_school, normalised, run_cli

A4_PT = (595, 842)
MM = 72 / 25.4
TAGS = {lane.tag for doc in bundled_flow_set().flows for lane in doc.model.lanes.values()}
CHAPTER = re.compile(r"^(\d+\. [A-Z]|Appendix [A-Z]: )")
CORE_PAGES = 12
POLICY_ONLY = {
    "documents: [policy, staff-card, incident-form, parent-leaflet, posters]": "documents: [policy]",
    "formats: [pdf, docx, html]": "formats: [pdf]",
    "  posters:\n"
    "    - {chart: staff-response, size: A4}\n"
    "    - {chart: dsl-review, size: A2}\n"
    "    - {chart: dsl-response, size: A2}\n"
    "    - {chart: police-records, size: A2}\n": "",
}
VARIANTS = {
    "wales": {
        "nation: england": "nation: wales",
        "Anyshire Local Authority Designated Officer": "Anyshire Designated Officer for Safeguarding",
        "Anyshire Safeguarding Children Partnership": "Anyshire Regional Safeguarding Board",
    },
    "primary": {"phase: secondary": "phase: primary"},
}


@pytest.fixture(scope="module", params=["example", "wales", "primary"])
def policy(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, needs_weasyprint: None
) -> tuple[str, str, Path]:
    """The nation, phase and policy of the example school (its whole pack) and of a Wales and a primary school."""
    if request.param == "example":
        pack: Path = request.getfixturevalue("pack")
        return "england", "secondary", pack / "policy.pdf"
    folder = tmp_path_factory.mktemp(request.param)
    profile = copy_school(folder / "school", {**POLICY_ONLY, **VARIANTS[request.param]})
    result = run_cli("build", str(profile), "-o", str(folder / "out"))
    assert result.exit_code == 0, result.output
    nation = "wales" if request.param == "wales" else "england"
    phase = "primary" if request.param == "primary" else "secondary"
    return nation, phase, next((folder / "out").glob("*/policy.pdf"))


def page_texts(pdf: Path, *options: str) -> list[str]:
    text = subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def pieces(page: object) -> list[tuple[float, float, str]]:
    """Each piece of text on a page: its size (pt), its baseline's height (pt), the text."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            found.append((round(size * scale, 2), tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return found


def core_pages(texts: list[str]) -> int:
    """How many pages the policy itself takes: those before its first appendix's heading
    (the contents names it too, with a leader to its page number)."""
    first = re.compile(r"^Appendix A: [^.\n]+$", re.MULTILINE)
    return next(i for i, text in enumerate(texts) if i > 0 and first.search(text))


def test_the_core_is_at_most_twelve_pages_then_the_appendices(policy: tuple[str, str, Path]) -> None:
    texts = page_texts(policy[-1])
    core = core_pages(texts)
    assert core <= CORE_PAGES, f"the policy's own pages: {core}"
    heads = [line for text in texts[core:] for line in text.splitlines() if re.match(r"Appendix [A-Z]: ", line)]
    assert heads[0] == "Appendix A: Contacts"
    assert heads[1].startswith("Appendix B: When the police are involved")
    assert heads[2:] == ["Appendix C: Each step in full", "Appendix D: References"]
    policy_itself = "\n".join(texts[:core])
    assert re.search(r"^5\.4 Police involvement", policy_itself, re.MULTILINE), "every chart is in the core"
    assert "Appendix B" in policy_itself and "Appendix D" in policy_itself, "section 1 says where the rest is"


def test_every_page_is_a4_portrait(policy: tuple[str, str, Path]) -> None:
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(policy[-1]).pages}
    assert sizes == {A4_PT}, "no landscape page in a portrait document"


def test_the_parts_of_each_chart_print_at_one_scale(policy: tuple[str, str, Path]) -> None:
    """A step's number in a chart box is a piece of its own, followed by its lane's tag: its
    size is the chart's scale. Each belongs to the chart whose heading is nearest above it
    (on its page, or the last one before it)."""
    reader = PdfReader(policy[-1])
    texts = page_texts(policy[-1])
    chart: str | None = None
    sizes: dict[str, list[float]] = {}
    for page in reader.pages[: core_pages(texts)]:
        drawn = pieces(page)
        headings = sorted(((y, t) for s, y, t in drawn if s >= 11.5 and re.fullmatch(r"5\.\d", t)), reverse=True)
        for (size, y, text), (_, _, after) in itertools.pairwise(drawn):
            if re.fullmatch(r"\d{1,2}", text) and after in TAGS:
                above = [heading for top, heading in headings if top > y]
                owner = above[-1] if above else chart
                assert owner, f"a chart's step {text} before any chart's heading"
                sizes.setdefault(owner, []).append(size)
        chart = headings[-1][1] if headings else chart
    assert set(sizes) == {"5.1", "5.2", "5.3", "5.4"}, sizes.keys()
    for key, found in sizes.items():
        assert max(found) <= 1.10 * min(found), (f"chart {key}", min(found), max(found))


def test_no_page_of_the_core_is_under_half_full_unless_a_chapter_follows(policy: tuple[str, str, Path]) -> None:
    reader = PdfReader(policy[-1])
    texts = page_texts(policy[-1])
    core = core_pages(texts)
    top, bottom = 842 - 15 * MM, 20 * MM  # the smallest top margin (a chart's page) and the footer's line
    for number in range(2, core + 1):  # the cover is a page of its own
        lowest = min(y for _, y, _ in pieces(reader.pages[number - 1]) if bottom < y < top)
        used = (top - lowest) / (top - bottom)
        following = texts[number].strip().splitlines()[:6] if number < len(texts) else []
        before_chapter = any(CHAPTER.match(line) for line in following)
        assert used >= 0.5 or before_chapter, (number, round(used, 2), following)


def test_each_steps_full_text_is_printed_once_and_its_title_twice(policy: tuple[str, str, Path]) -> None:
    """A step's title is printed in the policy in its chart's box and its steps in words, and
    not again in Appendix C, which prints its full text, once (other prose may use the same
    words: Appendix B retells the police chart for parents)."""
    nation, phase, pdf = policy
    whole = normalised(" ".join(page_texts(pdf, "-raw")))  # drawing order: no chart line mixed with its column
    # the policy itself (a chart is drawn after the text of its page, which may be section 6's)
    procedure = whole[whole.rindex("5. The procedure ") : whole.rindex("Appendix A: Contacts")]
    in_full = whole[whole.rindex("Appendix C: Each step in full") : whole.rindex("Appendix D: References")]
    flows = [doc.model for doc in bundled_flow_set().flows if doc.model.nation == nation]
    assert len(flows) == 4
    for flow in flows:
        for step in (step for step in flow.steps if applies(step.phases, phase)):  # the school's phase's steps
            text, title = normalised(step.text), normalised(step.title)
            assert whole.count(text) <= 2 and in_full.count(text) == 1, (flow.id, step.id, "full text")
            assert procedure.count(title) == 2 and title not in in_full, (flow.id, step.id, "title")


def test_the_running_header_uses_the_brands_short_name(pack: Path) -> None:
    texts = page_texts(pack / "policy.pdf")
    assert texts[0].startswith("Oakfield Academy")  # the cover names the school in full
    for text in texts[1:]:
        assert text.startswith("Oakfield\n"), text[:40]
