"""Benchmarks for batch builds: run with `make bench`. Prints figures; asserts nothing.

On the same synthetic schools, in one run:
  1. policypack: median seconds per school pack, building sequentially (-j 1);
  2. the engine floor: the very DOT and HTML policypack produced for one pack, rendered
     by calling `dot` and WeasyPrint directly, and the ratio of (1) to it;
  3. the speed-up of -j 2 over -j 1 on the same schools;
  4. a no-change rebuild of 100 schools (built first with staff-card-only packs: the skip
     decision reads a profile's inputs, not its documents, so the pack's size does not
     matter to it);
  5. peak memory (RSS) of a worker process;
  6. the bomb cases (hostile inputs), each validated in its own process: refused or
     downscaled, with its time and peak memory (target < 500 MB, as for a worker).
     `--bombs` runs only this part (seconds);
  7. what each output format adds per school: the same schools built as PDF alone, then
     with the Word files, the web page, and both (target: Word and web together add under
     25 % to a full pack's time).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "oakfield"
TODAY = datetime.date(2026, 11, 24)


def make_profiles(folder: Path, count: int, documents: str | None = None, formats: str = "[pdf]") -> list[Path]:
    """Synthetic schools: the example with its own name, people and brand colour each."""
    text = (EXAMPLE / "school.yaml").read_text()
    profiles = []
    for n in range(count):
        school = folder / f"school-{n:03d}"
        school.mkdir(parents=True)
        shutil.copy(EXAMPLE / "crest.svg", school / "crest.svg")
        colour = f"#{(37 * n) % 200:02x}{(91 * n) % 160:02x}{(53 * n + 60) % 200:02x}"
        body = (
            text.replace("Oakfield Academy", f"Bench School {n:03d}")
            .replace("Ms Priya Raman", f"Ms Lead {n:03d}")
            .replace('oak-blue: "#1b4965"', f'oak-blue: "{colour}"')
        )
        body = re.sub(r"\n  formats: .*", "", body).replace("\noutputs:\n", f"\noutputs:\n  formats: {formats}\n", 1)
        if documents:
            body = body.replace(
                "documents: [policy, staff-card, incident-form, parent-leaflet, posters]", f"documents: [{documents}]"
            )
        (school / "school.yaml").write_text(body)
        profiles.append(school / "school.yaml")
    return profiles


def timed_build(profiles: list[Path], output: Path, jobs: int) -> tuple[float, list[float]]:
    from policypack.batch import build_many

    started = time.perf_counter()
    outcomes = build_many(profiles, output, jobs, TODAY)
    wall = time.perf_counter() - started
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        sys.exit(f"benchmark build failed: {failed[0].message}")
    return wall, [o.seconds for o in outcomes]


def engine_floor(profile: Path, repeats: int) -> float:
    """Median seconds to render one pack's own DOT and HTML with dot and WeasyPrint alone."""
    import weasyprint

    from policypack.build import load_checked_pack
    from policypack.layout.chart import build_graph
    from policypack.layout.pack import lay_out_pack
    from policypack.render.pack import render_pack
    from policypack.render.templating import template_environment
    from policypack.write.pdf import pdf_options

    pack = load_checked_pack(profile, TODAY)
    layout = lay_out_pack(pack)
    documents = render_pack(pack, layout, template_environment(pack.school.templates))
    titles = pack.flows.flow_titles()
    dots = [build_graph(flow, pack.theme, titles) for flow, _ in layout.charts.values()]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for source in dots:
            subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True)
        for document in (d for d in documents if d.fmt == "pdf"):
            weasyprint.HTML(string=document.html, base_url=str(pack.school.folder)).write_pdf(
                **pdf_options(document.spec.fillable)
            )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def png_of(path: Path, width: int, height: int, alpha: bool = False) -> Path:
    """A whole PNG of one colour, written row by row: a few hundred KB on disk, huge decoded."""
    import struct
    import zlib

    compressor = zlib.compressobj(9)
    row = b"\0" + b"\x1b\x49\x65\xff"[: 4 if alpha else 3] * width
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


