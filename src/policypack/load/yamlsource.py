"""Safe, bounded YAML loading that remembers where every key and item came from.

PyYAML's composer gives a node tree with marks; we build plain Python data from it
ourselves so that we can (1) record the line and column of every key path, (2) refuse
duplicate keys, which PyYAML would silently overwrite, and (3) count nodes as aliases
are expanded, so a "billion laughs" file fails fast instead of eating memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policypack.errors import Location, Problem

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 64
_YAML11_BOOL_WORDS = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Positions:
    """Maps key paths such as ("steps", 2, "next") to their place in one file."""

    file: Path
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    files: dict[KeyPath, Path] = field(default_factory=dict)  # marks that lie in another file

    def locate(self, path: KeyPath = ()) -> Location:
        """The location of `path`, or of its nearest recorded ancestor."""
        for end in range(len(path), -1, -1):
            key = tuple(path[:end])
            mark = self.marks.get(key)
            if mark:
                return Location(self.files.get(key, self.file), *mark)
        return Location(self.file, 1, 1)

    def over(self, base: Positions) -> Positions:
        """These positions layered over `base`'s: a key only `base` has points into its file."""
        inherited = {key: base.files.get(key, base.file) for key in base.marks if key not in self.marks}
        return Positions(self.file, {**base.marks, **self.marks}, {**inherited, **self.files})


@dataclass(frozen=True)
class YamlDocument:
    path: Path
    data: Any
    positions: Positions


class YamlLoadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def load_yaml_file(path: Path) -> YamlDocument:
    """Read and parse one YAML file; raises YamlLoadError with a located Problem."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(
                Location(path),
                f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                "flows and profiles are small text files; is this the right file?",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(Location(path), f"cannot read file: {exc.strerror or exc}") from exc
    return parse_yaml(_decode(path, raw), path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse YAML text (one document) into plain data plus positions."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise _fail(
            where, f"YAML syntax error: {message}", "check the indentation and quoting on this line and the one above"
        ) from exc
    except yaml.YAMLError as exc:
        raise _fail(Location(path), f"YAML error: {exc}") from exc
    positions = Positions(path)
    if node is None:
        return YamlDocument(path, None, positions)
    builder = _Builder(path, positions)
    builder._mark((), node)
    data = builder.build(node, ())
    return YamlDocument(path, data, positions)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _fail(
            Location(path, line, col),
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save the file with UTF-8 encoding",
        ) from exc


def _fail(location: Location, message: str, hint: str | None = None) -> YamlLoadError:
    return YamlLoadError(Problem(location, message, hint))


class _Builder:
    """Turns composed nodes into Python data, recording marks and counting nodes."""

    def __init__(self, path: Path, positions: Positions) -> None:
        self.path = path
        self.positions = positions
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _fail(
                self.positions.locate(path[:1]),  # the entry being expanded, not the anchor
                f"document expands to more than {MAX_NODES:,} values (aliases nested too deep?)",
                "YAML anchors and aliases are limited to keep loading safe",
            )
        if len(path) > MAX_DEPTH:
            raise _fail(self._where(node), f"values are nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode):
            return dict(self._mapping(node, path))
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, child in enumerate(node.value):
                self._mark((*path, index), child)
                items.append(self.build(child, (*path, index)))
            return items
        if node.tag.endswith(":bool") and _YAML11_BOOL_WORDS.match(node.value):
            return node.value  # YAML 1.2 reading: "Yes"/"No" are text, as a branch label needs
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise _fail(self._where(node), f"invalid value: {exc.problem}") from exc

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> Iterator[tuple[str, Any]]:
        self.constructor.flatten_mapping(node)  # resolves "<<" merge keys
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, path)
            if not isinstance(key, str):
                raise _fail(self._where(key_node), f"keys must be text, not {key!r}")
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise _fail(self._where(key_node), f"duplicate key '{key}' (first given at line {first})")
            seen[key] = key_node
            self._mark((*path, key), key_node)
            yield key, self.build(value_node, (*path, key))

    def _mark(self, path: KeyPath, node: yaml.Node) -> None:
        self.positions.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)

    def _where(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)
