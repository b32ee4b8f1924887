"""The policy as a web page: self-contained, the PDF's words, and accessible in a real browser."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from pypdf import PdfReader

from policypack.model.profile import PROCEDURE_CHARTS as CHARTS
from tests.conftest import ROOT, normalised, pdf_body_text

EXAMPLE = ROOT / "examples" / "oakfield"
CHROMIUM = Path(os.environ.get("POLICYPACK_CHROMIUM", "/usr/bin/chromium"))  # Debian's; never downloaded
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKS = "//p | //li[not(p) and not(div)] | //h1 | //h2 | //h3 | //h4 | //th | //td | //div[@class='step-head']"


@pytest.fixture(scope="module")
def page_tree(pack: Path) -> Any:
    return lxml.html.document_fromstring((pack / "policy-preview.html").read_text(encoding="utf-8"))


def web_only(element: Any) -> bool:
    """Whether the page alone says this (the preview's notice, the published page's approval line)."""
    return bool(element.xpath("ancestor-or-self::*[contains(concat(' ', @class, ' '), ' web-only ')]"))


def as_read(tree: Any) -> Any:
    """A copy whose text reads as the page shows it: a line break and a step's number box
    (an inline block) part the words on either side."""
    copy = lxml.html.document_fromstring(lxml.html.tostring(tree))
    for br in copy.iter("br"):
        br.tail = " " + (br.tail or "")
    for number in copy.find_class("step-number"):
        number.tail = " " + (number.tail or "")
    return copy


def test_the_page_is_self_contained(pack: Path, page_tree: Any) -> None:
    html = (pack / "policy-preview.html").read_text(encoding="utf-8")
    assert page_tree.get("lang") == "en-GB"
    assert not page_tree.xpath("//script | //link | //iframe | //object")
    loaded = re.findall(r"""\bsrc\s*=\s*["']([^"']*)""", html)  # what a browser fetches: only data: URLs
    assert loaded and all(a.startswith("data:") for a in loaded), loaded
    links = re.findall(r"""\bhref\s*=\s*["']([^"']*)""", html)  # what a reader may follow
    assert all(a.startswith(("#", "mailto:", "tel:", "https://")) for a in links), links
    assert "url(" not in html and "@import" not in html
    (logo,) = page_tree.xpath("//img[@class='logo']")
    assert logo.get("src").startswith("data:image/svg+xml;base64,") and logo.get("alt") == "Oakfield Academy crest"


def test_the_page_has_landmarks_a_skip_link_and_contents_as_links(page_tree: Any) -> None:
    body = page_tree.body
    first = next(body.iterdescendants("a"))
    assert first.get("class") == "skip-link" and first.get("href") == "#main"
    assert page_tree.xpath("//main[@id='main']") and page_tree.xpath("//header") and page_tree.xpath("//nav")
    links = page_tree.xpath("//nav[@class='contents']//a/@href")
    assert len(links) >= 13  # what changed, twelve sections, and the procedure's parts
    for link in links:
        assert page_tree.xpath(f"//*[@id='{link[1:]}']"), link
    assert len(page_tree.xpath("//h1")) == 1


def test_each_chart_is_inline_svg_followed_by_its_numbered_steps(page_tree: Any) -> None:
    figures = page_tree.xpath("//figure[svg]")
    assert len(figures) >= len(CHARTS)  # a long chart is split into parts, each a figure
    for figure in figures:
        svg = figure.find("svg")
        assert svg.get("role") == "img"
        children = [child.tag for child in svg]
        assert children[:2] == ["title", "desc"]
        assert svg.find("title").text.startswith("Flowchart: ")
        (steps,) = figure.xpath("following::ol[ancestor::aside or contains(@class, 'words')][1]")
        lines = [li.text_content() for li in steps.iter("li")]
        assert lines and all(re.match(r"\d+\. ", line) for line in lines), lines
    assert len(page_tree.xpath("//ol[@class='steps']")) == len(CHARTS)


def test_the_page_has_the_same_words_as_the_pdf(pack: Path, page_tree: Any) -> None:
    """Every paragraph, item, heading and cell of the page is in the PDF; the charts' labels are
    the chart itself, in the PDF drawn and here in SVG, so they are left out."""
    running = {n: normalised(page_tree.find_class(n)[0].text_content()) for n in ("running-school", "running-title")}
    running["running-school"] = page_tree.find_class("running-school")[0].get("data-short")  # the brand's short name
    footer = normalised(page_tree.find_class("running-provenance")[0].text_content())
    header = f"{running['running-school']} {running['running-title']}"
    pdf = pdf_body_text(pack / "policy.pdf", header, footer, [t.text_content() for t in page_tree.xpath("//svg//text")])
    page = as_read(page_tree)
    blocks = [
        normalised(b.text_content()) for b in page.xpath(BLOCKS) if not b.xpath("ancestor::svg") and not web_only(b)
    ]
    blocks = [b for b in blocks if b]
    assert len(blocks) > 300
    missing = [b for b in blocks if b not in pdf]
    assert missing == [], missing[:5]
    words = normalised(" ".join(page.xpath("//main//text()[not(ancestor::svg)]")))
    assert len(words) > 0.6 * len(pdf)


# In a real browser


@pytest.fixture(scope="module")
def browser(needs_chromium: None) -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"the browser test needs Chromium at {CHROMIUM}: "
            "run `scripts/system-deps.sh --with-test-tools` (apt-get install chromium)"
        )
    if not AXE.is_file():
        pytest.fail(f"the browser test needs axe-core at {AXE}: run `npm ci` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser: Any, pack: Path, width: int, bypass_csp: bool = False) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=bypass_csp)
    page.goto((pack / "policy-preview.html").as_uri())
    return page


@pytest.mark.slow
def test_axe_finds_no_wcag_22_aa_violations(browser: Any, pack: Path) -> None:
    for width in (320, 1280):
        page = open_page(browser, pack, width, bypass_csp=True)  # the page forbids every script, axe's too
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_22_AA,
        )
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in results["violations"]
        ]
        assert problems == [], f"at {width} px: {json.dumps(problems, indent=1)}"
        assert results["testEngine"]["version"].startswith("4.")
        page.close()


