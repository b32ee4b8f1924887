"""Check stage: what must hold for a flow to be printed, each failure at its line.

Schema errors (wrong types, unknown keys) are found while loading; this module checks
meaning: ids, references, the shape of the route, citations and poster-sized titles.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from policypack.errors import Location, Problem, Severity, sorted_problems, suggest
from policypack.models import Step
from policypack.project import (
    SOURCES_FILE,
    FlowSet,
    SourcesDoc,
    bundled_flow_set,
    flow_set_for,
    load_flow_set,
    registry_root,
)
from policypack.resolve import FlowDoc
from policypack.route import loops_without_exit, reachable
from policypack.school import SchoolDoc, existing_file, existing_folder, load_school, profile_kind

TITLE_MAX_CHARS = 80
TITLE_MAX_WORDS = 12
MAX_STEPS = 120


def check_flow_set(flow_set: FlowSet) -> list[Problem]:
    """Every problem in a flow set, loading problems included, sorted by file and line."""
    problems = list(flow_set.problems)
    source_ids: set[str] | None = None
    if flow_set.sources:
        problems += check_registry(flow_set.sources)
        source_ids = {source.id for source in flow_set.sources.model.sources}
    problems += _duplicate_flow_ids(flow_set.flows)
    flow_ids = {doc.model.id for doc in flow_set.flows}
    for doc in flow_set.flows:
        problems += check_flow(doc, source_ids, flow_ids)
    return sorted_problems(problems)


def validate_paths(paths: Iterable[Path]) -> list[Problem]:
    """Check flows and school profiles: a folder as a whole, a file within its flow set."""
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            problems.append(Problem(Location(path), "no such file or folder"))
            continue
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        kinds = {p: profile_kind(p) for p in files if p.name != SOURCES_FILE}
        profiles = [p for p, kind in kinds.items() if kind]  # shared ones are checked via their schools
        problems += [problem for p in profiles if kinds[p] == "school" for problem in validate_school(p)]
        if path.is_file() and not profiles:
            problems += check_flow_file(flow_set_for(path), path)
        elif path.is_dir() and len(profiles) < len(files):
            problems += _check_folder(path.resolve(), {p.resolve() for p in profiles})
    return sorted_problems(problems)


def check_flow_file(flow_set: FlowSet, path: Path) -> list[Problem]:
    """The problems of one flow file (and of its registry) within an already loaded set."""
    wanted = {path.resolve(), flow_set.root / SOURCES_FILE}
    return [p for p in check_flow_set(flow_set) if p.location.file in wanted]


def _check_folder(folder: Path, profiles: set[Path]) -> list[Problem]:
    root = folder if (folder / SOURCES_FILE).is_file() else (registry_root(folder) or folder)
    found = check_flow_set(load_flow_set(root, exclude=profiles))
    return [p for p in found if p.location.file.is_relative_to(folder) or root == folder]


def validate_school(path: Path) -> list[Problem]:
    """A profile's problems, checked against the bundled flows."""
    doc, problems = load_school(path)
    if doc is not None:
        flows = bundled_flow_set()
        problems += check_school(doc, {d.model.id for d in flows.flows})
    return problems


def check_registry(doc: SourcesDoc) -> list[Problem]:
    ids = [source.id for source in doc.model.sources]
    problems = list(_duplicates(ids, lambda i: doc.locate("sources", i, "id"), "source id"))
    now = today()
    for index, source in enumerate(doc.model.sources):
        if source.check_by < now:
            problems.append(
                Problem(
                    doc.locate("sources", index, "check_by"),
                    f"source '{source.id}' was due to be checked against the flows by {source.check_by}",
                    "re-read it, update the flows and the edition if it changed, then set a new check_by",
                    Severity.WARNING,
                )
            )
    return problems


