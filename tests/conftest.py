from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policypack.build import load_checked_pack
from policypack.cli import main
from policypack.layout.chart import ChartStyle, build_graph, to_svg
from policypack.layout.pack import lay_out_pack
from policypack.layout.sheet import lay_out_poster, title_block
from policypack.load.flows import FlowSet
from policypack.model.flow import Flow
from policypack.render.pack import render_pack
from policypack.render.poster import Poster, render_poster
from policypack.render.templating import template_environment

# Review-date warnings depend on today's date: pin it, so that the suite gives the same
# answer next year. Tests about those warnings set their own dates.
os.environ["POLICYPACK_TODAY"] = "2026-11-24"
TODAY = dt.date(2026, 11, 24)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
GOLDEN = ROOT / "tests" / "golden"
FLOWS = ROOT / "flows"
Golden = Callable[[str, str], None]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from the current output.")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the stage they need: `dot` (Graphviz) and `pdf` (WeasyPrint), from their module."""
    for item in items:
        for marker in STAGE_MARKERS.get(Path(str(item.fspath)).stem, ()):
            item.add_marker(marker)


# Which test modules run dot or WeasyPrint: `pytest -m "not pdf"` runs the fast, pure ones.
STAGE_MARKERS: dict[str, tuple[str, ...]] = {
    "test_flowchart": ("dot",),
    "test_poster": ("dot", "pdf"),
    "test_pack": ("dot", "pdf"),
    "test_batch": ("dot", "pdf"),
    "test_hostile_build": ("dot", "pdf"),
    "test_packaging": ("pdf",),
    "test_pack_finish": ("dot", "pdf"),
    "test_word": ("dot", "pdf"),
    "test_web": ("dot", "pdf"),
}


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


def render_poster_html(flow: Flow, flow_set: FlowSet, size: str, landscape: bool | None = None) -> Poster:
    """A poster laid out and rendered, unbranded, as `policypack flowchart` does (no PDF)."""
    style = ChartStyle()
    svg = to_svg(build_graph(flow, style, flow_set.flow_titles()))
    laid_out = lay_out_poster(svg, style, size, landscape, False, title_block(flow))
    environment = template_environment()
    return render_poster(environment, flow, flow_set.source_map(), flow_set.flow_titles(), laid_out, style)


def render_pack_html(profile: Path) -> dict[str, str]:
    """Every printed document of a school's pack as HTML (name -> html), as the build renders them, without PDFs.

    The HTML the PDFs (and Word copies) are made from; the web page is tested on its own.
    """
    pack = load_checked_pack(profile, TODAY)
    documents = render_pack(pack, lay_out_pack(pack), template_environment(pack.school.templates))
    return {doc.name: doc.html for doc in documents if doc.fmt == "pdf"}


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


def pdf_body_text(pdf: Path, header: str, footer: str) -> str:
    """The words of a PDF without the running header and footer that every page repeats.

    `pdftotext -raw` reads in drawing order and keeps hyphens; the page furniture comes last.
    A numbered list's markers (CSS counters, not words) are drawn as lines of their own
    ("12."): they are left out, since Word numbers its lists itself.
    """
    pages = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = re.sub(r"(?m)^\d{1,3}\.\n", "", pages)
    furniture = re.compile(
        rf"( ?{re.escape(normalised(header))})?( ?{re.escape(normalised(footer))})? ?Page \d+ of \d+$"
    )
    return normalised(" ".join(furniture.sub("", " " + normalised(page)).strip() for page in pages.split("\f")))


@pytest.fixture(scope="session")
def example_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example school's whole pack (PDFs, Word, web page), built once per test process.

    Tests only read it; a test that changes a pack builds its own.
    """
    out = tmp_path_factory.mktemp("example-pack")
    result = CliRunner().invoke(main, ["build", str(ROOT / "examples" / "oakfield" / "school.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "WeasyPrint" not in result.stderr, "a pack must render without WeasyPrint warnings"
    return out / "oakfield-academy"
