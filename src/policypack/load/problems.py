"""Pydantic's validation errors as located Problems, in words a user wrote, not type names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from policypack.errors import Problem, suggest
from policypack.load.plainwords import plain_type_error
from policypack.load.yamlsource import KeyPath, Positions
from policypack.load.yamlwords import source_line


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
    explained: set[KeyPath] = set()
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
        elif (plain := _plain(kind, error, loc, model)) is not None:
            if loc not in explained:  # one plain message per place, whichever union branch said it
                explained.add(loc)
                yield Problem(where, f"'{_dotted(loc)}': {plain[0]}", plain[1], excerpt=source_line(where))
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


def _plain(kind: str, error: Any, loc: KeyPath, model: type[BaseModel]) -> tuple[str, str] | None:
    field = next((str(part) for part in reversed(loc) if isinstance(part, str)), "value")
    keys = _allowed_keys(model, loc) if kind in ("model_type", "dict_type") else []
    return plain_type_error(kind, error.get("input"), field, error.get("ctx") or {}, keys)


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