def today() -> dt.date:
    """Today, or POLICYPACK_TODAY (YYYY-MM-DD) so that checks of dates are reproducible."""
    fixed = os.environ.get("POLICYPACK_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


def check_flow(doc: FlowDoc, source_ids: set[str] | None, flow_ids: set[str]) -> list[Problem]:
    """Problems in one flow. `source_ids` is None when the registry failed to load."""
    flow = doc.model
    problems: list[Problem] = []
    if len(flow.steps) > MAX_STEPS:
        problems.append(Problem(doc.locate("steps"), f"flow has {len(flow.steps)} steps; the limit is {MAX_STEPS}"))
        return problems
    ids = [step.id for step in flow.steps]
    problems += _duplicates(ids, lambda i: doc.locate("steps", i, "id"), "step id")
    problems += _start_problems(doc)
    for index, step in enumerate(flow.steps):
        problems += _step_problems(doc, index, step, set(ids), source_ids, flow_ids)
    problems += _route_problems(doc)
    if flow.changelog and flow.changelog[0].edition != flow.edition:
        problems.append(
            Problem(
                doc.locate("changelog", 0, "edition"),
                f"the newest changelog entry is for '{flow.changelog[0].edition}', not this edition '{flow.edition}'",
                "add an entry for this edition at the top of the changelog",
            )
        )
    return problems


Locator = Callable[..., Location]


def _duplicates(ids: list[str], locate: Locator, what: str) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, item in enumerate(ids):
        if item in first:
            line = locate(first[item]).line
            yield Problem(locate(index), f"duplicate {what} '{item}' (first defined at line {line})")
        else:
            first[item] = index


def _duplicate_flow_ids(flows: list[FlowDoc]) -> Iterator[Problem]:
    counts = Counter(doc.model.id for doc in flows)
    for doc in flows:
        if counts[doc.model.id] > 1:
            others = sorted(str(d.path.name) for d in flows if d.model.id == doc.model.id and d is not doc)
            yield Problem(doc.locate("id"), f"flow id '{doc.model.id}' is also used by {', '.join(others)}")


def _start_problems(doc: FlowDoc) -> Iterator[Problem]:
    starts = [index for index, step in enumerate(doc.model.steps) if step.kind == "start"]
    if not starts:
        yield Problem(doc.locate("steps"), "flow has no start step", "give exactly one step 'kind: start'")
    for index in starts[1:]:
        first = doc.model.steps[starts[0]].id
        yield Problem(doc.locate("steps", index, "kind"), f"a second start step; '{first}' is already the start")


def _step_problems(
    doc: FlowDoc, index: int, step: Step, step_ids: set[str], source_ids: set[str] | None, flow_ids: set[str]
) -> Iterator[Problem]:
    def at(*keys: str | int) -> Location:
        return doc.locate("steps", index, *keys)

    lanes = doc.model.lanes
    if step.lane not in lanes:
        yield Problem(at("lane"), f"unknown lane '{step.lane}'", suggest(step.lane, lanes) or _choices(lanes))
    yield from _shape_problems(at, step, doc.model.id, flow_ids)
    if step.next and step.next not in step_ids:
        yield Problem(at("next"), f"'next' points to unknown step '{step.next}'", suggest(step.next, step_ids))
    for b, branch in enumerate(step.branches):
        if branch.to not in step_ids:
            hint = suggest(branch.to, step_ids)
            yield Problem(at("branches", b, "to"), f"branch '{branch.label}' goes to unknown step '{branch.to}'", hint)
    if not step.cites:
        yield Problem(at("id"), f"step '{step.id}' cites no source", "every step needs at least one entry in 'cites'")
    for c, citation in enumerate(step.cites):
        if source_ids is not None and citation.source not in source_ids:
            hint = suggest(citation.source, source_ids)
            yield Problem(at("cites", c), f"unknown source '{citation.source}'", hint)
    words = len(step.title.split())
    if len(step.title) > TITLE_MAX_CHARS or words > TITLE_MAX_WORDS:
        yield Problem(
            at("title"),
            f"title is too long for a poster ({words} words, {len(step.title)} characters)",
            f"keep titles to {TITLE_MAX_WORDS} words and {TITLE_MAX_CHARS} characters; the detail goes in 'text'",
        )


def _shape_problems(at: Locator, step: Step, flow_id: str, flow_ids: set[str]) -> Iterator[Problem]:
    """What each kind of step must and must not have."""
    if step.kind in ("start", "action"):
        if step.branches:
            yield Problem(at("branches"), f"a {step.kind} step cannot have branches", "make it 'kind: decision'")
        if not step.next:
            article = "an" if step.kind == "action" else "a"
            yield Problem(at("id"), f"step '{step.id}' is a dead end: {article} {step.kind} step needs 'next'")
    elif step.kind == "decision":
        if step.next:
            yield Problem(at("next"), "a decision cannot have 'next'; give each answer a branch")
        if len(step.branches) < 2:
            yield Problem(at("branches"), f"decision '{step.id}' needs at least two branches, has {len(step.branches)}")
        first_index: dict[str, int] = {}
        for b, branch in enumerate(step.branches):
            first = first_index.setdefault(branch.label.casefold(), b)
            if first != b:
                label = step.branches[first].label
                yield Problem(at("branches", b, "label"), f"branch label '{branch.label}' repeats '{label}'")
    elif step.next or step.branches:
        yield Problem(
            at("next" if step.next else "branches"), "an end step leads nowhere; remove 'next' and 'branches'"
        )
    if step.continues is not None:
        if step.kind != "end":
            yield Problem(at("continues"), "only an end step can continue in another flow")
        elif step.continues == flow_id or step.continues not in flow_ids:
            yield Problem(
                at("continues"), f"'continues' names unknown flow '{step.continues}'", suggest(step.continues, flow_ids)
            )


def _route_problems(doc: FlowDoc) -> Iterator[Problem]:
    flow = doc.model
    starts = [step for step in flow.steps if step.kind == "start"]
    if len(starts) != 1:
        return
    index_of = {step.id: index for index, step in enumerate(flow.steps)}
    reached = reachable(flow, starts[0].id)
    for step in flow.steps:
        if step.id not in reached:
            yield Problem(
                doc.locate("steps", index_of[step.id], "id"), f"step '{step.id}' cannot be reached from the start"
            )
    for loop in loops_without_exit(flow):
        if loop[0] in reached:
            route = " → ".join([*loop, loop[0]])
            yield Problem(
                doc.locate("steps", index_of[loop[0]], "id"),
                f"steps loop with no way out: {route}",
                "give one of them a branch that leads towards an end step",
            )


def _choices(names: Iterable[str]) -> str:
    return "lanes defined: " + ", ".join(names)


# --- School profiles -------------------------------------------------------------------------

LOGO_TYPES = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".svg": b""}
MAX_LOGO_BYTES = 1_000_000
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
FONT_FAMILY = re.compile(r"^[A-Za-z0-9 -]{1,60}$")  # it is written into CSS and DOT: nothing else


