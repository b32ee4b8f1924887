"""A hostile corpus: files a school could send to exhaust memory, hang a build, crash it or slip past a check.

Each case runs the command a user would, and asserts the exit code, a `path:line:col:`
message with no traceback, and that nothing outside the allowed folders was opened.
The logos and YAML files are kept in tests/data/hostile/; the ones too big to keep
(a 420 KB PNG of 12000 x 12000 pixels) are made by the tests.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from PIL import Image
from pypdf import PdfReader

from policypack.build import load_checked_pack
from policypack.layout.sheet import Sheet
from policypack.load.images import LOGO_PRINT_MM, MAX_SVG_ELEMENTS, PRINT_DPI, print_pixels
from policypack.validate import validate_paths
from tests.conftest import DATA, ROOT, TODAY, copy_school, error_markers

HOSTILE = DATA / "hostile"
LOGOS = HOSTILE / "logos"
EXAMPLE = ROOT / "examples" / "oakfield"
PROGRAM_FILES = (ROOT, Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix))

# --- Helpers -----------------------------------------------------------------------------------

_watching: list[set[Path]] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _watching and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _watching[-1].add(Path(os.fsdecode(args[0])).absolute())


sys.addaudithook(_audit)  # an audit hook stays for the process; it records only while a test watches


@pytest.fixture
def opened() -> Iterator[set[Path]]:
    """Every file opened (by Python, os.open included) while the test runs."""
    paths: set[Path] = set()
    _watching.append(paths)
    yield paths
    _watching.remove(paths)


def outside(paths: set[Path], *allowed: Path) -> list[Path]:
    """The opened paths that are neither in `allowed` folders nor the program's own files."""
    roots = [root.resolve() for root in (*allowed, *PROGRAM_FILES)]
    return sorted(p for p in paths if not any(p.resolve().is_relative_to(root) for root in roots))


def school(tmp_path: Path, logo: Path | None = None, edits: dict[str, str] | None = None) -> Path:
    """The example school copied into tmp_path/school/, with its logo swapped and lines edited."""
    return copy_school(tmp_path / "school", edits, logo)


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def located(result: Result, path: Path, line: int, message: str) -> bool:
    """Whether the output has `message` at `path:line:col:`, and no traceback."""
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    prefix = re.compile(rf"{re.escape(str(path))}:{line}:\d+: error: ")
    return any(prefix.search(out) and message in out for out in result.output.splitlines())


