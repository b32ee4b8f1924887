"""Reading a school's own templates folder at load time, so `validate` reports what a build would refuse.

Each template is parsed (never rendered): a syntax error, or an attempt to reach Python's
internals through an attribute that starts with an underscore, is a problem at its line.
The sandbox refuses the same at render time; finding it here means a DSL hears of it
from `validate`, not from a failed build.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from policypack.errors import Location, Problem, suggest
from policypack.load.files import UnreadableFile, inside, is_file, read_bytes
from policypack.resources import bundled_path

MAX_TEMPLATE_BYTES = 200_000
MAX_PICTURE_BYTES = 5_000_000  # a picture or stylesheet a template uses (the PDF writer's own cap too)
MAX_TEMPLATES = 200


def check_templates_folder(folder: Path) -> tuple[list[Problem], list[tuple[Path, str]], list[tuple[str, str]]]:
    """Problems in the templates of a school's folder (already resolved and inside its profile's folder),
    the SHA-256 of every file in it and the text of each template, each read once: the build renders
    and hashes what was checked here, never the files as they are later.
    """
    try:
        files = _files_under(folder)
    except _TooMany as exc:
        return [Problem(Location(folder), str(exc))], [], []
    problems: list[Problem] = []
    hashes: list[tuple[Path, str]] = []
    sources: list[tuple[str, str]] = []
    parser = _Compiler(autoescape=True)
    for path in files:
        if not inside(path, folder):
            problems.append(Problem(Location(path), "this is a link to a file outside the templates folder"))
            continue
        if path.suffix.lower() in NOT_TEMPLATES:
            message = "a templates folder holds templates and pictures, not profiles or letterheads"
            problems.append(Problem(Location(path), message, "move this file out of the templates folder"))
            continue
        template = path.suffix == ".j2"
        try:
            data = read_bytes(path.resolve(), MAX_TEMPLATE_BYTES if template else MAX_PICTURE_BYTES)
        except (UnreadableFile, RuntimeError) as exc:
            problems.append(Problem(Location(path), f"this file in the templates folder cannot be used: {exc}"))
            continue
        hashes.append((path, hashlib.sha256(data).hexdigest()))
        if template:
            found = _check_template(parser, path, data)
            problems += found
            if not found:
                sources.append((path.relative_to(folder).as_posix(), data.decode("utf-8")))
    return problems, hashes, sources


class _Compiler(SandboxedEnvironment):
    """Compiles as the build's sandbox does: `*` and `**` are never worked out at compile time
    (`9 ** 9999999` would take minutes before a single line is checked)."""

    intercepted_binops = frozenset(["*", "**"])


NOT_TEMPLATES = frozenset({".yaml", ".yml", ".docx", ".docm", ".dotm", ".dotx"})
MAX_TEMPLATE_DEPTH = 16  # folders inside the templates folder


class _TooMany(Exception):
    pass


def _files_under(folder: Path) -> list[Path]:
    """Every file under `folder`, links not followed into folders, without recursion; capped in number and depth."""
    found: list[Path] = []
    todo = [(folder, 0)]
    while todo:
        current, depth = todo.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if depth >= MAX_TEMPLATE_DEPTH:
                    raise _TooMany(f"the templates folder is nested more than {MAX_TEMPLATE_DEPTH} folders deep")
                todo.append((path, depth + 1))
            else:
                found.append(path)
            if len(found) + len(todo) > MAX_TEMPLATES:
                raise _TooMany(f"the templates folder has more than {MAX_TEMPLATES} files, the limit")
    return sorted(found)


def _check_template(parser: jinja2.Environment, path: Path, data: bytes) -> list[Problem]:
    try:
        source = data.decode("utf-8")
        tree = parser.parse(source, path.name, str(path))
        _compiled(parser, source, path)  # Python's own limits (20 nested blocks) show here
    except UnicodeDecodeError:
        return [Problem(Location(path), "template is not valid UTF-8")]
    except jinja2.TemplateSyntaxError as exc:
        return [Problem(Location(path, exc.lineno or 0), f"template syntax error: {exc.message}")]
    except (RecursionError, SyntaxError, MemoryError):
        message = "the template is nested too deeply (blocks, loops or brackets inside each other)"
        return [Problem(Location(path), message, "split it into smaller blocks or macros")]
    problems = [Problem(Location(path, line), message) for line, message in _unsafe_names(tree)]
    problems += [Problem(Location(path, line), message, hint) for line, message, hint in _unknown_blocks(tree)]
    problems += [Problem(Location(path, line), message, hint) for line, message, hint in active_content(tree)]
    return problems


def _compiled(parser: jinja2.Environment, source: str, path: Path) -> None:
    """Compile as the build will; only the limits of nesting are the template's problem here.

    Anything else the compiler meets (a constant too large to print) is left to the render,
    which reports it at its line.
    """
    try:
        parser.compile(source, path.name, str(path))
    except (RecursionError, SyntaxError, MemoryError):
        raise
    except Exception:  # reported, located, when the template is rendered
        pass


# What a school's template may not write into a document: anything that runs, redirects or loads.
_REMOTE = r"(?:(?!data:)[a-z][a-z0-9+.-]*:|//|\\\\)"  # any scheme but data:, or a network path
_ACTIVE = (
    (re.compile(r"<\s*(script|iframe|frame|object|embed|applet|base|link|form|portal)\b", re.I), "a <{0}> element"),
    (re.compile(r"<\s*meta\b[^>]*http-equiv", re.I), "a <meta http-equiv> (a refresh or a policy)"),
    (re.compile(r"<[a-z][^<>]*[\s\"'/]on[a-z]+\s*=", re.I), "an event handler (on...=)"),
    (re.compile(r"@import\b", re.I), "a CSS @import"),
    (re.compile(r"url\(\s*['\"]?\s*" + _REMOTE, re.I), "a CSS url() that loads an address"),
    (
        re.compile(r"\b(?:src|srcset|poster|data|xlink:href)\s*=\s*['\"]?\s*" + _REMOTE, re.I),
        "a picture or file loaded from an address",
    ),
    (re.compile(r"javascript\s*:|vbscript\s*:", re.I), "a script address"),
)


def active_content(tree: nodes.Template) -> Iterator[tuple[int, str, str]]:
    """Markup in a template's own text that would run, redirect or load something where the document is read."""
    hint = "documents print text and pictures from the pack only; remove it"
    for data in tree.find_all(nodes.TemplateData):
        for pattern, what in _ACTIVE:
            match = pattern.search(data.data)
            if match:
                line = data.lineno + data.data.count("\n", 0, match.start())
                found = what.format(*(group.lower() for group in match.groups()))
                yield line, f"the template writes {found}, which no document may carry", hint