def check_school(doc: SchoolDoc, flow_ids: set[str]) -> list[Problem]:
    """What must hold for a pack to be built from a profile, beyond its schema."""
    profile = doc.profile
    problems: list[Problem] = []
    if profile.policy.last_reviewed and profile.policy.last_reviewed < profile.policy.adopted:
        problems.append(Problem(doc.locate("policy", "last_reviewed"), "the last review is before the adoption date"))
    if profile.policy.next_review < today():
        key = "last_reviewed" if profile.policy.last_reviewed else "adopted"
        problems.append(
            Problem(
                doc.locate("policy", key),
                f"the policy was due for review by {profile.policy.next_review}",
                "review it, then set policy.last_reviewed to the date of the review",
                Severity.WARNING,
            )
        )
    nation = profile.school.nation
    for index, poster in enumerate(profile.outputs.posters):
        if f"{nation}-{poster.chart}" not in flow_ids:
            charts = sorted(i.removeprefix(f"{nation}-") for i in flow_ids if i.startswith(f"{nation}-"))
            hint = suggest(poster.chart, charts) or "charts: " + ", ".join(charts)
            problems.append(
                Problem(doc.locate("outputs", "posters", index, "chart"), f"no chart '{poster.chart}'", hint)
            )
    if profile.templates is not None:
        folder = (doc.folder / profile.templates).resolve()
        if not folder.is_relative_to(doc.folder) or not existing_folder(folder):
            where = doc.locate("templates")
            problems.append(
                Problem(where, f"templates folder '{profile.templates}' is not a folder beside the profile")
            )
    if doc.brand is not None:
        problems += _brand_problems(doc)
    return problems


