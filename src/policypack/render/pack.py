"""Render stage for a school's pack: one context, computed once, rendered by every document.

Templates hold all the wording; this module only gathers data: the school, its nation's
flows in route order with their numbers, the sources they cite, and the charts as the
layout stage placed them. Every document renders in the school's one sandboxed environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, get_args

import jinja2

from policypack import __version__
from policypack.errors import InvalidInput, Location, Problem
from policypack.layout.pack import ChartPage, PackLayout, PosterLayout
from policypack.load.flows import FlowSet
from policypack.load.pack import CheckedPack
from policypack.model.flow import Flow, Phase, Source, Step, chart_name
from policypack.model.phases import applies
from policypack.model.profile import Format
from policypack.model.route import number_steps, steps_in_order
from policypack.model.strings import Strings
from policypack.model.theme import Theme
from policypack.render.document import Structured
from policypack.render.outline import route_parts, route_summary, step_citations, step_lines
from policypack.render.poster import chart_text, describe_chart, render_poster
from policypack.render.proof import contact_entries
from policypack.render.references import references
from policypack.render.sections import SectionOutline, criteria
from policypack.render.structure import structure_of
from policypack.render.templating import render_document
from policypack.render.web import WEB_DOCUMENTS, web_context, web_name


@dataclass(frozen=True)
class DocumentSpec:
    template: str
    pages: int | None  # the page count the document must have, when it is fixed
    fillable: bool = False  # it has form fields to fill in


PACK_DOCUMENTS: dict[str, DocumentSpec] = {
    "policy": DocumentSpec("policy.html.j2", None),
    "staff-card": DocumentSpec("staff-card.html.j2", 1),
    "incident-form": DocumentSpec("incident-form.html.j2", 3, fillable=True),
    "parent-leaflet": DocumentSpec("parent-leaflet.html.j2", 2),
}
# Every name and number the pack prints, and where: one page to check before printing.
PROOF_DOCUMENT = DocumentSpec("contacts-proof.html.j2", None)
POSTER_DOCUMENT = DocumentSpec("poster.html.j2", 1)
# The documents with an editable Word copy (the incident form's has a table to type into).
WORD_DOCUMENTS = ("policy", "staff-card", "incident-form", "parent-leaflet")


@dataclass(frozen=True)
class Rendered:
    """One document as HTML, ready for the writer of its format."""

    name: str  # the file's stem
    html: str
    spec: DocumentSpec
    fmt: Format = "pdf"  # pdf is printed from the HTML; html is a web page of its own
    structure: Structured | None = None  # docx is built from the document's structure


@dataclass(frozen=True)
class ChartSection:
    key: str
    flow: Flow
    numbers: dict[str, int]
    steps: list[Step]
    pages: list[ChartPage]
    outline: list[str]
    routes: dict[str, str] = field(default_factory=dict)
    route_parts: dict[str, list[str]] = field(default_factory=dict)  # each way on, to keep on one line

    @property
    def beside(self) -> bool:
        """True when every page has its own steps in words beside the chart."""
        return all(page.beside for page in self.pages)


def render_pack(checked: CheckedPack, layout: PackLayout, environment: jinja2.Environment) -> list[Rendered]:
    """Every document the profile asks for, in the profile's order and in each format it asks for."""
    context = pack_context(checked, layout)
    formats = checked.school.model.outputs.formats
    rendered = []
    for name in checked.school.model.outputs.documents:
        if name == "posters":
            school = poster_branding(checked)
            rendered += [
                render_pack_poster(environment, poster, checked.theme, checked.flows, school, checked.inputs.strings)
                for poster in layout.posters
            ]
            continue
        spec = PACK_DOCUMENTS[name]
        html = render_document(environment, spec.template, context)
        rendered += [Rendered(name, html, spec)] if "pdf" in formats else []
        if "docx" in formats and name in WORD_DOCUMENTS:
            structure = _structure(html, spec, context["sections"])
            rendered.append(Rendered(name, html, spec, "docx", structure))
        if "html" in formats and name in WEB_DOCUMENTS:
            published = checked.approval.approved_text and not checked.pending  # else a preview, named so
            page = render_document(environment, WEB_DOCUMENTS[name], web_context(context, published))
            rendered.append(Rendered(web_name(name, published), page, spec, "html"))
    if "pdf" in formats:
        rendered.append(_render_proof(checked, context, rendered, environment))
    return rendered


