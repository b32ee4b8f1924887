"""Issue 18 item 1 (in part): a policy a governing board reads, checked on the built PDF.

Every page A4 portrait; the parts of one chart at one scale; each step's title printed at
most twice (its box and the steps in words: the full text is in Appendix A, by number);
the appendices (each step in full, references) after the policy itself; the core's pages
at least half full unless a chapter follows; the running header in the brand's short name.
"""

from __future__ import annotations

import itertools
import math
import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

from policypack.load.flows import bundled_flow_set
from tests.conftest import normalised

A4_PT = (595, 842)
TAGS = {lane.tag for doc in bundled_flow_set().flows for lane in doc.model.lanes.values()}
CHAPTER = re.compile(r"^(\d+\. [A-Z]|Appendix [A-Z]: )")


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
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
    """The policy's own pages: those before Appendix A (the contents, on page 2, names it too)."""
    return next(i for i, text in enumerate(texts) if i > 1 and "\nAppendix A: Each step in full\n" in text)


def test_every_page_is_a4_portrait(pack: Path) -> None:
    sizes = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(pack / "policy.pdf").pages
    }
    assert sizes == {A4_PT}, "no landscape page in a portrait document"


def test_the_parts_of_each_chart_print_at_one_scale(pack: Path) -> None:
    """A step number in a chart box is a piece of its own; its size is the chart's scale."""
    reader = PdfReader(pack / "policy.pdf")
    texts = page_texts(pack / "policy.pdf")
    chart: str | None = None
    sizes: dict[str, list[float]] = {}
    for page, text in zip(reader.pages[: core_pages(texts)], texts, strict=False):
        headed = re.search(r"^5\.(\d) ", text, re.MULTILINE)
        if headed:
            chart = headed.group(1)
        elif re.search(r"^6\. Recording", text, re.MULTILINE):
            chart = None
        drawn = pieces(page)  # a box's number is followed by its lane's tag
        numbers = [n[0] for n, tag in itertools.pairwise(drawn) if re.fullmatch(r"\d{1,2}", n[2]) and tag[2] in TAGS]
        if chart and numbers:
            sizes.setdefault(chart, []).extend(numbers)
    assert set(sizes) == {"1", "2", "3", "4"}, sizes.keys()
    for key, found in sizes.items():
        assert max(found) <= 1.10 * min(found), (f"chart 5.{key}", min(found), max(found))


def test_no_step_title_is_printed_more_than_twice(pack: Path) -> None:
    whole = normalised(" ".join(page_texts(pack / "policy.pdf")))
    # the procedure and Appendix A, where steps are printed (section 7 retells some in prose)
    procedure = whole[whole.index("5.1 What every member of staff does The first") : whole.index("6. Recording The")]
    text = procedure + whole[whole.rindex("Appendix A: Each step in full") :]
    england = [doc.model for doc in bundled_flow_set().flows if doc.model.nation == "england"]
    for flow in england:
        for step in flow.steps:
            assert text.count(normalised(step.title)) <= 2, (flow.id, step.title)
    assert "Appendix B: References" in text


def test_the_appendices_follow_the_policy_and_its_pages_are_at_least_half_full(pack: Path) -> None:
    reader = PdfReader(pack / "policy.pdf")
    texts = page_texts(pack / "policy.pdf")
    core = core_pages(texts)
    assert "11. Contacts" in "".join(texts[:core]) and "Appendix B: References" in "".join(texts[core:])
    assert core <= 14, core  # 28 pages in all before; the aim is 12 (see the report)
    body_top, body_bottom = 842 - 22 / 25.4 * 72, 20 / 25.4 * 72  # the page's margins (22 mm, 20 mm)
    for number in range(2, core):  # the cover is a page of its own
        lowest = min(y for _, y, _ in pieces(reader.pages[number - 1]) if y > body_bottom)
        used = (body_top - lowest) / (body_top - body_bottom)
        following = texts[number].strip().splitlines()[2:4]  # after the running header
        before_chapter = any(CHAPTER.match(line) for line in following) or "5.1 What every" in texts[number]
        assert used >= 0.5 or before_chapter, (number, round(used, 2), following)


def test_the_running_header_uses_the_brands_short_name(pack: Path) -> None:
    texts = page_texts(pack / "policy.pdf")
    assert texts[0].startswith("Oakfield Academy")  # the cover names the school in full
    for text in texts[1:]:
        assert text.startswith("Oakfield\n") or text.startswith("Oakfield\n\n"), text[:40]