@pytest.mark.slow
def test_the_page_reflows_without_scrolling_sideways(browser: Any, pack: Path, screenshots: Path) -> None:
    for width in (320, 1280):
        page = open_page(browser, pack, width)
        wide = page.evaluate(
            """width => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 0.5)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.getBoundingClientRect().right)""",
            width,
        )
        assert wide == [], f"at {width} px these reach past the window: {wide}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(screenshots / f"web-policy-{width}.png"), full_page=True)
        page.close()


@pytest.mark.slow
def test_no_list_shows_two_numbers(browser: Any, pack: Path) -> None:
    """A list whose items carry their own numbers ("1. Receive the report") shows no markers."""
    page = open_page(browser, pack, 1280)
    doubled = page.evaluate(
        """[...document.querySelectorAll('ol > li')]
            .filter(li => /^\\s*\\d+\\./.test(li.textContent) && getComputedStyle(li).listStyleType !== 'none')
            .map(li => li.textContent.trim().slice(0, 40))"""
    )
    assert doubled == []
    page.close()


@pytest.mark.slow
def test_the_skip_link_is_the_first_stop_and_shows_when_focused(browser: Any, pack: Path) -> None:
    page = open_page(browser, pack, 1280)
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.getBoundingClientRect().top]")
    assert focused[0] == "skip-link" and focused[1] >= 0, focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()


@pytest.mark.slow
def test_the_page_prints_without_its_screen_furniture(browser: Any, pack: Path, tmp_path: Path) -> None:
    page = open_page(browser, pack, 1280)
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('.chart-page')).breakBefore") == "page"
    page.pdf(path=str(tmp_path / "printed.pdf"), format="A4")
    assert 12 <= len(PdfReader(tmp_path / "printed.pdf").pages) <= 40
    page.close()