def _structure(html: str, spec: DocumentSpec, sections: list[ChartSection]) -> Structured:
    """The document's structure for Word; a template's `data-word` that names no laid-out chart is its error."""
    try:
        return structure_of(html, _chart_pages(sections))
    except ValueError as exc:
        raise InvalidInput([Problem(Location(Path(spec.template)), f"template error: {exc}")]) from None


def _chart_pages(sections: list[ChartSection]) -> Callable[[str, int], ChartPage | None]:
    """The layout's page for a chart's part, as the policy shows it (with its text alternative)."""
    pages = {(section.key, page.part): page for section in sections for page in section.pages}
    return lambda key, part: pages.get((key, part))


def _render_proof(
    checked: CheckedPack, context: dict[str, Any], rendered: list[Rendered], environment: jinja2.Environment
) -> Rendered:
    printed = [(document.name, document.html) for document in rendered if document.fmt == "pdf"]
    entries = contact_entries(checked.school.model, printed)
    poster_count = sum(document.spec is POSTER_DOCUMENT for document in rendered)
    proof = {**context, "entries": entries, "poster_count": poster_count}
    return Rendered("contacts-proof", render_document(environment, PROOF_DOCUMENT.template, proof), PROOF_DOCUMENT)


def render_pack_poster(
    environment: jinja2.Environment,
    poster: PosterLayout,
    theme: Theme,
    flows: FlowSet,
    school: dict[str, Any] | None,
    words: Strings,
) -> Rendered:
    """A laid-out poster as HTML; `school` (`branding`) fills its title block, None leaves it plain.
    The pack's posters and `policypack flowchart` both come through here."""
    sources, titles = flows.source_map(), flows.flow_titles()
    laid_out = (poster.sheet, poster.chart)
    html = render_poster(environment, poster.flow, sources, titles, laid_out, theme, school, words).html
    return Rendered(poster.name, html, POSTER_DOCUMENT)


def poster_chart_svg(poster: PosterLayout, flows: FlowSet, words: Strings) -> str:
    """A poster's chart alone, as SVG, with its text alternative (`flowchart --format svg`)."""
    alt = chart_text(poster.flow, flows.source_map(), flows.flow_titles(), words)
    return describe_chart(poster.chart, *alt).svg


def pack_context(checked: CheckedPack, layout: PackLayout) -> dict[str, Any]:
    """Everything the pack's templates use; only data, no wording."""
    profile = checked.school.model
    sources = checked.flows.source_map()
    titles = checked.flows.flow_titles()
    words = checked.inputs.strings
    sections = [
        _chart_section(key, flow, pages, sources, titles, words) for key, (flow, pages) in layout.charts.items()
    ]
    pending = {(chart_name(flow_id), step_id) for flow_id, step_id in checked.pending}
    rules = {(section.key, rule.id): rule for section in sections for rule in section.flow.rules}
    return {
        **branding(checked),
        **phase_flags(profile.school.phase),
        "pending_count": len(checked.pending),
        "is_pending": lambda chart, step_id: (chart, step_id) in pending,
        "people": profile.people,
        "contacts": profile.contacts,
        "style": checked.theme,
        "charts": {section.key: section for section in sections},
        "sections": sections,
        "chart_page_styles": sorted({(page.name, page.size, page.landscape) for s in sections for page in s.pages}),
        "terms": {key: value for section in sections for key, value in section.flow.terms.items()},
        "references": references(sections, sources),
        "editions": sorted({section.flow.edition for section in sections}),
        "version": __version__,
        "created": profile.policy.adopted.isoformat(),
        "cite": lambda step: step_citations(step, sources),
        "number_sections": lambda chapters: SectionOutline(chapters, [(s.key, s.flow) for s in sections], words),
        "language": words.language,
        "approval": checked.approval,
        "criteria": criteria([(s.key, s.flow, s.numbers) for s in sections]),
        "rule": lambda chart, rule_id: rules.get((chart, rule_id)),
        "in_phase": lambda *phases: in_phase(phases, profile.school.phase),
        "overdue": checked.overdue,
        "checks_history": checks_history(sections),
    }


