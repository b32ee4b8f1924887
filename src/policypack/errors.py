"""Problems as data, and the exceptions that carry them to the command line.

Every stage reports what is wrong as `Problem` values with an exact location, so a
user sees all of them in one run. Only the CLI turns exceptions into exit codes.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from policypack.yamlsource import KeyPath, Positions


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file; line and column are 1-based (0 means unknown)."""

    file: Path
    line: int = 0
    col: int = 0

    def display(self, base: Path | None = None) -> str:
        text = display_path(self.file, base)
        if self.line:
            text += f":{self.line}:{self.col or 1}"
        return text


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (str(loc.file), loc.line, loc.col, self.message)

    def format(self, base: Path | None = None) -> str:
        text = f"{self.location.display(base)}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def as_json(self, base: Path | None = None) -> dict[str, object]:
        return {
            "file": display_path(self.location.file, base),
            "line": self.location.line,
            "col": self.location.col,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
        }


def display_path(path: Path, base: Path | None = None) -> str:
    """The path relative to `base` (default: the working directory) when inside it."""
    base = base or Path.cwd()
    try:
        return os.path.relpath(path, base) if path.is_absolute() and path.is_relative_to(base) else str(path)
    except ValueError:
        return str(path)


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=Problem.sort_key)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


class PolicypackError(Exception):
    """Base class; the CLI maps subclasses to exit codes."""

    exit_code = 1


@dataclass
class InvalidInput(PolicypackError):
    """Input files have problems; nothing was written."""

    problems: list[Problem] = field(default_factory=list)
    reported: bool = False  # True when the command already printed the problems

    def __str__(self) -> str:
        count = sum(p.severity is Severity.ERROR for p in self.problems)
        return f"{count} problem{'s' if count != 1 else ''} found"


class ToolMissing(PolicypackError):
    """A required external program or library is not installed."""

    exit_code = 3


class ToolFailed(PolicypackError):
    """An external program ran but failed or timed out."""


def validation_problems(
    exc: ValidationError, positions: Positions, model: type[BaseModel], prefix: KeyPath = ()
) -> list[Problem]:
    """Pydantic errors as Problems at the line of the key or item concerned.

    `prefix` is where the validated data sits in its file (for a part validated alone).
    """
    return list(_validation_problems(exc, positions, model, prefix))


def _validation_problems(
    exc: ValidationError, positions: Positions, model: type[BaseModel], prefix: KeyPath
) -> Iterator[Problem]:
    alternatives: dict[KeyPath, list[str]] = {}
    for loc, error in _without_union_branches(exc.errors(include_url=False)):
        where = positions.locate(prefix + loc)
        field_name = str(loc[-1]) if loc else ""
        kind = error["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            yield Problem(where, f"unknown key '{field_name}'", suggest(field_name, allowed))
        elif kind == "missing":
            yield Problem(where, f"missing required key '{field_name}'")
        elif kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
            yield Problem(where, f"'{field_name}' must not be blank")
        else:
            messages = alternatives.setdefault(loc, [])
            message = _lower_first(str(error["msg"]).removeprefix("Value error, "))
            if message not in messages:
                messages.append(message)
    for loc, messages in alternatives.items():
        yield Problem(positions.locate(prefix + loc), f"'{_dotted(loc)}': {', or '.join(messages)}")


# Pydantic names the branch of a union it tried inside an error's key path, as a type
# ("constrained-str", "dict[str,any]") or a model class ("BrandLogo"). Users never wrote
# those keys: drop them, and keep only the branch that got furthest into the data.
_TYPE_TAG = re.compile(
    r"^(?:constrained-)?(?:str|int|float|bool|bytes|none|date|datetime|url|literal|list|dict|set|tuple"
    r"|function-(?:after|before|wrap|plain))(?:\[.*\])?$"
)


def _is_union_tag(part: object) -> bool:
    return isinstance(part, str) and (bool(_TYPE_TAG.match(part)) or part in _model_names())


def _model_names() -> set[str]:
    names: set[str] = set()
    todo: list[type[Any]] = [BaseModel]
    while todo:
        subclass: type[Any]
        for subclass in todo.pop().__subclasses__():
            if subclass.__name__ not in names:
                names.add(subclass.__name__)
                todo.append(subclass)
    return names


def _without_union_branches(errors: Iterable[Any]) -> list[tuple[KeyPath, Any]]:
    """(key path without branch names, error), keeping the deepest branch of each union."""
    items = []
    for error in errors:
        loc = tuple(error["loc"])
        tags = [index for index, part in enumerate(loc) if _is_union_tag(part)]
        key = tuple(part for part in loc if not _is_union_tag(part))
        items.append((loc[: tags[0]] if tags else None, key, error))
    deepest: dict[KeyPath, int] = {}
    for union, key, _ in items:
        if union is not None:
            deepest[union] = max(deepest.get(union, 0), len(key))
    return [(key, error) for union, key, error in items if union is None or len(key) == deepest[union]]


def suggest(word: str, choices: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


def _allowed_keys(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """Field names of the model found at `loc` (walking through lists and nested models)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        current = _nested_model(info.annotation) if info else None
    return list(current.model_fields) if current else []


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found:
            return found
    return None


def _dotted(loc: KeyPath) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