def school_with_logo(folder: Path, logo: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(logo, folder / logo.name)
    text = (EXAMPLE / "school.yaml").read_text().replace("path: crest.svg", f"path: {logo.name}")
    (folder / "school.yaml").write_text(text)
    return folder / "school.yaml"


def near_cap_svg(path: Path) -> Path:
    """An SVG the caps let through at their edge: ~47,000 elements counted, ~25,000 rectangles drawn."""
    levels = ['<rect id="l0" width="1" height="1" fill="#1b4965"/>']
    for i in range(1, 6):
        levels.append(f'<g id="l{i}">' + "".join(f'<use href="#l{i - 1}" x="{j}"/>' for j in range(6)) + "</g>")
    top = '<use href="#l5"/><use href="#l4" y="5"/><use href="#l4" y="9"/>'
    defs = "".join(levels)
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><defs>{defs}</defs>{top}</svg>')
    return path


def command(label: str, target: Path, work: Path) -> list[str]:
    """`validate` for a bomb; a real build (the staff card only) for a case that must get through."""
    if not label.startswith("build:"):
        return ["validate", str(target)]
    text = target.read_text().replace(
        "documents: [policy, staff-card, incident-form, parent-leaflet, posters]", "documents: [staff-card]"
    )
    target.write_text(text)
    return ["build", str(target), "-o", str(work / "near-out")]


def bombs(work: Path) -> list[tuple[str, str, str, str]]:
    """Each hostile input validated in a process of its own: outcome, seconds, peak RSS (MB)."""
    hostile = ROOT / "tests" / "data" / "hostile"
    deep = work / "deep.yaml"
    deep.write_text("id: deep\nsteps: " + "[" * 3000 + "]" * 3000 + "\n")
    fifo = work / "fifo.yaml"
    os.mkfifo(fifo)
    cases = {
        "PNG 12000x12000 (420 KB)": school_with_logo(work / "huge", png_of(work / "huge.png", 12000, 12000)),
        "PNG 5000x5000 RGBA (largest allowed)": school_with_logo(
            work / "cap", png_of(work / "cap.png", 5000, 5000, alpha=True)
        ),
        "SVG of nested <use> (1.8 KB)": school_with_logo(work / "use", hostile / "logos" / "nested-use.svg"),
        "YAML alias bomb": ROOT / "tests" / "data" / "yaml" / "alias-bomb.yaml",
        "YAML nested 3000 deep": deep,
        "/dev/zero": Path("/dev/zero"),
        "a FIFO": fifo,
        "build: SVG <use> just under the caps": school_with_logo(work / "near", near_cap_svg(work / "near.svg")),
    }
    rows = []
    for label, target in cases.items():
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "policypack", *command(label, target, work)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = process.stdout.read() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        first = next((line for line in output.splitlines() if ": error: " in line), output.splitlines()[-1])
        outcome = ("refused: " + first.split(": error: ", 1)[1]) if process.returncode == 1 else "accepted"
        if label.startswith("build:"):
            outcome = output.splitlines()[-1]
        if label.startswith("PNG 5000") and process.returncode == 0:
            from policypack.load.images import print_pixels

            outcome += " and rebuilt at {} x {} pixels".format(*print_pixels(5000, 5000))
        rows.append((label, f"{seconds:.2f} s", f"{usage.ru_maxrss / 1024:.0f} MB", outcome[:70]))
    return rows


def print_bombs(work: Path) -> None:
    print("\nbomb cases, each in a process of its own (target: peak < 500 MB, seconds not minutes)")
    for label, seconds, peak, outcome in bombs(work):
        print(f"{label:<38}{seconds:>8}{peak:>9}   {outcome}")


def format_costs(folder: Path, count: int) -> dict[str, tuple[float, float]]:
    """Per full pack, for each mix of formats on the same schools (-j 1): the median wall
    seconds, and the CPU seconds of the workers and the programs they ran (dot, rsvg-convert).

    Both matter: a single school's build overlaps drawing the Word pictures with writing the
    PDFs, so wall time grows less than the work; a batch on every core pays the CPU.
    """
    costs = {}
    for mix in ("[pdf]", "[pdf, docx]", "[pdf, html]", "[pdf, docx, html]"):
        name = re.sub(r"\W+", "-", mix).strip("-")
        profiles = make_profiles(folder / name, count, formats=mix)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        _, per_pack = timed_build(profiles, folder / f"{name}-out", jobs=1)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / count
        costs[mix] = (statistics.median(per_pack), cpu)
    return costs


def print_formats(per_format: dict[str, tuple[float, float]]) -> None:
    base_wall, base_cpu = per_format["[pdf]"]
    print()
    for mix, (wall, cpu) in per_format.items():
        target = "target < 25 %" if mix == "[pdf, docx, html]" else ""
        for label, value, base in (("wall", wall, base_wall), ("CPU", cpu, base_cpu)):
            print(f"{f'formats {mix}, {label} per pack':<42}{value:>8.2f} s   {_added(value, base)} {target}".rstrip())


def _added(value: float, base: float) -> str:
    return f"{value - base:+.2f} s ({100 * (value - base) / base:+.0f} %)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=8, help="full packs to build for the timings (default 8)")
    parser.add_argument("--rebuild", type=int, default=100, help="schools in the no-change rebuild (default 100)")
    parser.add_argument("--bombs", action="store_true", help="only the bomb cases (hostile inputs)")
    parser.add_argument("--format-schools", type=int, default=4, help="schools per format mix (default 4)")
    parser.add_argument("--formats", action="store_true", help="only what each output format adds")
    args = parser.parse_args()
    os.environ.setdefault("POLICYPACK_TODAY", "2026-11-24")
    if args.formats:
        with tempfile.TemporaryDirectory(prefix="policypack-bench-") as temp:
            print_formats(format_costs(Path(temp), args.format_schools))
        return
    if args.bombs:
        with tempfile.TemporaryDirectory(prefix="policypack-bench-") as temp:
            print_bombs(Path(temp))
        return
    with tempfile.TemporaryDirectory(prefix="policypack-bench-") as temp:
        work = Path(temp)
        profiles = make_profiles(work / "schools", args.schools)
        print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(f"inputs: {args.schools} synthetic schools, each a full pack (policy, card, form, leaflet, 4 posters)")

        one_wall, per_pack = timed_build(profiles, work / "j1", jobs=1)
        median_pack = statistics.median(per_pack)
        floor = engine_floor(profiles[0], repeats=3)
        two_wall, _ = timed_build(profiles, work / "j2", jobs=2)
        worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        quick = make_profiles(work / "quick", args.rebuild, documents="staff-card")
        timed_build(quick, work / "quick-out", jobs=2)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "policypack", "build", *map(str, quick), "-o", str(work / "quick-out")],
            capture_output=True,
            text=True,
            check=False,
        )
        rebuild = time.perf_counter() - started
        if done.returncode != 0 or f"0 built, {args.rebuild} unchanged" not in done.stdout:
            sys.exit(f"no-change rebuild did not skip everything: {done.stdout}{done.stderr}")
        per_format = format_costs(work / "formats", args.format_schools)

    rows = [
        ("policypack, median per pack (-j 1)", f"{median_pack:.2f} s", ""),
        ("engine floor (dot + WeasyPrint only)", f"{floor:.2f} s", ""),
        ("policypack / engine floor", f"{median_pack / floor:.2f} x", "target <= 1.10"),
        (f"-j 1 wall for {args.schools} packs", f"{one_wall:.1f} s", ""),
        (f"-j 2 wall for {args.schools} packs", f"{two_wall:.1f} s", ""),
        ("speed-up of -j 2 over -j 1", f"{one_wall / two_wall:.2f} x", "target >= 1.9 on 2 cores"),
        (f"no-change rebuild of {args.rebuild} schools (CLI)", f"{rebuild:.2f} s", "target < 2"),
        ("peak RSS of a worker process", f"{worker_rss:.0f} MB", "target < 500"),
        ("peak RSS of the -j 1 process", f"{self_rss:.0f} MB", ""),
    ]
    print()
    for label, value, target in rows:
        print(f"{label:<42}{value:>10}   {target}".rstrip())
    print_formats(per_format)
    with tempfile.TemporaryDirectory(prefix="policypack-bench-") as temp:
        print_bombs(Path(temp))


if __name__ == "__main__":
    main()