def _unknown_blocks(tree: nodes.Template) -> Iterator[tuple[int, str, str]]:
    """Blocks a school's template replaces that the bundled template it extends does not have.

    Such a block is silently never printed: the school's wording would vanish without a word.
    """
    extends = next(tree.find_all(nodes.Extends), None)
    parent = getattr(extends.template, "value", None) if extends else None
    if not isinstance(parent, str):
        return
    available = bundled_blocks(parent)
    if available is None:  # extends one of the school's own templates, or a name that is not bundled
        return
    for block in tree.find_all(nodes.Block):
        if block.name not in available:
            choices = ", ".join(sorted(available))
            hint = suggest(block.name, available) or f"blocks in {parent}: {choices}"
            yield block.lineno, f"block '{block.name}' is not in {parent}, so it would never be printed", hint


@functools.cache
def bundled_blocks(name: str) -> frozenset[str] | None:
    """Every block a bundled template defines, with the templates it extends; None if not bundled."""
    path = bundled_path("templates") / name
    if not is_file(path):
        return None
    tree = jinja2.Environment().parse(path.read_text(encoding="utf-8"))
    names = {block.name for block in tree.find_all(nodes.Block)}
    extends = next(tree.find_all(nodes.Extends), None)
    parent = getattr(extends.template, "value", None) if extends else None
    return frozenset(names | (bundled_blocks(parent) or set() if isinstance(parent, str) else set()))


# What a data model can do beyond holding data: parse, load files, unpickle, copy (pydantic v1 and v2).
MODEL_METHODS = re.compile(
    r"^(?:parse_\w*|model_\w*|from_orm|construct|schema(?:_json)?|validate|copy|json|dict|update_forward_refs)$"
)


def _unsafe_names(tree: nodes.Template) -> Iterator[tuple[int, str]]:
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = getattr(node, "attr", None) if isinstance(node, nodes.Getattr) else getattr(node, "arg", None)
        name = getattr(name, "value", name)  # a Getitem's key is a Const node
        if not isinstance(name, str):
            continue
        if name.startswith("_"):
            yield (
                node.lineno,
                f"'{name}' is not allowed in a template: names that start with '_' reach Python's internals",
            )
        elif MODEL_METHODS.match(name):
            yield node.lineno, f"'{name}' is not allowed in a template: it is a method of the data, not data"
