"""The pipeline, read top to bottom: load → check → pre-flight → lay out → render → write.

`load_checked_pack` loads and checks a profile (the batch runs it for every school before
any build starts); `make_pack` lays the checked pack out, renders and writes it, one call
per stage. Each stage is a sub-package that imports only the stages before it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from policypack.check.flows import check_flow_file
from policypack.check.pack import check_pack
from policypack.errors import InvalidInput, PolicypackError, Problem, Severity, has_errors
from policypack.layout.fonts import preflight
from policypack.layout.pack import PosterLayout, lay_out_pack, poster_layout
from policypack.layout.sheet import PAPER_MM, READING_DISTANCE_M, FittedChart, Sheet, legible, minimum_text_pt
from policypack.load.flows import YAML_SUFFIXES, FlowSet, bundled_flow_set, find_flow
from policypack.load.pack import CheckedPack, load_pack
from policypack.load.strings import bundled_strings
from policypack.model.flow import Flow, chart_name, flow_id
from policypack.model.profile import PosterSpec, Profile
from policypack.model.strings import Strings
from policypack.model.theme import Theme
from policypack.render.pack import poster_branding, poster_chart_svg, render_pack, render_pack_poster
from policypack.render.templating import template_environment
from policypack.resources import bundled_path
from policypack.write.atomic import replacing
from policypack.write.pack import PackResult, write_pack
from policypack.write.pdf import pdf_options, write_pdf
from policypack.write.preview import write_png

log = logging.getLogger("policypack")


def make_pack(checked: CheckedPack, output_root: Path) -> PackResult:
    """Lay out, render and write a pack that was loaded, checked and pre-flighted (a batch does all first)."""
    layout = lay_out_pack(checked)
    _refuse_illegible(checked, layout.posters)
    environment = template_environment(
        checked.school.templates, checked.school.template_sources, checked.inputs.strings
    )
    documents = render_pack(checked, layout, environment)
    for poster in layout.posters:
        _report_legibility(poster.name, poster.sheet, poster.chart)
    return write_pack(checked, documents, output_root)


def _refuse_illegible(checked: CheckedPack, posters: list[PosterLayout]) -> None:
    """A poster whose chart would print under the legibility rule is not printed: each one is
    an error at its line of the profile, naming the sizes that would read (nothing is built)."""
    problems = []
    profile = checked.school.model
    for (spec, flow), poster in zip(checked.posters, posters, strict=True):
        if legible(poster.sheet, poster.chart):
            continue
        fits = _legible_sizes(flow, checked.theme, checked.flows.flow_titles(), spec, profile, checked.inputs.strings)
        asked = next(i for i, given in enumerate(profile.outputs.posters) if given is spec)
        problems.append(Problem(checked.school.locate("outputs", "posters", asked, "size"), *_too_small(poster, fits)))
    if problems:
        raise InvalidInput(problems)


def _legible_sizes(
    flow: Flow, theme: Theme, titles: dict[str, str], spec: PosterSpec, profile: Profile | None, words: Strings
) -> list[str]:
    """The other paper sizes on which this poster would meet the legibility rule."""
    marks = profile.outputs.print_marks if profile else False
    fits = []
    for size in PAPER_MM:
        if size != spec.size:
            other = poster_layout(
                flow, theme, titles, spec.model_copy(update={"size": size}), marks, profile, words.chart
            )
            fits += [size] if legible(other.sheet, other.chart) else []
    return fits


def _too_small(poster: PosterLayout, fits: list[str]) -> tuple[str, str]:
    """What is wrong with an illegible poster, and the sizes that would print it legibly."""
    sheet, smallest = poster.sheet, poster.chart.smallest_pt
    tell = "with who to tell at the top, " if sheet.tell_lines else ""
    message = (
        f"the chart '{poster.flow.title}' is too tall for an {sheet.size} poster: {tell}its "
        f"smallest text would print at {smallest:.1f} pt, and a poster read from "
        f"{READING_DISTANCE_M[sheet.size]:g} m needs {minimum_text_pt(sheet.size):.1f} pt"
    )
    if fits:
        return message, f"size: {' or '.join(fits)} {'prints' if len(fits) == 1 else 'print'} it legibly"
    return message, "no paper size prints this chart legibly; leave this poster out and use the policy's chart"


def load_checked_pack(profile: Path, today: dt.date, flows: FlowSet | None = None) -> CheckedPack:
    """Load and check a profile: InvalidInput with every problem, or the checked pack."""
    inputs, problems = load_pack(profile, flows)
    checked = None
    if inputs is not None:
        checked, found = check_pack(inputs, today)
        problems += found
    if checked is None or has_errors(problems):
        raise InvalidInput(problems)
    for problem in problems:  # warnings (a brand colour too light for text), notes (brand fields unused)
        log.log(logging.INFO if problem.severity is Severity.NOTE else logging.WARNING, "%s", problem.format())
    return checked


def school_flow_set(profile: Path) -> FlowSet:
    """The flows one school's pack prints: its nation's, for its phase, with its trust's checks."""
    pack, problems = load_pack(profile)
    if pack is None or has_errors(problems):
        raise InvalidInput(problems)
    nation = pack.school.model.school.nation
    return replace(pack.flows, flows=[doc for doc in pack.flows.flows if doc.model.nation == nation])


