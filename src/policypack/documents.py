"""Render stage: Jinja2 templates to HTML. No document wording lives in Python.

The search path puts a school's own templates folder first, so a school overrides a
whole document or one block of it by adding a file of the same name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from policypack.project import bundled_path


def template_environment(overrides: Sequence[Path] = ()) -> jinja2.Environment:
    """Autoescaping everywhere and StrictUndefined: a missing value is an error, not a blank."""
    loader = jinja2.FileSystemLoader([*map(str, overrides), str(bundled_path("templates"))])
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_document(name: str, context: dict[str, Any], overrides: Sequence[Path] = ()) -> str:
    return template_environment(overrides).get_template(name).render(context)


def render_text(name: str, context: dict[str, Any]) -> str:
    """A plain-text template (such as a YAML profile): every value must go through `| yaml`."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(bundled_path("templates"))),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["yaml"] = _yaml_scalar
    return environment.get_template(name).render(context)


def _yaml_scalar(value: object) -> str:
    """A value as a YAML scalar that reads back as exactly the same text (JSON is YAML)."""
    return json.dumps(str(value), ensure_ascii=False)
