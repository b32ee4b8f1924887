"""Reading a school's own templates folder at load time, so `validate` reports what a build would refuse.

Each template is parsed (never rendered): a syntax error, or an attempt to reach Python's
internals through an attribute that starts with an underscore, is a problem at its line.
The sandbox refuses the same at render time; finding it here means a DSL hears of it
from `validate`, not from a failed build.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

import jinja2
from jinja2 import nodes

from policypack.errors import Location, Problem, suggest
from policypack.load.files import UnreadableFile, inside, is_file, read_bytes
from policypack.resources import bundled_path

MAX_TEMPLATE_BYTES = 200_000
MAX_TEMPLATES = 200


def check_templates_folder(folder: Path) -> list[Problem]:
    """Problems in the templates of a school's folder (already resolved and inside its profile's folder)."""
    problems: list[Problem] = []
    files = sorted(folder.rglob("*"))
    if len(files) > MAX_TEMPLATES:
        return [Problem(Location(folder), f"the templates folder has {len(files)} files; the limit is {MAX_TEMPLATES}")]
    parser = jinja2.Environment(autoescape=True)
    for path in files:
        if not inside(path, folder):
            problems.append(Problem(Location(path), "this is a link to a file outside the templates folder"))
            continue
        if path.suffix != ".j2":
            continue
        try:
            source = read_bytes(path.resolve(), MAX_TEMPLATE_BYTES).decode("utf-8")
            tree = parser.parse(source, path.name, str(path))
        except UnreadableFile as exc:
            problems.append(Problem(Location(path), f"template cannot be used: {exc}"))
        except UnicodeDecodeError:
            problems.append(Problem(Location(path), "template is not valid UTF-8"))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(Location(path, exc.lineno or 0), f"template syntax error: {exc.message}"))
        else:
            problems += [Problem(Location(path, line), message) for line, message in _unsafe_names(tree)]
            problems += [Problem(Location(path, line), message, hint) for line, message, hint in _unknown_blocks(tree)]
    return problems


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