def logo_path(doc: SchoolDoc) -> tuple[Path, str | None] | None:
    """The logo documents use (medium, else large, else small), and its alt text."""
    location = _logo_location(doc)
    if location is None:
        return None
    where, alt = location
    return (doc.brand_dir / where).resolve(), alt


def _logo_location(doc: SchoolDoc) -> tuple[str, str | None] | None:
    logo = doc.brand.logo if doc.brand else None
    if logo is None or isinstance(logo, str):
        return None
    for size in ("medium", "large", "small"):
        resource = getattr(logo, size, None)
        path = getattr(resource, "path", None)
        if path is not None:
            return str(path.root), getattr(resource, "alt", None)
    return None


def _brand_problems(doc: SchoolDoc) -> Iterator[Problem]:
    assert doc.brand is not None
    typography = doc.brand.typography
    family = typography.base.family if typography and typography.base else None
    if family is not None and not FONT_FAMILY.match(str(family)):
        yield Problem(
            doc.locate_brand("typography", "base", "family"),
            f"font family '{family}' has characters a font name cannot have",
        )
    primary = doc.brand.color.primary if doc.brand.color else None
    if primary is not None and not HEX_COLOUR.match(str(primary)):
        yield Problem(doc.locate_brand("color", "primary"), f"primary colour '{primary}' must be a #rrggbb hex colour")
    location = _logo_location(doc)
    if location is None:
        return
    where = doc.locate_brand("logo")
    if re.match(r"^[a-z][a-z0-9+.-]*://", location[0], flags=re.IGNORECASE):
        yield Problem(where, f"the logo must be a file beside the profile, not an address ({location[0]})")
        return
    path, alt = (doc.brand_dir / location[0]).resolve(), location[1]
    if not alt:
        yield Problem(where, "the logo needs alt text (logo.images.NAME.alt) for accessible PDFs")
    if not path.is_relative_to(doc.brand_dir):
        yield Problem(where, f"the logo {path} is outside the folder of the profile that gives it")
    elif path.suffix.lower() not in LOGO_TYPES:
        yield Problem(where, f"the logo must be PNG, JPEG or SVG, not '{path.suffix}'")
    elif not existing_file(path):
        yield Problem(where, f"the logo file {path.name} does not exist")
    elif path.stat().st_size > MAX_LOGO_BYTES:
        yield Problem(where, f"the logo is {path.stat().st_size:,} bytes; the limit is {MAX_LOGO_BYTES:,}")
    else:
        yield from _logo_content_problems(path, where)


def _logo_content_problems(path: Path, where: Location) -> Iterator[Problem]:
    data = path.read_bytes()
    if path.suffix.lower() != ".svg":
        if not data.startswith(LOGO_TYPES[path.suffix.lower()]):
            yield Problem(where, f"the logo {path.name} is not really a {path.suffix[1:].upper()} file")
        return
    text = data.decode("utf-8", errors="replace")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        yield Problem(where, f"the SVG logo {path.name} declares a DOCTYPE or entities, which are not allowed")
        return
    references = re.findall(r"""(?:href|src)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^)"']*)""", text)
    outside = [a or b for a, b in references if (a or b) and not (a or b).startswith(("#", "data:"))]
    if outside:
        yield Problem(where, f"the SVG logo {path.name} refers to other files or addresses ({outside[0]}); embed them")