def png_of_zeros(path: Path, width: int, height: int) -> Path:
    """A real, whole PNG of black pixels, written row by row: tiny on disk, huge decoded."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + 3 * width)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


# --- Logos: resource exhaustion and checks that could be bypassed -------------------------------

LOGO_CASES = [
    ("truncated.png", "the PNG image is damaged or incomplete"),
    ("no-end.png", "the PNG image is damaged or incomplete (truncated PNG file)"),
    ("header-30000.png", "the image has far more pixels than the limit of 25,000,000"),
    ("svg-named.png", "this is not a PNG image"),
    ("many-scans.jpg", "the JPEG image has more than 100 scans"),
    ("empty.svg", "the file is empty (0 bytes)"),
    ("nested-use.svg", "references (<use>, url(#...)) expand to over 50,000 elements"),
    ("use-loop.svg", "the SVG refers to itself in a loop"),
    ("entities.svg", "the SVG declares a DOCTYPE or entities, which are not allowed"),
    ("style-import.svg", "imports another style sheet (@import)"),
    ("style-url.svg", "refers to other files or addresses (file:///etc/passwd)"),
    ("utf16-external.svg", "refers to other files or addresses (file:///etc/passwd)"),
    ("style-escaped-url.svg", "the SVG's style uses CSS escapes (a backslash)"),
    ("script.svg", "the SVG contains <script>"),
    ("embedded-bomb.svg", "the image has far more pixels than the limit"),
]


@pytest.mark.parametrize(("name", "message"), LOGO_CASES, ids=[case[0] for case in LOGO_CASES])
def test_a_hostile_logo_is_refused_at_the_line_that_names_it(
    cli: Callable[..., Result], tmp_path: Path, opened: set[Path], name: str, message: str
) -> None:
    profile = school(tmp_path, LOGOS / name)
    result = cli("validate", str(profile))
    assert result.exit_code == 1
    assert located(result, profile, line_of(profile, "  logo:"), message), result.output
    assert f"the logo {name}: " in result.output
    assert outside(opened, tmp_path) == []  # file:///etc/passwd was never opened


def test_an_svg_that_is_not_xml_is_refused_at_its_own_line(cli: Callable[..., Result], tmp_path: Path) -> None:
    profile = school(tmp_path, LOGOS / "not-xml.svg")
    result = cli("validate", str(profile))
    assert result.exit_code == 1
    assert located(result, profile.parent / "not-xml.svg", 3, "the SVG is not well-formed XML (mismatched tag)")


def test_a_420_kb_png_of_12000_by_12000_pixels_is_refused_before_it_is_decoded(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    logo = png_of_zeros(tmp_path / "huge.png", 12_000, 12_000)
    assert 400_000 < logo.stat().st_size < 440_000  # 1.2 GB once decoded as RGB... if it were
    profile = school(tmp_path, logo)
    result = cli("validate", str(profile))
    assert result.exit_code == 1
    message = "the image is 12,000 x 12,000 pixels; the limit is 25,000,000"
    assert located(result, profile, line_of(profile, "  logo:"), message), result.output


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        ("".join("<g>" for _ in range(100)) + "".join("</g>" for _ in range(100)), "nests elements more than 64 deep"),
        ('<rect width="1" height="1"/>' * (MAX_SVG_ELEMENTS + 1), "has more than 10,000 elements"),
        (
            '<rect id="r0" width="1" height="1"/>'
            + "".join(f'<use id="r{i}" href="#r{i - 1}"/>' for i in range(1, 12)),
            "chain more than 8 deep",
        ),
    ],
    ids=["nesting", "elements", "reference-chain"],
)
def test_svg_caps_on_nesting_elements_and_reference_depth(
    cli: Callable[..., Result], tmp_path: Path, shapes: str, message: str
) -> None:
    svg = tmp_path / "bomb.svg"
    svg.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{shapes}</svg>')
    profile = school(tmp_path, svg)
    result = cli("validate", str(profile))
    assert result.exit_code == 1
    assert located(result, profile, line_of(profile, "  logo:"), message), result.output


def test_a_utf16_svg_is_read_by_its_own_declaration_and_printed_as_checked_utf8(tmp_path: Path) -> None:
    pack = load_checked_pack(school(tmp_path, LOGOS / "utf16-clean.svg"), TODAY)
    assert pack.school.logo is not None
    image = pack.school.logo.image
    assert image.media_type == "image/svg+xml"
    assert image.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b"circle" in image.data and b"#1b4965" in image.data
    assert image.uri.startswith("data:image/svg+xml;base64,")


def test_the_largest_printed_logo_fits_the_print_resolution_box() -> None:
    """LOGO_PRINT_MM must cover every template's logo: 80 % of an A1 poster's header, the policy's 28 mm."""
    poster_logo_mm = max(Sheet(size, False, False).logo_height for size in ("A4", "A3", "A2", "A1"))
    assert LOGO_PRINT_MM[1] >= poster_logo_mm
    assert LOGO_PRINT_MM[1] >= 28 and LOGO_PRINT_MM[0] >= 60  # _document.css.j2: max-height 28mm, max-width 60mm
    assert print_pixels(12_000, 12_000) == (378, 378)  # 32 mm at 300 dpi


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.slow
def test_a_large_logo_is_downscaled_to_print_resolution_and_its_metadata_left_behind(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    big = Image.new("RGB", (4000, 1000), (27, 73, 101))
    exif = Image.Exif()
    exif[0x010E] = "secret: taken at the head's home"  # ImageDescription
    logo = tmp_path / "wide.jpg"
    big.save(logo, "JPEG", quality=95, exif=exif)
    profile = school(tmp_path, logo, {"documents: [policy, staff-card, incident-form, parent-leaflet, posters]": ""})
    profile.write_text(profile.read_text().replace("outputs:\n", "outputs:\n  documents: [staff-card]\n"))
    result = cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    (image,) = PdfReader(tmp_path / "out" / "oakfield-academy" / "staff-card.pdf").pages[0].images
    width, height = print_pixels(4000, 1000)
    assert (image.image.width, image.image.height) == (width, height) == (1512, 378)
    assert width / PRINT_DPI * 25.4 == pytest.approx(128, abs=0.1)
    assert b"secret" not in (tmp_path / "out" / "oakfield-academy" / "staff-card.pdf").read_bytes()


def test_a_rebuilt_png_keeps_transparency(tmp_path: Path) -> None:
    logo = tmp_path / "clear.png"
    Image.new("RGBA", (50, 20), (0, 0, 0, 0)).save(logo)
    pack = load_checked_pack(school(tmp_path, logo), TODAY)
    assert pack.school.logo is not None
    rebuilt = Image.open(io.BytesIO(pack.school.logo.image.data))
    assert rebuilt.mode == "RGBA" and rebuilt.size == (50, 20)


# --- Files that are not files ------------------------------------------------------------------


def test_a_fifo_for_a_logo_is_refused_without_waiting(tmp_path: Path) -> None:
    profile = school(tmp_path)
    (profile.parent / "crest.svg").unlink()
    os.mkfifo(profile.parent / "crest.svg")
    done = subprocess.run(
        [sys.executable, "-m", "policypack", "validate", str(profile)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    line = line_of(profile, "  logo:")
    assert f"school.yaml:{line}:3: error: the logo crest.svg: cannot read file: it is a named pipe" in done.stdout


def test_validate_dev_zero_fails_at_once(cli: Callable[..., Result], opened: set[Path]) -> None:
    result = cli("validate", "/dev/zero")
    assert result.exit_code == 1
    assert "/dev/zero: error: cannot read file: it is a device, not a regular file" in result.output
    assert "Traceback" not in result.output


def test_validate_a_fifo_fails_at_once_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "school.yaml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "policypack", "validate", str(fifo)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "cannot read file: it is a named pipe (FIFO), not a regular file" in done.stdout
    assert "Traceback" not in done.stderr


# --- Internal errors that must be located messages ---------------------------------------------

YAML_CASES = sorted((HOSTILE / "yaml").glob("*.yaml"))


@pytest.mark.parametrize("path", YAML_CASES, ids=lambda p: p.name)
def test_a_hostile_yaml_file_gets_its_one_marked_error(path: Path) -> None:
    ((want_line, want_message),) = error_markers(path)
    problems = validate_paths([path], TODAY)
    assert [(p.location.file, p.location.line) for p in problems] == [(path.resolve(), want_line)], problems
    assert problems[0].message.startswith(want_message), problems[0].message


def test_nesting_3000_levels_deep_is_a_located_problem(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("id: deep\nsteps: " + "[" * 3000 + "]" * 3000 + "\n")
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert located(result, path, 2, "values are nested more than 64 levels deep"), result.output


@pytest.mark.parametrize(
    ("edit", "needle", "message"),
    [
        ({"adopted: 2026-09-01": "adopted: 2026-02-30"}, "adopted:", "'2026-02-30' is not a real date"),
        ({"adopted: 2026-09-01": "adopted: 0000-09-01"}, "adopted:", "'0000-09-01' is not a real date (year 0"),
        ({"review_interval_months: 12": "review_interval_months: " + "9" * 5000}, "review_interval", "too long"),
        ({"adopted: 2026-09-01": "adopted: 1700000000"}, "adopted:", "'policy.adopted': give a date such as"),
        ({"adopted: 2026-09-01": "adopted: 2026-09-01 10:00:00"}, "adopted:", "without a time"),
        ({"adopted: 2026-09-01": "adopted: 01/09/2026"}, "adopted:", "is not a date in the form YYYY-MM-DD"),
    ],
    ids=["february-30", "year-0000", "5000-digits", "seconds-as-date", "date-and-time", "british-order"],
)
def test_impossible_values_in_a_profile_are_located(
    cli: Callable[..., Result], tmp_path: Path, edit: dict[str, str], needle: str, message: str
) -> None:
    profile = school(tmp_path, edits=edit)
    result = cli("validate", str(profile))
    assert result.exit_code == 1
    assert located(result, profile, line_of(profile, needle), message), result.output


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (ROOT / "flows" / "england" / "staff-response.yaml", "this is a flow, not a school profile"),
        (DATA / "trust" / "trust.yaml", "this is a shared (trust) profile, not a school's"),
    ],
    ids=["flow", "trust"],
)
def test_build_given_something_other_than_a_school_says_so(
    cli: Callable[..., Result], tmp_path: Path, given: Path, message: str
) -> None:
    result = cli("build", str(given), "-o", str(tmp_path))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_build_into_a_file_is_a_usage_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me")
    result = cli("build", "-o", str(target))
    assert result.exit_code == 2
    assert "is a file" in result.output and "Traceback" not in result.output
    assert target.read_text() == "keep me"


def test_build_into_proc_is_refused(cli: Callable[..., Result]) -> None:
    result = cli("build", "-o", "/proc/self/packs")
    assert result.exit_code == 2, "a usage error, said once before any school is loaded"
    assert "cannot write packs into /proc/self/packs: choose an ordinary folder" in result.output
    assert "Traceback" not in result.output


def test_validate_into_a_closed_pipe_exits_quietly() -> None:
    """`policypack validate ... | head -1`: the reader has gone before anything is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "policypack", "validate", str(DATA / "broken")],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def _override(tmp_path: Path, body: str) -> Path:
    profile = school(tmp_path)
    (profile.parent / "templates").mkdir()
    template = '{% extends "documents/policy.html.j2" %}\n{% block support %}\n' + body + "\n{% endblock %}\n"
    (profile.parent / "templates" / "policy.html.j2").write_text(template)
    profile.write_text(profile.read_text() + "\ntemplates: templates\n")
    return profile


def test_a_syntax_error_in_a_school_template_is_located_by_validate(cli: Callable[..., Result], tmp_path: Path) -> None:
    profile = _override(tmp_path, "<p>\n{{ school.name </p>")
    result = cli("validate", str(profile))
    assert result.exit_code == 1
    template = profile.parent / "templates" / "policy.html.j2"
    assert located(result, template, 4, "template syntax error: unexpected '/'"), result.output


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<p>\n{{ school.nme }}</p>", "template error: 'policypack.model.profile.School object' has no attribute"),
        ("<p>\n{{ school.__class__ }}</p>", "'__class__' is not allowed in a template"),
    ],
    ids=["undefined", "sandbox"],
)
def test_a_mistake_in_a_school_template_fails_the_build_at_its_line(
    cli: Callable[..., Result], tmp_path: Path, body: str, message: str
) -> None:
    profile = _override(tmp_path, body)
    result = cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert located(result, profile.parent / "templates" / "policy.html.j2", 4, message), result.output
    assert not (tmp_path / "out" / "oakfield-academy").exists()


# --- Checks that could be bypassed -------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "needle", "message"),
    [
        ({"name: Oakfield Academy": 'name: "Oakfield\\e[2J Academy"'}, "Oakfield\\e", "control character U+001B"),
        ({"name: Oakfield Academy": 'name: "Oakfield \\u202eymedacA"'}, "Oakfield \\u", "control character U+202E"),
        ({"name: Oakfield Academy": 'name: "Oakfield\\nAcademy"'}, "Oakfield\\n", "'school.name': string should"),
        ({"name: Ms Priya Raman": 'name: "Ms Priya\\x07 Raman"'}, "Priya\\x07", "control character U+0007"),
        ({"review_interval_months: 12": "review_interval_months: true"}, "review_interval", "not a whole number"),
        (
            {"  logo:": '  typography:\n    base: {family: "Open Sans\\n}"}\n  logo:'},
            "family:",
            "font family 'Open Sans\\n}' has characters a font name cannot have",
        ),
    ],
    ids=["escape", "bidi-override", "newline-in-name", "bell-in-person", "bool-as-int", "font-newline"],
)
def test_text_and_types_that_could_slip_through_are_refused_at_their_line(
    cli: Callable[..., Result], tmp_path: Path, opened: set[Path], edit: dict[str, str], needle: str, message: str
) -> None:
    profile = school(tmp_path, edits=edit)
    result = cli("validate", str(profile))
    assert result.exit_code == 1
    assert located(result, profile, line_of(profile, needle), message), result.output
    assert outside(opened, tmp_path) == []


def test_a_merge_key_with_an_override_works_as_yaml_says(cli: Callable[..., Result], tmp_path: Path) -> None:
    first_deputy = "    - name: Mr Tom Ellis\n      phone: 01632 960 102\n      email: t.ellis@oakfield.example.org\n"
    edits = {first_deputy: "    - &deputy\n" + first_deputy.replace("    - name", "      name", 1)}
    edits["    - name: Mrs Grace Okafor\n"] = "    - <<: *deputy\n      name: Mrs Grace Okafor\n"
    edits["      phone: 01632 960 103\n      email: g.okafor@oakfield.example.org\n"] = ""
    profile = school(tmp_path, edits=edits)
    assert cli("validate", str(profile)).exit_code == 0
    deputies = load_checked_pack(profile, TODAY).school.model.people.deputies
    assert [(d.name, d.phone) for d in deputies] == [
        ("Mr Tom Ellis", "01632 960 102"),
        ("Mrs Grace Okafor", "01632 960 102"),  # merged from the first, the name overridden
    ]