@dataclass(frozen=True)
class PosterRequest:
    size: str = "A3"
    landscape: bool | None = None
    print_marks: bool = False
    fmt: str = "pdf"
    dpi: int = 72
    profile: Path | None = None  # a school profile: its name, logo, dates and colours


def build_flowchart(flow: str, request: PosterRequest, out: Path | None, today: dt.date) -> tuple[PosterLayout, Path]:
    """One poster (PDF, SVG chart, or PNG preview) through the pack's own steps: load and check
    (the profile, when given, and the flow), pre-flight, lay out, render, write. Returns the
    poster's layout and where it was written (by default output/<flow id>-<size>.<format>)."""
    checked = load_checked_pack(request.profile, today) if request.profile else None
    nation = checked.school.model.school.nation if checked else None
    named = nation is None or Path(flow).suffix in YAML_SUFFIXES or bundled_flow_set().find(flow)
    flow_set, doc = find_flow(flow if named else flow_id(str(nation), flow))  # 'dsl-review' is the school's nation's
    problems = check_flow_file(flow_set, doc.path, today)
    if has_errors(problems):
        raise InvalidInput(problems)
    if checked:
        _check_nation(checked, doc.model)
        printed = None if Path(flow).suffix in YAML_SUFFIXES else checked.flows.find(doc.model.id)
        if printed is not None:  # a bundled chart as the school's pack prints it: its phase's steps and words
            flow_set, doc = checked.flows, printed
    preflight(checked)
    theme = checked.theme if checked else Theme()
    words = checked.inputs.strings if checked else bundled_strings()
    spec = PosterSpec(chart=chart_name(doc.model.id), size=request.size, landscape=request.landscape)  # type: ignore[arg-type]
    profile = checked.school.model if checked else None
    poster = poster_layout(doc.model, theme, flow_set.flow_titles(), spec, request.print_marks, profile, words.chart)
    _report_legibility(doc.model.id, poster.sheet, poster.chart)
    if not legible(poster.sheet, poster.chart):
        fits = _legible_sizes(doc.model, theme, flow_set.flow_titles(), spec, profile, words)
        message, hint = _too_small(poster, fits)
        raise PolicypackError(f"--size {request.size}: {message}; {hint.replace('size: ', '--size ')}")
    out = out or Path("output") / f"{doc.model.id}-{request.size.lower()}.{request.fmt}"
    if request.fmt == "svg":
        with replacing(out) as temp:
            temp.write_text(poster_chart_svg(poster, flow_set, words), encoding="utf-8")
        return poster, out
    templates, sources = (checked.school.templates, checked.school.template_sources) if checked else (None, None)
    environment = template_environment(templates, sources, words)
    rendered = render_pack_poster(
        environment, poster, theme, flow_set, poster_branding(checked) if checked else None, words
    )
    folder = checked.inputs.base if checked else bundled_path("templates")
    allowed = checked.inputs.allowed if checked else (folder,)
    if request.fmt == "png":
        write_png(lambda pdf: _write_poster_pdf(rendered.html, pdf, folder, allowed), out, request.dpi)
    else:
        _write_poster_pdf(rendered.html, out, folder, allowed)
    return poster, out


def _check_nation(pack: CheckedPack, flow: Flow) -> None:
    nation = pack.school.model.school.nation
    if nation != flow.nation:
        message = f"this school is in {nation.title()}, but '{flow.id}' is a chart for {flow.nation.title()}"
        hint = f"use {flow_id(nation, chart_name(flow.id))}"
        raise InvalidInput([Problem(pack.school.locate("school", "nation"), message, hint)])


def _write_poster_pdf(html: str, out: Path, folder: Path, allowed: tuple[Path, ...]) -> None:
    warnings = write_pdf(html, out, base_url=folder, allowed=allowed, pages=1, **pdf_options())
    for warning in warnings:
        log.warning("%s: WeasyPrint: %s", out.stem, warning)


def _report_legibility(name: str, sheet: Sheet, chart: FittedChart) -> None:
    orientation = "landscape" if sheet.landscape else "portrait"
    log.info(
        "%s: %s %s: chart scaled %.2f; smallest text %.1f pt; who to tell %.1f pt",
        name,
        sheet.size,
        orientation,
        chart.scale,
        chart.smallest_pt,
        sheet.tell_pt,
    )
