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
from policypack.load.characters import refused_character
from policypack.load.files import UnreadableFile, read_bytes
from policypack.load.yamlwords import explain_syntax_error

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 64
_MERGE_TAG = "tag:yaml.org,2002:merge"
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
    raw: bytes = b""  # the bytes parsed: the one read of the file, for its digest and its comment traps


class YamlLoadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.raw: bytes | None = None  # the file's bytes, when it was read and then failed to parse


def load_yaml_file(path: Path) -> YamlDocument:
    """Read and parse one YAML file; raises YamlLoadError with a located Problem.

    Read through `read_bytes`: a folder, FIFO, device (`/dev/zero`) or oversized file fails
    at once with a message, before anything is read into memory.
    """
    try:
        raw = read_bytes(path, MAX_FILE_BYTES)
    except UnreadableFile as exc:
        hint = "flows and profiles are small text files; is this the right file?"
        raise _fail(Location(path), str(exc), hint) from exc
    try:
        document = parse_yaml(_decode(path, raw), path)
    except YamlLoadError as exc:
        exc.raw = raw  # what was read, for the checks that work on the text (comment traps)
        raise
    return YamlDocument(document.path, document.data, document.positions, raw)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse YAML text (one document) into plain data plus positions."""
    try:
        node = yaml.compose(text, Loader=_DepthLimitedLoader)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as NUL
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise _fail(Location(path, line, col), f"character U+{exc.character:04X} is not allowed in YAML") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        if isinstance(exc, _TooDeep | _TooMany):
            raise _fail(where, str(message)) from exc
        raise YamlLoadError(syntax_problem(text, where, exc)) from exc
    except yaml.YAMLError as exc:
        raise _fail(Location(path), f"YAML error: {exc}") from exc
    positions = Positions(path)
    if node is None:
        return YamlDocument(path, None, positions)
    builder = _PositionedComposer(path, positions)
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


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


class _TooDeep(yaml.MarkedYAMLError):
    pass


class _TooMany(yaml.MarkedYAMLError):
    pass


class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting deeper than MAX_DEPTH before its recursion does,
    and more than MAX_NODES values while it composes them, not after.

    The composer calls itself once per level, so 3000 levels would end in a RecursionError;
    this stops at the first node too deep and names its line. A file of half a million
    values stops at the first one over the cap, before the rest is even scanned.
    """

    _depth = 0
    _nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooDeep(problem=f"values are nested more than {MAX_DEPTH} levels deep", problem_mark=mark)
            if self._nodes > MAX_NODES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooMany(problem=f"the file holds more than {MAX_NODES:,} values", problem_mark=mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def syntax_problem(text: str, where: Location, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error in plain words, at the line the mistake is on, with that line shown."""
    lines = text.splitlines()
    context = exc.context_mark.line + 1 if exc.context_mark else None
    said = explain_syntax_error(lines, where.line, where.col, exc.problem or "", exc.context, context)
    excerpt = lines[said.line - 1] if 0 < said.line <= len(lines) else None
    return Problem(Location(where.file, said.line, said.col), said.message, said.hint, excerpt=excerpt)


def _fail(location: Location, message: str, hint: str | None = None) -> YamlLoadError:
    return YamlLoadError(Problem(location, message, hint))


class _PositionedComposer:
    """Turns composed nodes into Python data, recording marks and counting nodes."""

    def __init__(self, path: Path, positions: Positions) -> None:
        self.path = path
        self.positions = positions
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.merged: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}

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
            value = self.constructor.construct_object(node, deep=True)
            if isinstance(value, str) and (refused := refused_character(value)):
                raise _fail(self._where(node), *refused)
            return value
        except yaml.constructor.ConstructorError as exc:
            raise _fail(self._where(node), f"invalid value: {exc.problem}") from exc
        except (ValueError, OverflowError) as exc:  # 2026-02-30, year 0000, a 5000-digit number
            if node.tag.endswith(":timestamp"):
                reason = f"'{node.value}' is not a real date ({exc})"
            else:
                reason = f"'{_shorten(node.value)}' is not a number policypack can use (too long)"
            raise _fail(self._where(node), reason) from exc

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> Iterator[tuple[str, Any]]:
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in self._pairs(node, 0):
            key = self.build(key_node, path)
            if not isinstance(key, str):
                raise _fail(self._where(key_node), f"keys must be text, not {key!r}")
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise _fail(self._where(key_node), f"duplicate key '{key}' (first given at line {first})")
            seen[key] = key_node
            self._mark((*path, key), key_node)
            yield key, self.build(value_node, (*path, key))

    def _pairs(self, node: yaml.MappingNode, depth: int) -> list[tuple[yaml.Node, yaml.Node]]:
        """The mapping's own pairs, then those its `<<` merge keys bring that it does not give.

        As YAML's merge key says: the mapping's own value wins over a merged one, and of
        several merged mappings the first listed wins. Only the mapping's own keys can be
        duplicates. Nodes are never changed (an alias shares them), and each mapping's
        pairs are worked out once, so merges of merges cannot multiply the work.
        """
        known = self.merged.get(id(node))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            raise _fail(self._where(node), f"merge keys (<<) are nested more than {MAX_DEPTH} levels deep")
        own = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
        given = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    raise _fail(self._where(source), "a merge key (<<) takes a mapping or a list of mappings")
                for pair in self._pairs(source, depth + 1):
                    name = pair[0].value if isinstance(pair[0], yaml.ScalarNode) else None
                    if name not in given:
                        given.add(name)
                        merged.append(pair)
        self.merged[id(node)] = pairs = own + merged
        return pairs

    def _mark(self, path: KeyPath, node: yaml.Node) -> None:
        self.positions.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)

    def _where(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)


# `primary: #c8102e` is a key with no value: YAML reads everything after " #" as a comment.
_COMMENT_TRAP = re.compile(r"^\s*(?:-\s+)?([\w.-]+):\s+(#[0-9A-Fa-f]{3,8})\b")


def comment_traps(raw: bytes, path: Path) -> list[Problem]:
    """Keys left empty because their value (a colour) starts with '#', at their lines.

    Works on the bytes already read (and size-capped) when the file was loaded: the file
    is never opened a second time.
    """
    lines = raw.decode("utf-8", errors="replace").splitlines()
    problems = []
    for number, line in enumerate(lines, start=1):
        match = _COMMENT_TRAP.match(line)
        if match:
            key, value = match.groups()
            problems.append(
                Problem(
                    Location(path, number, match.start(2) + 1),
                    f"'{key}' is empty: YAML reads {value} and the rest of the line as a comment",
                    f'quote it: {key}: "{value}"',
                    excerpt=line,
                )
            )
    return problems
