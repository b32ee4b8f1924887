"""One type for "a model plus where it came from", and the two steps that make one.

Every loaded input (a flow, the sources registry, a profile, a brand) is a `Located`:
the validated model, the file it came from, and the positions of its keys, so that any
later stage can put a problem at the exact line.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from policypack.errors import Location, Problem
from policypack.load.problems import validation_problems
from policypack.load.yamlsource import KeyPath, Positions, YamlDocument, YamlLoadError, load_yaml_file

M = TypeVar("M", bound=BaseModel)
N = TypeVar("N", bound=BaseModel)


@dataclass(frozen=True)
class Located(Generic[M]):
    """A validated model with the file and positions it came from.

    `prefix` is where the model's keys sit in `positions` (a brand given inline in a
    profile sits under ("brand",); a model that is a whole file has none).
    """

    model: M
    path: Path
    positions: Positions
    prefix: KeyPath = ()

    def locate(self, *keys: str | int) -> Location:
        return self.positions.locate((*self.prefix, *keys))

    def replace(self, model: N) -> Located[N]:
        """The same place for another model (a flow after its terms are resolved)."""
        return Located(model, self.path, self.positions, self.prefix)


def load_model(path: Path, model: type[M]) -> tuple[Located[M] | None, list[Problem]]:
    """Parse one YAML file and validate it as `model`, collecting every problem."""
    document, problems = load_mapping(path)
    return validate_model(document, model) if document else (None, problems)


def load_mapping(path: Path) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one YAML file whose top level must be a mapping."""
    document, problems, _ = read_mapping(path)
    return document, problems


def read_mapping(path: Path) -> tuple[YamlDocument | None, list[Problem], bytes | None]:
    """Read one YAML file once and parse it as a mapping; also the bytes read (None if unreadable)."""
    try:
        document = load_yaml_file(path)
    except YamlLoadError as exc:
        return None, [exc.problem], exc.raw
    if not isinstance(document.data, dict):
        found = _kind(document.data)
        where = document.positions.locate()
        return None, [Problem(where, f"expected a mapping of keys at the top of the file, found {found}")], document.raw
    return document, [], document.raw


def validate_model(
    document: YamlDocument, model: type[M], data: Any = None, prefix: KeyPath = ()
) -> tuple[Located[M] | None, list[Problem]]:
    """Validate parsed data (the document's, or `data` found at `prefix` in it) as `model`.

    Problems sit at the line of the key concerned. When the only problems are unknown
    keys, they are reported and the rest is still returned, so its meaning can be
    checked in the same run.
    """
    data = document.data if data is None else data
    try:
        return Located(model.model_validate(data), document.path, document.positions, prefix), []
    except ValidationError as exc:
        problems = validation_problems(exc, document.positions, model, prefix)
        unknown = [tuple(e["loc"]) for e in exc.errors() if e["type"] == "extra_forbidden"]
        if len(unknown) < exc.error_count():
            return None, problems
    cleaned = _without_keys(data, unknown)
    return Located(model.model_validate(cleaned), document.path, document.positions, prefix), problems


def _without_keys(data: Any, paths: list[tuple[str | int, ...]]) -> Any:
    """A deep copy of `data` without the keys at `paths` (each ends with a key name)."""
    copy = deepcopy(data)
    for path in paths:
        parent = copy
        for part in path[:-1]:
            parent = parent[part]
        del parent[path[-1]]
    return copy


def _kind(value: object) -> str:
    return "nothing (the file is empty)" if value is None else f"a {type(value).__name__}"
