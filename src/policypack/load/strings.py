"""Load stage for a language's strings file (templates/strings/<language>.yaml): read once per process."""

from __future__ import annotations

import functools

from policypack.errors import InvalidInput, Location, Problem
from policypack.load.located import load_mapping, validate_model
from policypack.model.strings import DEFAULT_LANGUAGE, Strings
from policypack.resources import bundled_path


def languages() -> list[str]:
    """The languages policypack has strings for."""
    return sorted(path.stem for path in (bundled_path("templates") / "strings").glob("*.yaml"))


@functools.cache
def bundled_strings(language: str = DEFAULT_LANGUAGE) -> Strings:
    """A bundled language's strings; InvalidInput (at the file's lines) if the file is wrong."""
    path = bundled_path("templates") / "strings" / f"{language}.yaml"
    document, problems = load_mapping(path)
    located, found = validate_model(document, Strings) if document else (None, [])
    if located is None or problems or found:
        raise InvalidInput(problems + found)
    return located.model


def load_strings(language: str, where: Location) -> tuple[Strings | None, list[Problem]]:
    """The strings a profile's `language` asks for, or a problem at `where` naming the ones there are."""
    if language not in languages():
        hint = "languages: " + ", ".join(languages())
        return None, [Problem(where, f"no strings for the language '{language}'", hint)]
    try:
        return bundled_strings(language), []
    except InvalidInput as exc:
        return None, exc.problems
