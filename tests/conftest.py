from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from policypack.build import load_checked_pack
from policypack.cli import main
from policypack.layout.pack import lay_out_pack, poster_layout
from policypack.load.flows import FlowSet
from policypack.load.strings import bundled_strings
from policypack.model.flow import Flow, chart_name
from policypack.model.profile import PosterSpec
from policypack.model.theme import Theme
from policypack.render.pack import render_pack, render_pack_poster
from policypack.render.poster import Poster
from policypack.render.templating import template_environment

# Review-date warnings depend on today's date: pin it, so that the suite gives the same
# answer next year. Tests about those warnings set their own dates.
os.environ["POLICYPACK_TODAY"] = "2026-11-24"
TODAY = dt.date(2026, 11, 24)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
GOLDEN = ROOT / "tests" / "golden"
FLOWS = ROOT / "flows"
EXAMPLE = ROOT / "examples" / "oakfield"
Golden = Callable[[str, str], None]
PackHtml = Callable[[Path], dict[str, str]]
PosterHtml = Callable[..., "Poster"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from the current output.")


# What a test needs beyond Python, declared by the fixtures it uses (directly or through other
# fixtures): each `needs_*` fixture adds its marker, so `make fast` (-m "not dot and not pdf and
# not browser and not office") runs every test that needs none of them. A test that runs one of
# these programs without declaring it fails (see `_undeclared_tools`), so the lanes cannot go stale.
NEEDS: dict[str, str] = {
    "needs_dot": "dot",
    "needs_weasyprint": "pdf",
    "needs_chromium": "browser",
    "needs_libreoffice": "office",
}
# Programs and what declares them; WeasyPrint runs in-process and is caught where it is loaded.
# Only the real programs count (a test may put a fake `dot` first on PATH); Chromium is
# started by Playwright's driver, so the driver stands for it.
PROGRAMS: dict[str, str] = {
    **{os.path.realpath(found): "needs_dot" for found in [shutil.which("dot")] if found},
    **{os.path.realpath(found): "needs_libreoffice" for found in [shutil.which("soffice")] if found},
}
_used: list[set[str]] = []  # the running test's programs, while one runs


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "subprocess.Popen" and _used:
        command = args[1] if isinstance(args[1], (list, tuple)) and args[1] else [args[0]]
        path = os.fsdecode(command[0])
        fixture = PROGRAMS.get(os.path.realpath(path)) or ("needs_chromium" if "/playwright/" in path else None)
        if fixture:
            _used[0].add(fixture)


sys.addaudithook(_audit)  # an audit hook stays for the process; it records only while a test runs


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by the `needs_*` fixtures in its closure (a fixture's own needs included)."""
    for item in items:
        for fixture, marker in NEEDS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    _used[:] = [set()]  # from the test's fixtures on
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    try:
        return (yield)
    finally:
        _undeclared_tools(item)


def _undeclared_tools(item: pytest.Item) -> None:
    used = _used[0] if _used else set()
    _used.clear()
    missing = sorted(used - set(getattr(item, "fixturenames", ())))
    if missing:
        pytest.fail(f"{item.nodeid} runs a program it does not declare: add the fixture(s) {', '.join(missing)}")


@pytest.fixture(scope="session")
def needs_dot() -> None:
    """Graphviz's dot (lays out the charts)."""


@pytest.fixture(scope="session")
def needs_weasyprint(needs_dot: None) -> Iterator[None]:
    """WeasyPrint (prints the PDFs); every PDF policypack prints has a chart or a poster, so dot too."""
    yield


@pytest.fixture(scope="session")
def needs_chromium() -> None:
    """The system's Chromium, through Playwright."""


@pytest.fixture(scope="session")
def needs_libreoffice() -> None:
    """LibreOffice, to lay the Word files out as their users see them."""


@pytest.fixture(autouse=True)
def _weasyprint_declared(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading WeasyPrint counts as using it (it is imported only when a PDF is written)."""
    if "needs_weasyprint" in request.fixturenames:
        return
    from policypack.write import pdf

    real = pdf.load_weasyprint

    def load() -> Any:
        if _used:
            _used[0].add("needs_weasyprint")
        return real()

    monkeypatch.setattr(pdf, "load_weasyprint", load)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compare text with a golden file in tests/golden; `pytest --update-golden` rewrites them."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), f"{name} differs; run pytest --update-golden if intended"

    return check


@pytest.fixture(autouse=True)
def no_unexpected_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test whose run logs a warning (policypack's or WeasyPrint's) it did not declare.

    A test that expects one says so with `@pytest.mark.allow_warnings`.
    """
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect(logging.WARNING)
    loggers = [logging.getLogger(name) for name in ("policypack", "weasyprint")]
    for logger in loggers:
        logger.addHandler(handler)
    yield
    for logger in loggers:
        logger.removeHandler(handler)
    if records and request.node.get_closest_marker("allow_warnings") is None:
        pytest.fail("unexpected warnings: " + "; ".join(r.getMessage() for r in records[:5]))


def error_markers(path: Path) -> Iterator[tuple[int, str]]:
    """(line, message) for each `# error: message` comment in a sample file."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if "# error: " in line:
            yield number, line.split("# error: ", 1)[1].strip()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the CLI in-process from the repository root, as a user would."""
    monkeypatch.chdir(ROOT)

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def poster_html(needs_dot: None) -> PosterHtml:
    """Lay out and render a poster, unbranded, as `policypack flowchart` does (no PDF)."""

    def render(flow: Flow, flow_set: FlowSet, size: str, landscape: bool | None = None) -> Poster:
        spec = PosterSpec(chart=chart_name(flow.id), size=size, landscape=landscape)  # type: ignore[arg-type]
        layout = poster_layout(flow, Theme(), flow_set.flow_titles(), spec, False, None)
        rendered = render_pack_poster(template_environment(), layout, Theme(), flow_set, None, bundled_strings())
        return Poster(rendered.html, layout.sheet, layout.chart)

    return render


@pytest.fixture(scope="session")
def pack_html(needs_dot: None) -> PackHtml:
    """Every printed document of a school's pack as HTML (name -> html), as the build renders
    them, without PDFs: the HTML the PDFs (and Word copies) are made from."""

    def render(profile: Path) -> dict[str, str]:
        pack = load_checked_pack(profile, TODAY)
        environment = template_environment(pack.school.templates, pack.school.template_sources, pack.inputs.strings)
        documents = render_pack(pack, lay_out_pack(pack), environment)
        return {doc.name: doc.html for doc in documents if doc.fmt == "pdf"}

    return render


def run_cli(*args: str) -> Result:
    """The CLI in-process, from the current folder (the `cli` fixture also moves to the repository)."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def copy_school(folder: Path, edits: dict[str, str] | None = None, logo: Path | None = None) -> Path:
    """The example school (profile and crest) copied into `folder`, with lines edited and its logo
    swapped; returns the profile. Each edit's old text must be in the profile."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE / "crest.svg", folder / "crest.svg")
    text = (EXAMPLE / "school.yaml").read_text(encoding="utf-8")
    if logo is not None:
        shutil.copy(logo, folder / logo.name)
        text = text.replace("path: crest.svg", f"path: {logo.name}")
    for old, new in (edits or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / "school.yaml").write_text(text, encoding="utf-8")
    return folder / "school.yaml"


def bookmark_titles(path: Path) -> list[str]:
    """A PDF's bookmarks (its outline), nested ones flattened, in order."""

    def flatten(items: Sequence[Any]) -> list[str]:
        return [t for item in items for t in (flatten(item) if isinstance(item, list) else [str(item.title)])]

    return flatten(PdfReader(path).outline)


def pdf_words(path: Path) -> str:
    """A PDF's text as pypdf reads it, white space collapsed, a word hyphenated at a line's end whole."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split()).replace("\u2010 ", "")


def with_formats(profile_folder: Path, target: Path, formats: str = "[pdf, docx, html]") -> Path:
    """A copy of a school's profile folder whose profile asks for `formats`; returns its profile."""
    shutil.copytree(profile_folder, target)
    profile = target / "school.yaml"
    text = re.sub(r"\n  formats: .*", "", profile.read_text(encoding="utf-8"))
    if "\noutputs:\n" in text:
        text = text.replace("\noutputs:\n", f"\noutputs:\n  formats: {formats}\n", 1)
    else:
        text += f"\noutputs:\n  formats: {formats}\n"
    profile.write_text(text, encoding="utf-8")
    return profile


def normalised(text: str) -> str:
    """Text as the same-words tests compare it: white space collapsed, line-end breaks undone.

    A PDF breaks lines inside words (a hyphenation hyphen, U+2010, then a line break), after
    a real hyphen ("semi-" / "nude") and after the slashes of a long address; Word and a
    browser do their own line breaking, so none of these are part of the words.
    """
    text = " ".join(text.split())
    text = re.sub("\u2010 ", "", text)
    return re.sub(r"([-/]) ", r"\1", text)


def pdf_body_text(pdf: Path, header: str, footer: str, drawn: Collection[str] = ()) -> str:
    """The words of a PDF without the running header and footer that every page repeats.

    `pdftotext -raw` reads in drawing order and keeps hyphens; the page furniture comes last.
    A numbered list's markers (CSS counters, not words) are drawn as lines of their own
    ("12."): they are left out, since Word numbers its lists itself; so are bullets.
    `drawn`: the charts' labels (each <text> of their SVG). WeasyPrint paints a page's
    drawings after its text, so a chart on the page where a paragraph breaks would split
    it: a line made only of labels is left out.
    """
    pages = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    if drawn:
        labels = {" ".join(label.split()) for label in drawn if label.strip()}
        pages = "\n".join(line for line in pages.split("\n") if not _only_labels(line.lstrip("\f"), labels))
    pages = re.sub(r"(?m)^\d{1,3}\.\n", "", pages)
    pages = re.sub(r"(?m)^•\n", "", pages)  # a bulleted list's markers, drawn after the page's text
    furniture = re.compile(
        rf"( ?{re.escape(normalised(header))})?( ?{re.escape(normalised(footer))})? ?Page \d+ of \d+$"
    )
    # the furniture goes before a word hyphenated at the page's foot is joined up again
    return normalised(" ".join(furniture.sub("", " " + " ".join(page.split())).strip() for page in pages.split("\f")))


def _only_labels(line: str, labels: set[str]) -> bool:
    """Whether a line of text is one or more of `labels` side by side (a chart's "9" and "Police")."""
    words = line.split()
    can_end = [True] + [False] * len(words)  # can_end[i]: words[:i] is labels side by side
    for end in range(1, len(words) + 1):
        can_end[end] = any(can_end[start] and " ".join(words[start:end]) in labels for start in range(end))
    return bool(words) and can_end[-1]


def svg_labels(html: str) -> list[str]:
    """The text of every chart drawn in an HTML page (each <text> of its SVG)."""
    tree = lxml.html.document_fromstring(html)
    return [text.text_content() for text in tree.xpath("//svg//text")]


@pytest.fixture(scope="session")
def example_pack(tmp_path_factory: pytest.TempPathFactory, needs_weasyprint: None) -> Path:
    """The example school's whole pack (PDFs, Word, web page), built once per test process.

    Tests only read it; a test that changes a pack builds its own.
    """
    out = tmp_path_factory.mktemp("example-pack")
    result = CliRunner().invoke(main, ["build", str(ROOT / "examples" / "oakfield" / "school.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "WeasyPrint" not in result.stderr, "a pack must render without WeasyPrint warnings"
    return out / "oakfield-academy"


@pytest.fixture(scope="session")
def pack(example_pack: Path) -> Path:
    """The example school's built pack folder (read only)."""
    return example_pack


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests leave pictures for a person to look at: a temporary folder, never output/."""
    return tmp_path_factory.mktemp("screenshots")
