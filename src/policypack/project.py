"""Load stage: find input files, parse them, and validate them into models.

A *flow set* is a folder holding `sources.yaml` and any number of flow files in it
or below it. Loading never stops at the first problem: every file is read, and
everything wrong is returned as `Problem` values alongside what did load.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from policypack.errors import InvalidInput, Location, Problem, suggest, validation_problems
from policypack.models import Flow, FlowVariant, Source, SourceRegistry
from policypack.resolve import FlowDoc, RawFlow, resolve_flows
from policypack.yamlsource import Positions, YamlDocument, YamlLoadError, load_yaml_file

SOURCES_FILE = "sources.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
M = TypeVar("M", bound=BaseModel)


def bundled_path(name: str) -> Path:
    """A folder shipped with policypack (`flows`, `templates`, `schemas`).

    In an installed wheel these live inside the package; in a source checkout
    (including an editable install) they are the top-level folders of the repository.
    """
    packaged = Path(str(resources.files("policypack"))) / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A validated model with the file and positions it came from."""

    model: M
    path: Path
    positions: Positions

    def locate(self, *keys: str | int) -> Location:
        return self.positions.locate(keys)


SourcesDoc = Loaded[SourceRegistry]


@dataclass
class FlowSet:
    root: Path
    sources: SourcesDoc | None
    flows: list[FlowDoc] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def find(self, flow_id: str) -> FlowDoc | None:
        return next((doc for doc in self.flows if doc.model.id == flow_id), None)

    def flow_titles(self) -> dict[str, str]:
        """Flow id -> the title one chart uses to point at another (the short title)."""
        return {doc.model.id: doc.model.short_title or doc.model.title for doc in self.flows}

    def source_map(self) -> dict[str, Source]:
        return {source.id: source for source in self.sources.model.sources} if self.sources else {}


def load_flow_set(
    root: Path, extra: Sequence[Path] = (), exclude: set[Path] | frozenset[Path] = frozenset()
) -> FlowSet:
    """Load the registry and every flow under `root` (less `exclude`), plus any `extra` flow files."""
    sources, problems = _load_registry(root / SOURCES_FILE)
    flow_set = FlowSet(root=root, sources=sources, problems=problems)
    raw_flows: list[RawFlow] = []
    for path in dict.fromkeys([*(p for p in flow_files(root) if p not in exclude), *(p.resolve() for p in extra)]):
        raw, problems = load_flow_file(path)
        flow_set.problems += problems
        if raw:
            raw_flows.append(raw)
    flow_set.flows, problems = resolve_flows(raw_flows)
    flow_set.problems += problems
    return flow_set


def load_flow_file(path: Path) -> tuple[RawFlow | None, list[Problem]]:
    """A flow file is a variant when it has an `extends` key, else a complete flow."""
    document, problems = load_mapping(path)
    if document is None:
        return None, problems
    loaded: Loaded[Flow] | Loaded[FlowVariant] | None
    if "extends" in document.data:
        loaded, problems = validate_model(document, FlowVariant)
    else:
        loaded, problems = validate_model(document, Flow)
    return (RawFlow(loaded.model, loaded.path, loaded.positions) if loaded else None), problems


@functools.cache
def bundled_flow_set() -> FlowSet:
    """The bundled flows, loaded once per process (callers must not change it)."""
    return load_flow_set(bundled_path("flows"))


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


def resolve_flow(spec: str) -> tuple[FlowSet, FlowDoc]:
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


def load_model(path: Path, model: type[M]) -> tuple[Loaded[M] | None, list[Problem]]:
    """Parse one YAML file and validate it as `model`, collecting every problem."""
    document, problems = load_mapping(path)
    return validate_model(document, model) if document else (None, problems)


def load_mapping(path: Path) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one YAML file whose top level must be a mapping."""
    try:
        document = load_yaml_file(path)
    except YamlLoadError as exc:
        return None, [exc.problem]
    if not isinstance(document.data, dict):
        found = _kind(document.data)
        return None, [
            Problem(document.positions.locate(), f"expected a mapping of keys at the top of the file, found {found}")
        ]
    return document, []


def validate_model(document: YamlDocument, model: type[M]) -> tuple[Loaded[M] | None, list[Problem]]:
    """Validate parsed data as `model`; problems sit at the line of the key concerned.

    When the only problems are unknown keys, they are reported and the rest of the file
    is still returned, so its meaning can be checked in the same run.
    """
    try:
        return Loaded(model.model_validate(document.data), document.path, document.positions), []
    except ValidationError as exc:
        problems = validation_problems(exc, document.positions, model)
        unknown = [tuple(e["loc"]) for e in exc.errors() if e["type"] == "extra_forbidden"]
        if len(unknown) < exc.error_count():
            return None, problems
    cleaned = _without_keys(document.data, unknown)
    return Loaded(model.model_validate(cleaned), document.path, document.positions), problems


def _without_keys(data: Any, paths: list[tuple[str | int, ...]]) -> Any:
    """A deep copy of `data` without the keys at `paths` (each ends with a key name)."""
    copy = deepcopy(data)
    for path in paths:
        parent = copy
        for part in path[:-1]:
            parent = parent[part]
        del parent[path[-1]]
    return copy


def _load_registry(path: Path) -> tuple[SourcesDoc | None, list[Problem]]:
    if not path.is_file():
        return None, [Problem(Location(path), "missing sources registry", "every flow folder needs a sources.yaml")]
    return load_model(path, SourceRegistry)


def _kind(value: object) -> str:
    return "nothing (the file is empty)" if value is None else f"a {type(value).__name__}"
