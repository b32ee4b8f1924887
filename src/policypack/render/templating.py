"""Render stage: Jinja2 templates to HTML, in a sandbox. No document wording lives in Python.

The search path puts a school's own templates folder first, so a school overrides a
whole document or one block of it by adding a file of the same name. A school's files
are untrusted: every template renders in Jinja's immutable sandbox (no attribute that
starts with `_`, no method that changes data, no huge strings or numbers), and the
loader serves only regular, size-capped files that really lie inside its folders.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from pydantic import BaseModel

from policypack.errors import InvalidInput, Location, Problem
from policypack.load.files import UnreadableFile, inside, read_bytes
from policypack.load.strings import bundled_strings
from policypack.model.strings import Strings
from policypack.render.links import FILTERS as LINK_FILTERS
from policypack.resources import bundled_path

MAX_TEMPLATE_BYTES = 200_000
MAX_PRODUCT_LENGTH = 100_000  # the longest string or list a template may build with * (characters/items)
MAX_POWER_DIGITS = 100  # the largest number ** may make, in digits


class TemplateRefused(jinja2.TemplateError):
    """A template that may not be served (outside its folder, not a regular file, too large)."""


class FolderLoader(jinja2.BaseLoader):
    """Serves templates from folders, in order, and nothing that lies outside them.

    A name is split by Jinja's own rules (no `..`), then the file is resolved with its
    symlinks: a link that leaves its folder, a FIFO, a device or a /proc file is refused.
    """

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = [folder.resolve() for folder in folders]

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not path.exists() and not path.is_symlink():
                continue
            if not inside(path, folder):
                raise TemplateRefused(f"template '{template}' leads outside its folder {folder}")
            try:
                data = read_bytes(path.resolve(), MAX_TEMPLATE_BYTES)
                source = data.decode("utf-8")
            except UnreadableFile as exc:
                raise TemplateRefused(f"template '{template}': {exc}") from exc
            except UnicodeDecodeError as exc:
                raise TemplateRefused(f"template '{template}' is not valid UTF-8") from exc
            return source, str(path), lambda: True  # read once per environment, and one environment per build
        raise jinja2.TemplateNotFound(template)


class CheckedLoader(jinja2.BaseLoader):
    """Serves a school's templates from the text read and checked at load: the files are not read again."""

    def __init__(self, folder: Path, sources: Sequence[tuple[str, str]]) -> None:
        self.folder = folder
        self.sources = dict(sources)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        name = "/".join(split_template_path(template))
        if name not in self.sources:
            raise jinja2.TemplateNotFound(template)
        return self.sources[name], str(self.folder / name), lambda: True


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, shared by every school's environment.

    An entry is keyed by the template's name and file, and Jinja uses it only while the
    source's checksum is the same: an edited or overridden template compiles afresh. Every
    environment that shares it is made by `template_environment`, with the same settings.
    A batch fills it before forking its workers (`warm_templates`), so no worker compiles
    the bundled templates again. Bounded, for a long-running portal.
    """

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if len(self.compiled) >= self.capacity:
            self.compiled.pop(next(iter(self.compiled)))
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = _CompiledTemplates()


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with data models reduced to their data and `*`, `**` bounded.

    Jinja's sandbox blocks `_` names and methods that change data, but a pydantic model
    also carries class methods that parse, load files or unpickle (`parse_raw`,
    `parse_file`, `model_validate_json`…): on a model only its fields and properties may
    be read. No attribute of a class, and no method bound to a class, is reachable.
    """

    intercepted_binops = frozenset(["*", "**"])

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, type) or isinstance(getattr(value, "__self__", None), type):
            return False
        if isinstance(obj, BaseModel):
            kind = type(obj)
            return attr in kind.model_fields or isinstance(getattr(kind, attr, None), property)
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: jinja2.runtime.Context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if _is_number(left) and _is_number(right) and abs(right) * len(str(abs(left))) > MAX_POWER_DIGITS:
                raise SecurityError("a number that large is not allowed in a template")
            return operator.pow(left, right)
        size = _repeat_size(left, right)
        if size > MAX_PRODUCT_LENGTH:
            raise SecurityError("a string or list that long is not allowed in a template")
        return operator.mul(left, right)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _repeat_size(left: Any, right: Any) -> int:
    """The length of `left * right` when it repeats a sequence, else 0."""
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(times, int):
            return len(sequence) * max(times, 0)
    return 0


def template_environment(
    school_templates: Path | None = None,
    sources: Sequence[tuple[str, str]] | None = None,
    words: Strings | None = None,
) -> jinja2.Environment:
    """One sandboxed environment per school: its own folder first, then the bundled templates.

    With `sources` (the school's templates as read and checked at load), the school's folder
    is served from them and never read again. Autoescaping everywhere and StrictUndefined:
    a missing value is an error, not a blank. `| date` writes a date as the language does
    (`words`: the bundled en-GB by default).
    """
    loader: jinja2.BaseLoader
    if school_templates and sources is not None:
        bundled = FolderLoader([bundled_path("templates")])
        loader = jinja2.ChoiceLoader([CheckedLoader(school_templates, sources), bundled])
    else:
        loader = FolderLoader([*([school_templates] if school_templates else []), bundled_path("templates")])
    environment = _Sandbox(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=COMPILED,
    )
    environment.filters.update(LINK_FILTERS)
    environment.filters["date"] = (words or bundled_strings()).date
    environment.filters["nobreak"] = nobreak
    return environment


def warm_templates() -> None:
    """Compile every bundled document template into the process's cache (before forking workers)."""
    environment = template_environment()
    root = bundled_path("templates")
    for path in sorted(root.rglob("*.j2")):
        name = path.relative_to(root).as_posix()
        if not name.startswith("init/"):  # plain-text templates render in `render_text`'s environment
            environment.get_template(name)


def nobreak(value: object) -> Markup:
    """Text kept on one line (a date, a person's name, "Yes → 4"): `{{ day | date | nobreak }}`."""
    return Markup('<span class="nowrap">{}</span>').format(value)


def render_document(environment: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one template; any template error is InvalidInput at the template's file and line."""
    try:
        return environment.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = Location(Path(exc.filename or name), exc.lineno or 0)
        raise InvalidInput([Problem(where, f"template syntax error: {exc.message}")]) from None
    except jinja2.TemplateError as exc:  # undefined values, unsafe access, refused or missing files
        raise InvalidInput([Problem(_template_location(exc, name), f"template error: {exc}")]) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:  # 1/0, "%s"|format
        message = f"template error: {type(exc).__name__}: {exc}"
        raise InvalidInput([Problem(_template_location(exc, name), message)]) from None


def _template_location(exc: BaseException, name: str) -> Location:
    """The innermost template line in the error's traceback (Jinja maps frames to templates)."""
    found = Location(Path(name))
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = Location(Path(filename), trace.tb_lineno)
        trace = trace.tb_next
    return found


def render_text(name: str, context: dict[str, Any]) -> str:
    """A bundled plain-text template (such as a YAML profile): every value must go through `| yaml`."""
    environment = _Sandbox(
        loader=FolderLoader([bundled_path("templates")]),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["yaml"] = _yaml_scalar
    return environment.get_template(name).render(context)


def _yaml_scalar(value: object) -> str:
    """A value as a YAML scalar that reads back as exactly the same text (JSON is YAML)."""
    return json.dumps(str(value), ensure_ascii=False)