PRIMARY_PHASES = {"nursery", "primary"}
OLDER_PHASES = {"secondary", "all-through", "college", "sixth-form", "alternative-provision", "special"}
AGE_18_PHASES = {"secondary", "all-through", "college", "sixth-form", "alternative-provision", "special"}


def checks_history(sections: list[ChartSection]) -> list[dict[str, Any]]:
    """One line of the review history per checker and date: how many parts they checked."""
    parts: dict[tuple[Any, str, str], set[tuple[str, str]]] = {}
    for section in sections:
        cited = [(step.id, step.cites) for step in section.steps] + [(r.id, r.cites) for r in section.flow.rules]
        for part, cites in cited:
            for c in cites:
                if c.checked:
                    key = (c.checked.checked_on, c.checked.by.role, c.checked.by.name)
                    parts.setdefault(key, set()).add((section.key, part))
    return [{"date": d, "by": f"{name}, {role}", "parts": len(p)} for (d, role, name), p in sorted(parts.items())]


def in_phase(phases: tuple[str, ...], phase: str) -> bool:
    """For a template sentence limited to phases: `{% if in_phase('secondary', 'college') %}`."""
    unknown = [name for name in phases if name not in get_args(Phase)]
    if unknown:
        raise ValueError(f"in_phase: unknown phase {unknown[0]!r}; phases: {', '.join(get_args(Phase))}")
    return applies(phases, phase)


def phase_flags(phase: str) -> dict[str, bool]:
    """What the school's phase changes in the documents (the wording stays in templates)."""
    return {
        "primary_phase": phase in PRIMARY_PHASES or phase == "all-through",
        "older_phase": phase in OLDER_PHASES,
        "pupils_over_18": phase in AGE_18_PHASES,
        "special_phase": phase == "special",
        "plain_leaflet": phase in PRIMARY_PHASES,
    }


def poster_branding(checked: CheckedPack) -> dict[str, Any]:
    """What puts a school on its posters: `branding`, and whether the pack is a draft (a draft's posters say so)."""
    return {**branding(checked), "draft_parts": len(checked.pending)}


def branding(checked: CheckedPack) -> dict[str, Any]:
    """What puts a school on a document: its details, its logo, its policy's dates, its people."""
    profile, logo = checked.school.model, checked.theme.logo
    brand = checked.school.brand.model if checked.school.brand else None
    name = brand.meta.name if brand and brand.meta else None
    return {
        "school": profile.school,
        # the brand's short name, for a running header (the full name where it gives none)
        "short_name": getattr(name, "short", None) or profile.school.name,
        "people": profile.people,
        "contacts": profile.contacts,
        "policy": profile.policy,
        "logo": {"path": logo.uri, "alt": logo.alt} if logo else None,
    }


def _chart_section(
    key: str, flow: Flow, pages: list[ChartPage], sources: dict[str, Source], titles: dict[str, str], words: Strings
) -> ChartSection:
    numbers = number_steps(flow)
    alt, brief = chart_text(flow, sources, titles, words)
    lines = step_lines(flow, titles, words.outline)
    described = [_described(flow, page, (alt, brief), lines, words) for page in pages]
    routes = {step.id: route_summary(step, numbers, titles, words.outline) for step in flow.steps}
    parts = {step.id: route_parts(step, numbers, titles, words.outline) for step in flow.steps}
    return ChartSection(key, flow, numbers, steps_in_order(flow), described, lines, routes, parts)


def _described(flow: Flow, page: ChartPage, whole: tuple[str, str], lines: list[str], words: Strings) -> ChartPage:
    """A page's chart with its alternative text: the part's own steps when the chart is split."""
    alt, brief = whole
    if page.parts > 1:
        shown = [lines[n - 1] for n in page.numbers]
        first, last = page.numbers[0], page.numbers[-1]
        alt = words.alt.chart_part.format(
            title=flow.title, part=page.part, parts=page.parts, first=first, last=last, steps=" ".join(shown)
        )
        brief = "\n".join(shown)
    return replace(page, chart=describe_chart(page.chart, alt, brief))
