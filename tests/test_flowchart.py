"""Laying out a flow: golden DOT, escaping, greyscale-safe styles, and labels that fit."""

from __future__ import annotations

import itertools
import re
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from policypack.errors import ToolFailed, ToolMissing
from policypack.layout.chart import CONTINUES_STYLE, KIND_STYLES, build_graph, to_svg, to_svgs
from policypack.layout.fonts import require_dot_font
from policypack.load.flows import load_flow_set
from policypack.model.theme import Theme
from policypack.resources import bundled_path
from tests.conftest import DATA, Golden

SMALL = load_flow_set(DATA / "good")
BUNDLED = load_flow_set(bundled_path("flows"))
SVG = "{http://www.w3.org/2000/svg}"


def small_dot() -> str:
    doc = SMALL.find("small")
    assert doc is not None
    return build_graph(doc.model, Theme(), SMALL.flow_titles())


def test_dot_source_matches_golden_and_is_deterministic(golden: Golden) -> None:
    source = small_dot()
    golden("small.gv", source)
    assert small_dot() == source


def test_every_node_carries_its_step_number_and_every_branch_its_label() -> None:
    source = small_dot()
    for number in range(1, 7):
        assert f"<B>{number}</B>" in source
    assert "<B>Yes</B>" in source and "<B>No</B>" in source


@pytest.mark.usefixtures("needs_dot")
def test_hostile_labels_are_escaped_and_print_literally() -> None:
    hostile = load_flow_set(DATA / "hostile")
    doc = hostile.find("hostile-labels")
    assert doc is not None
    source = build_graph(doc.model, Theme(), hostile.flow_titles())
    assert "<b>bold</b>" not in source and "&lt;b&gt;bold&lt;/b&gt;" in source
    assert "\\\\ to" in source  # the backslash is doubled for dot
    svg = to_svg(source)
    texts = [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]
    joined = " ".join(texts)
    for literal in ['Say "hello" \\ to <b>bold</b>', "{ braces } {Braces}", "Is x < y & y > z?", "<Yes>", "A&B <x>"]:
        assert literal in joined
    assert "End\\l with a backslash \\\\" in joined


def luminance(colour: str) -> float:
    """Relative luminance (WCAG), i.e. what is left of a colour in greyscale."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("accent", ["#2f4858", "#c8102e", "#006b3f", "#ffd100", "#5b2c83"])
def test_lane_fills_stay_distinct_in_greyscale_for_any_brand_colour(accent: str) -> None:
    fills = Theme(accent=accent).lane_fills(5)
    levels = sorted(luminance(fill) for fill in fills)
    assert min(b - a for a, b in itertools.pairwise(levels)) >= 0.08
    # and dark ink stays readable on the darkest lane (contrast of at least 4.5:1)
    assert (levels[0] + 0.05) / (luminance(Theme().ink) + 0.05) >= 4.5


def test_kinds_of_step_differ_without_colour() -> None:
    looks = [(k.shape, k.style, k.peripheries) for k in [*KIND_STYLES.values(), CONTINUES_STYLE]]
    assert len(set(looks)) == len(looks)


def font_file(pattern: str) -> str:
    """The file fontconfig (and so both dot and WeasyPrint) picks for a pattern."""
    done = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=True)
    return done.stdout


def advance_width(font: TTFont, text: str, size: float) -> float:
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    units = sum(metrics[cmap.get(ord(ch), ".notdef")][0] for ch in text)
    return float(units * size / font["head"].unitsPerEm)


def shape_boxes(svg: str) -> Iterator[tuple[str, tuple[float, float, float, float], list[ET.Element]]]:
    """(node title, bounding box of its outline, its text elements) for every node."""
    root = ET.fromstring(svg)
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        title = group.findtext(f"{SVG}title") or ""
        numbers: list[float] = []
        for outline in [*group.iter(f"{SVG}polygon"), *group.iter(f"{SVG}path")]:
            coords = outline.get("points") or outline.get("d") or ""
            numbers += [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", coords)]
        xs, ys = numbers[0::2], numbers[1::2]
        yield title, (min(xs), min(ys), max(xs), max(ys)), list(group.iter(f"{SVG}text"))


@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("flow_id", sorted(d.model.id for d in BUNDLED.flows))
def test_every_label_fits_inside_its_box(flow_id: str) -> None:
    """Measure each line with the font file dot used, and keep it inside the node's outline."""
    family = Theme().font
    require_dot_font(family)
    fonts = {face: TTFont(font_file(f"{family}:{face}")) for face in ("regular", "bold", "italic")}
    doc = BUNDLED.find(flow_id)
    assert doc is not None
    svg = to_svg(build_graph(doc.model, Theme(), BUNDLED.flow_titles()))
    checked = 0
    for title, (left, top, right, bottom), texts in shape_boxes(svg):
        diamond = next(s for s in doc.model.steps if s.id == title).kind == "decision"
        cx, cy = (left + right) / 2, (top + bottom) / 2
        for text in texts:
            size = float(text.get("font-size", "14"))
            face = "bold" if text.get("font-weight") == "bold" else "italic" if text.get("font-style") else "regular"
            width = advance_width(fonts[face], text.text or "", size)
            x, y = float(text.get("x", "0")), float(text.get("y", "0"))
            start = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor", "start")]
            corners = [(start, y - size * 0.75), (start + width, y - size * 0.75), (start, y), (start + width, y)]
            for px, py in corners:
                if diamond:  # inside the rhombus through the box's edge midpoints
                    assert abs(px - cx) / ((right - left) / 2) + abs(py - cy) / ((bottom - top) / 2) <= 1.0, (
                        title,
                        text.text,
                    )
                else:
                    assert left <= px <= right and top <= py <= bottom, (title, text.text)
            checked += 1
    assert checked >= 2 * len(doc.model.steps)


