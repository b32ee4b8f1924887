"""Load stage: find input files, parse them, and validate them into models.

A *flow set* is a folder holding `sources.yaml` and any number of flow files in it
or below it. Loading never stops at the first problem: every file is read, and
everything wrong is returned as `Problem` values alongside what did load.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policypack.errors import InvalidInput, Location, Problem, suggest
from policypack.load.located import Located, load_mapping, load_model, validate_model
from policypack.load.variants import RawFlow, resolve_flows
from policypack.model.flow import Flow, FlowVariant, Phase, Source, SourceRegistry
from policypack.resources import bundled_path

SOURCES_FILE = "sources.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


SourcesDoc = Located[SourceRegistry]


@dataclass
class FlowSet:
    root: Path
    sources: SourcesDoc | None
    flows: list[Located[Flow]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def find(self, flow_id: str) -> Located[Flow] | None:
        return next((doc for doc in self.flows if doc.model.id == flow_id), None)

    def flow_titles(self) -> dict[str, str]:
        """Flow id -> the title one chart uses to point at another (the short title)."""
        return {doc.model.id: doc.model.short_title or doc.model.title for doc in self.flows}

    def source_map(self) -> dict[str, Source]:
        return {source.id: source for source in self.sources.model.sources} if self.sources else {}


def load_flow_set(
    root: Path,
    extra: Sequence[Path] = (),
    exclude: set[Path] | frozenset[Path] = frozenset(),
    phase: Phase | None = None,
) -> FlowSet:
    """Load the registry and every flow under `root` (less `exclude`), plus any `extra` flow files,
    in the words of a school of `phase` (a flow's `phase_terms`), or in its own words."""
    sources, problems = _load_registry(root / SOURCES_FILE)
    flow_set = FlowSet(root=root, sources=sources, problems=problems)
    raw_flows: list[RawFlow] = []
    for path in dict.fromkeys([*(p for p in flow_files(root) if p not in exclude), *(p.resolve() for p in extra)]):
        raw, problems = load_flow_file(path)
        flow_set.problems += problems
        if raw:
            raw_flows.append(raw)
    flow_set.flows, problems = resolve_flows(raw_flows, phase)
    flow_set.problems += problems
    return flow_set


def load_flow_file(path: Path) -> tuple[RawFlow | None, list[Problem]]:
    """A flow file is a variant when it has an `extends` key, else a complete flow."""
    document, problems = load_mapping(path)
    if document is None:
        return None, problems
    loaded: Located[Flow] | Located[FlowVariant] | None
    if "extends" in document.data:
        loaded, problems = validate_model(document, FlowVariant)
    else:
        loaded, problems = validate_model(document, Flow)
    return (loaded.replace(loaded.model) if loaded else None), problems


@functools.cache
def bundled_flow_set(phase: Phase | None = None) -> FlowSet:
    """The bundled flows in a phase's words (or their own), loaded once per process and
    phase (callers must not change it)."""
    return load_flow_set(bundled_path("flows"), phase=phase)


@functools.cache
def bundled_registry() -> SourcesDoc | None:
    """The bundled sources registry alone (what a build warns about), without parsing the flows."""
    return _load_registry(bundled_path("flows") / SOURCES_FILE)[0]


def flow_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix in YAML_SUFFIXES and path.name != SOURCES_FILE and path.is_file()
    )


REGISTRY_SEARCH_LEVELS = 2


def registry_root(path: Path) -> Path | None:
    """The nearest folder holding a sources registry: `path`'s own, or up to two above.

    The search is short on purpose: a stray sources.yaml high above (say in /tmp) must
    not turn everything below it into one flow set.
    """
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, *folder.parents[:REGISTRY_SEARCH_LEVELS]):
        if (candidate / SOURCES_FILE).is_file():
            return candidate
    return None


def flow_set_for(path: Path) -> FlowSet:
    """The set a flow file belongs to: its nearest registry's folder, else the bundled one."""
    path = path.resolve()
    root = registry_root(path) or bundled_path("flows")
    return load_flow_set(root, extra=[path])


def find_flow(spec: str) -> tuple[FlowSet, Located[Flow]]:
    """A flow named by a file path or by the id of a bundled flow, with its set."""
    path = Path(spec)
    if path.suffix in YAML_SUFFIXES or path.exists():
        if not path.is_file():
            raise InvalidInput([Problem(Location(path), "no such flow file")])
        flow_set = flow_set_for(path)
        doc = next((d for d in flow_set.flows if d.path == path.resolve()), None)
        if doc is None:
            raise InvalidInput([p for p in flow_set.problems if p.location.file == path.resolve()])
        return flow_set, doc
    flow_set = bundled_flow_set()
    found = flow_set.find(spec)
    if found is None:
        ids = sorted(d.model.id for d in flow_set.flows)
        hint = suggest(spec, ids) or "bundled flows: " + ", ".join(ids)
        raise InvalidInput([Problem(Location(Path(spec)), f"no bundled flow with id '{spec}'", hint)])
    return flow_set, found


def _load_registry(path: Path) -> tuple[SourcesDoc | None, list[Problem]]:
    if not path.is_file():
        return None, [Problem(Location(path), "missing sources registry", "every flow folder needs a sources.yaml")]
    return load_model(path, SourceRegistry)
