"""The stages in order: load and check, lay out, render, write — for one poster or a pack."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from policypack import __version__
from policypack.atomicfile import replacing
from policypack.checks import check_flow_file, logo_path, validate_paths
from policypack.documents import render_document
from policypack.errors import InvalidInput, Problem, ToolMissing, has_errors
from policypack.flowchart import ChartStyle, check_text_measurement
from policypack.models import Flow
from policypack.pack import branding, chart_style, pack_context, slug
from policypack.pdf import BuildFailed, write_pdf
from policypack.poster import Poster, minimum_text_pt, render_poster
from policypack.project import FlowSet, bundled_flow_set, bundled_path
from policypack.resolve import FlowDoc
from policypack.school import SchoolDoc, load_school

log = logging.getLogger("policypack")

POSTER_PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


@dataclass(frozen=True)
class PosterRequest:
    size: str = "A3"
    landscape: bool | None = None
    print_marks: bool = False
    fmt: str = "pdf"
    dpi: int = 72
    profile: Path | None = None  # a school profile: its name, logo, dates and colours


def build_flowchart(flow_set: FlowSet, doc: FlowDoc, request: PosterRequest, out: Path) -> Poster:
    """Check the flow, lay it out and write one poster (PDF, SVG chart, or PNG preview)."""
    problems = check_flow_file(flow_set, doc.path) + (validate_paths([request.profile]) if request.profile else [])
    if has_errors(problems):
        raise InvalidInput(problems)
    school = load_school(request.profile)[0] if request.profile else None
    if school and school.profile.school.nation != doc.model.nation:
        nation = school.profile.school.nation
        message = f"this school is in {nation.title()}, but '{doc.model.id}' is a chart for {doc.model.nation.title()}"
        hint = f"use {nation}-{doc.model.id.split('-', 1)[1]}"
        raise InvalidInput([Problem(school.locate("school", "nation"), message, hint)])
    style = chart_style(school) if school else ChartStyle()
    check_text_measurement(style.font)
    poster = _poster(flow_set, doc.model, request.size, request.landscape, request.print_marks, style, school)
    folders = [school.folder, school.brand_dir] if school else [bundled_path("templates")]
    if request.fmt == "svg":
        _write_text(poster.chart.svg, out)
    elif request.fmt == "png":
        _write_png(poster, out, request.dpi, *folders)
    else:
        _write_poster_pdf(poster, out, *folders)
    return poster


def _write_poster_pdf(poster: Poster, out: Path, folder: Path, *extra: Path) -> None:
    """A poster PDF; `folder` is where its files (a school's logo) may come from."""
    allowed = [bundled_path("templates"), folder, *extra]
    _report(out.stem, write_pdf(poster.html, out, base_url=folder, allowed=allowed, pages=1, **POSTER_PDF_OPTIONS))


def _poster(
    flow_set: FlowSet,
    flow: Flow,
    size: str,
    landscape: bool | None,
    print_marks: bool,
    style: ChartStyle,
    school: SchoolDoc | None,
) -> Poster:
    """A poster's HTML, branded when there is a school, with a word if it is hard to read."""
    poster = render_poster(
        flow,
        flow_set.source_map(),
        flow_set.flow_titles(),
        size=size,
        landscape=landscape,
        print_marks=print_marks,
        style=style,
        branding=branding(school) if school else None,
    )
    _report_legibility(poster, can_turn=landscape is False)
    return poster


def _report_legibility(poster: Poster, can_turn: bool) -> None:
    sheet, chart = poster.sheet, poster.chart
    orientation = "landscape" if sheet.landscape else "portrait"
    log.info("%s %s: chart scaled %.2f; smallest text %.1f pt", sheet.size, orientation, chart.scale, chart.smallest_pt)
    if not poster.legible:
        log.warning(
            "the smallest text prints at %.1f pt; an %s poster needs %.1f pt to be read from its distance "
            "(try a larger size%s)",
            chart.smallest_pt,
            sheet.size,
            minimum_text_pt(sheet.size),
            " or --landscape" if can_turn else "",
        )


def _write_text(text: str, out: Path) -> None:
    with replacing(out) as temp:
        temp.write_text(text, encoding="utf-8")


def _write_png(poster: Poster, out: Path, dpi: int, *folders: Path) -> None:
    """A preview: the PDF poster rasterised by poppler's pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise ToolMissing("PNG previews need 'pdftoppm': apt-get install poppler-utils (macOS: brew install poppler)")
    with tempfile.TemporaryDirectory(prefix="policypack-preview-") as work:
        pdf = Path(work) / "poster.pdf"
        _write_poster_pdf(poster, pdf, *folders)
        stem = Path(work) / "page"
        done = subprocess.run(
            [pdftoppm, "-png", "-r", str(dpi), "-singlefile", str(pdf), str(stem)],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise BuildFailed(f"pdftoppm failed: {done.stderr.decode(errors='replace').strip()}")
        with replacing(out) as temp:
            temp.write_bytes(stem.with_suffix(".png").read_bytes())


# --- A school's pack ---------------------------------------------------------------------


@dataclass(frozen=True)
class PackDocument:
    template: str
    pages: int | None  # the page count the document must have, when it is fixed
    options: dict[str, Any]  # for WeasyPrint


PACK_DOCUMENTS: dict[str, PackDocument] = {
    "policy": PackDocument("policy.html.j2", None, {"pdf_variant": "pdf/ua-1"}),
    "staff-card": PackDocument("staff-card.html.j2", 1, {"pdf_variant": "pdf/ua-1"}),
    "incident-form": PackDocument("incident-form.html.j2", 2, {"pdf_forms": True, "pdf_variant": "pdf/ua-1"}),
    "parent-leaflet": PackDocument("parent-leaflet.html.j2", 2, {"pdf_variant": "pdf/ua-1"}),
}


@dataclass(frozen=True)
class PackResult:
    school: str
    folder: Path
    files: list[str]


def build_pack(profile_path: Path, output_root: Path) -> PackResult:
    """Validate a profile, render its whole pack, and only then put it in place."""
    problems = validate_paths([profile_path])
    if has_errors(problems):
        raise InvalidInput(problems)
    school, _ = load_school(profile_path)
    assert school is not None
    check_text_measurement(chart_style(school).font)
    flow_set = bundled_flow_set()
    context = pack_context(school, flow_set)
    folder = output_root / slug(school.profile.school.name)
    overrides = [(school.folder / school.profile.templates).resolve()] if school.profile.templates else []
    allowed = [bundled_path("templates"), school.folder, school.brand_dir]
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=f".{folder.name}.") as staging:
        stage = Path(staging)
        for name in school.profile.outputs.documents:
            if name == "posters":
                _stage_posters(school, flow_set, context["style"], stage)
                continue
            document = PACK_DOCUMENTS[name]
            html = render_document(document.template, context, overrides)
            out = stage / f"{name}.pdf"
            warnings = write_pdf(
                html, out, base_url=school.folder, allowed=allowed, pages=document.pages, **document.options
            )
            _report(name, warnings)
        write_manifest(stage, school, flow_set)
        files = sorted(p.name for p in stage.iterdir())
        stale = _previously_built(folder) - set(files)
        folder.mkdir(exist_ok=True)
        for file_name in files:
            (stage / file_name).replace(folder / file_name)
    for file_name in sorted(stale):  # documents the profile no longer asks for
        (folder / file_name).unlink(missing_ok=True)
    return PackResult(school.profile.school.name, folder, files)


def _previously_built(folder: Path) -> set[str]:
    """The files the last build listed in its manifest: the only ones a build may remove."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        names = {str(entry["name"]) for entry in manifest.get("files", [])}
    except (OSError, ValueError, TypeError, KeyError):
        return set()
    return {name for name in names if Path(name).name == name and name != "manifest.json"}


def _stage_posters(school: SchoolDoc, flow_set: FlowSet, style: ChartStyle, stage: Path) -> None:
    nation = school.profile.school.nation
    for spec in school.profile.outputs.posters:
        doc = flow_set.find(f"{nation}-{spec.chart}")
        assert doc is not None  # checked by check_school
        poster = _poster(
            flow_set, doc.model, spec.size, spec.landscape, school.profile.outputs.print_marks, style, school
        )
        out = stage / f"poster-{spec.chart}-{spec.size.lower()}.pdf"
        _write_poster_pdf(poster, out, school.folder, school.brand_dir)


def _report(name: str, warnings: list[str]) -> None:
    for warning in warnings:
        log.warning("%s: WeasyPrint: %s", name, warning)


def write_manifest(stage: Path, school: SchoolDoc, flow_set: FlowSet) -> None:
    """Every file with its SHA-256, the flows and editions used, and the tools that made them."""
    nation = school.profile.school.nation
    flows = [d.model for d in flow_set.flows if d.model.nation == nation]
    manifest = {
        "school": school.profile.school.name,
        "inputs": inputs_digest(school),
        "nation": nation,
        "policy": {
            "adopted": school.profile.policy.adopted.isoformat(),
            "next_review": school.profile.policy.next_review.isoformat(),
        },
        "flows": [{"id": f.id, "edition": f.edition, "reviewed": f.reviewed.isoformat()} for f in flows],
        "tools": tool_versions(),
        "files": [
            {"name": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "bytes": p.stat().st_size}
            for p in sorted(stage.iterdir())
        ],
    }
    (stage / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


@functools.cache
def tool_versions() -> dict[str, str]:
    """The versions that shape the output (read without importing WeasyPrint)."""
    dot = shutil.which("dot")
    done = subprocess.run([dot, "-V"], capture_output=True, text=True, timeout=10, check=False) if dot else None
    return {
        "policypack": __version__,
        "weasyprint": metadata.version("weasyprint"),
        "graphviz": done.stderr.strip().removeprefix("dot - graphviz version ") if done else "missing",
        "python": platform.python_version(),
    }


def inputs_digest(school: SchoolDoc) -> str:
    """A SHA-256 of everything a pack is made from: when it is unchanged, so is the pack.

    The profile and the shared profile it extends, the brand file and logo, the school's
    own templates, the bundled flows and templates, and the tools' versions.
    """
    digest = hashlib.sha256(json.dumps(tool_versions(), sort_keys=True).encode())
    digest.update(_bundled_digest().encode())
    files = {school.path, *school.positions.files.values()}
    if isinstance(school.profile.brand, str):
        files.add((school.path.parent / school.profile.brand).resolve())
    found = logo_path(school)
    if found:
        files.add(found[0])
    if school.profile.templates:
        files.update(_files_under((school.folder / school.profile.templates).resolve()))
    for path in sorted(files):
        digest.update(str(path).encode() + b"\0" + (path.read_bytes() if path.is_file() else b"missing"))
    return digest.hexdigest()


@functools.cache
def _bundled_digest() -> str:
    digest = hashlib.sha256()
    for folder in ("flows", "templates"):
        root = bundled_path(folder)
        for path in _files_under(root):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