@pytest.fixture(autouse=True)
def fresh_layouts() -> None:
    to_svg.cache_clear()  # a cached layout would hide what a broken or missing dot does


def fake_dot(folder: Path, script: str) -> None:
    dot = folder / "dot"
    dot.write_text("#!/bin/sh\n" + script + "\n")
    dot.chmod(dot.stat().st_mode | stat.S_IEXEC)


def test_a_missing_dot_is_tool_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolMissing, match="apt-get install graphviz"):
        to_svg("digraph { a }")


def test_a_failing_dot_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path, "echo 'Error: syntax error in line 1' >&2; exit 1")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolFailed, match=r"dot failed \(exit 1\): Error: syntax error in line 1"):
        to_svg("digraph { a }")


def test_charts_laid_out_at_once_come_back_in_order_and_one_failure_is_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fails = 'echo "Error: syntax error in line 1" >&2; exit 1'
    reads = f"source=$({shutil.which('cat')})"
    fake_dot(tmp_path, f'{reads}; case "$source" in *broken*) {fails};; esac; echo "<svg>$source</svg>"')
    monkeypatch.setenv("PATH", str(tmp_path))
    sources = [f"digraph {{ step{n} }}" for n in range(6)]
    assert to_svgs(sources) == [f"<svg>{source}</svg>\n" for source in sources]
    with pytest.raises(ToolFailed, match=r"dot failed \(exit 1\): Error: syntax error in line 1"):
        to_svgs(["digraph { other }", "digraph { broken }", "digraph { more }"])


def test_a_hung_dot_is_stopped_by_the_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path, f"exec {shutil.which('sleep')} 30")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolFailed, match=r"did not finish within 0\.5 seconds"):
        to_svg("digraph { a }", timeout=0.5)


@pytest.mark.usefixtures("needs_dot")
def test_dot_measures_the_chart_font_with_pango() -> None:
    path = Path(require_dot_font(Theme().font))
    assert path.name.startswith("OpenSans") and path.is_file()


@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("nation", ["england", "wales"])
def test_the_shortlisted_cuts_split_every_bundled_chart_as_well_as_trying_every_cut(
    nation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chart too big for a page is cut where dot's whole layout says the parts are smallest;
    for every bundled chart that gives text as large as laying out every cut would."""
    from policypack.layout import pack as layout

    flows = load_flow_set(bundled_path("flows"))
    titles, theme = flows.flow_titles(), Theme()
    split = 0
    for doc in (d for d in flows.flows if d.model.nation == nation):
        whole = to_svg(build_graph(doc.model, theme, titles))
        short = layout.lay_out_chart_pages(doc.model, whole, theme, titles)
        monkeypatch.setattr(layout, "SHORTLIST", 99)
        every = layout.lay_out_chart_pages(doc.model, whole, theme, titles)
        monkeypatch.setattr(layout, "SHORTLIST", 3)
        assert [p.numbers for p in short] == [p.numbers for p in every], doc.model.id
        assert min(p.chart.smallest_pt for p in short) == min(p.chart.smallest_pt for p in every)
        split += len(short) > 1
    assert split >= 2  # the search is exercised: charts that need cutting
