"""A school's profile as a form: fields from fields.yaml, values read from and written to school.yaml.

The form has no rules of its own. A change is written to a candidate file beside the profile
and checked by the adapter (the functions `policypack validate` runs); each Problem is shown
beside the field at whose key it was found.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policypack.portal import adapter

FIELDS_FILE = Path(__file__).with_name("fields.yaml")
KeyPath = tuple[str | int, ...]
LOGO_ALT, LOGO_UPLOAD = "brand.logo.alt", "brand.logo.upload"


@dataclass(frozen=True)
class Field:
    name: str  # the form's name: the dotted key path, e.g. people.deputies.0.phone
    label: str
    kind: str
    help: str = ""
    choices: tuple[str, ...] = ()
    optional: bool = False

    @property
    def path(self) -> KeyPath:
        return tuple(int(p) if p.isdigit() else p for p in self.name.split("."))

    @property
    def html_id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


@dataclass
class Section:
    title: str
    fields: list[Field] = field(default_factory=list)
    legend: str = ""  # groups of repeated fields (deputies) are numbered with it


@functools.cache
def _spec() -> list[dict[str, Any]]:
    return list(yaml.safe_load(FIELDS_FILE.read_text(encoding="utf-8"))["sections"])


def _words(value: Any, nation: str) -> str:
    return str(value.get(nation, value.get("england")) if isinstance(value, dict) else value)


def sections(nation: str) -> list[Section]:
    """The form's sections for a school in `nation`, with labels in that nation's terms."""
    found = []
    for spec in _spec():
        if nation not in spec.get("nations", [nation]):
            continue
        repeat = spec.get("repeat")
        prefixes = [f"{repeat['key']}.{i}." for i in range(repeat["count"])] if repeat else [""]
        section = Section(_words(spec["title"], nation), legend=repeat["legend"] if repeat else "")
        for prefix in prefixes:
            for item in spec["fields"]:
                section.fields.append(
                    Field(
                        prefix + item["key"],
                        _words(item["label"], nation),
                        item["kind"],
                        _words(item.get("help", ""), nation),
                        tuple(item.get("choices", ())),
                        bool(item.get("optional") or prefix.endswith(("1.", "2."))),
                    )
                )
        found.append(section)
    return found


def all_fields(nation: str) -> list[Field]:
    return [f for s in sections(nation) for f in s.fields]


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def _logo(data: dict[str, Any]) -> dict[str, Any] | None:
    """The logo image the documents use (brand.logo.images[medium]), if it is a mapping."""
    logo = _get(data, ("brand", "logo"))
    if not isinstance(logo, dict):
        return None
    images = logo.get("images") or {}
    image = images.get(logo.get("medium")) if isinstance(images, dict) else None
    return image if isinstance(image, dict) else None


def values(data: dict[str, Any], nation: str) -> dict[str, Any]:
    """Each field's current value, as the form shows it."""
    found: dict[str, Any] = {}
    for item in all_fields(nation):
        value = _get(data, item.path)
        if item.name == "brand.color.primary":
            palette = _get(data, ("brand", "color", "palette")) or {}
            value = palette.get(value, value) if isinstance(palette, dict) else value
        elif item.name == LOGO_ALT:
            value = (_logo(data) or {}).get("alt")
        elif item.name == LOGO_UPLOAD:
            value = (_logo(data) or {}).get("path")
        if isinstance(value, dt.date):
            value = value.isoformat()
        found[item.name] = value if value is not None else ([] if item.kind == "checkboxes" else "")
    return found


def _typed(item: Field, raw: str) -> Any:
    if item.kind == "date":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return raw
    if item.kind == "number":
        # ASCII digits only ("²" is a digit to str.isdigit), and short: anything else stays text,
        # which the profile's schema then refuses at its field
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else raw
    return raw


def _put(data: dict[str, Any], path: KeyPath, value: Any) -> None:
    parent: Any = data
    for part, following in itertools.pairwise(path):
        if isinstance(parent, list):
            while len(parent) <= int(part):
                parent.append({})
            parent = parent[int(part)]
        else:
            if not isinstance(parent.get(part), dict | list):
                parent[part] = [] if isinstance(following, int) else {}
            parent = parent[part]
    if value is None:
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    else:
        parent[path[-1]] = value


def _prune(value: Any) -> Any:
    """Drop the empty mappings that blank optional fields leave behind (an empty contact, say)."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v != {}}
    if isinstance(value, list):
        return [item for item in (_prune(v) for v in value) if item != {}]
    return value


def apply(data: dict[str, Any], form: Any, nation: str, logo_path: str | None = None) -> dict[str, Any]:
    """A copy of the profile data with the form's values in place (blank optional fields removed)."""
    new: dict[str, Any] = yaml.safe_load(yaml.safe_dump(data))  # a deep copy, dates kept
    for item in all_fields(nation):
        if item.name in (LOGO_ALT, LOGO_UPLOAD):
            continue
        if item.kind == "checkboxes":
            _put(new, item.path, [c for c in form.getlist(item.name) if c in item.choices])
            continue
        raw = str(form.get(item.name, "")).strip()
        palette = _get(new, ("brand", "color", "palette"))
        if (
            item.name == "brand.color.primary"
            and isinstance(palette, dict)
            and palette.get(_get(new, item.path)) == raw
        ):
            continue  # the palette's colour, unchanged: keep its name
        _put(new, item.path, _typed(item, raw) if raw or not item.optional else None)
    _apply_logo(new, str(form.get(LOGO_ALT, "")).strip(), logo_path)
    return dict(_prune(new))


def _apply_logo(data: dict[str, Any], alt: str, path: str | None) -> None:
    image = _logo(data)
    if path:
        brand = data.setdefault("brand", {})
        brand["logo"] = {"images": {"logo": {"path": path, "alt": alt or None}}, "medium": "logo"}
        image = brand["logo"]["images"]["logo"]
    if image is not None:
        _put(image, ("alt",), alt or None)


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def field_for(key: KeyPath, names: list[str], message: str) -> str | None:
    """The form field a problem at `key` belongs to: the deepest field at or under it."""
    if key[:2] == ("brand", "logo"):
        return LOGO_ALT if "alt" in key else LOGO_UPLOAD
    dotted = ".".join(str(k) for k in key)
    exact = [n for n in names if dotted == n or dotted.startswith(n + ".")]
    if exact:
        return max(exact, key=len)
    under = [n for n in names if n.startswith(dotted + ".")]
    named = [n for n in under if f"'{n.rsplit('.', 1)[-1]}'" in message]
    return (named or under)[0] if (named or under) else None


def place_problems(problems: list[adapter.Problem], text: str, candidate: Path, nation: str) -> dict[str, list[str]]:
    """Problems by form field name ('' for those that belong to no field), as one-line messages."""
    marks = adapter.key_positions(text, candidate)
    by_place = {v: k for k, v in marks.items()}
    by_line: dict[int, KeyPath] = {}
    for path, (line, _) in sorted(marks.items(), key=lambda kv: len(kv[0])):
        by_line[line] = path
    names = [f.name for f in all_fields(nation)]
    placed: dict[str, list[str]] = {}
    for problem in problems:
        where = problem.location
        key = by_place.get((where.line, where.col)) or by_line.get(where.line)
        name = field_for(key, names, problem.message) if key is not None and where.file == candidate else None
        text_ = problem.message + (f" ({problem.hint})" if problem.hint else "")
        placed.setdefault(name or "", []).append(f"{problem.severity.value}: {text_}")
    return placed
