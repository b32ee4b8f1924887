"""`policypack validate`: load and check, so it is fast; dot is asked only whether the fonts a
brand names are installed (the build's own pre-flight question, `layout/fonts.py`).

A folder is checked as a whole (its flows with its own sources.yaml, and every school
profile in it); a single flow file is checked within the flow set it belongs to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from policypack.check.flows import check_flow_file, check_flow_set
from policypack.check.pack import check_pack
from policypack.errors import Location, Problem, ToolMissing, sorted_problems
from policypack.layout.fonts import font_problems
from policypack.load.files import is_file
from policypack.load.flows import SOURCES_FILE, YAML_SUFFIXES, flow_set_for, load_flow_set, registry_root
from policypack.load.pack import load_pack
from policypack.load.profile import profile_kind
from policypack.model.theme import theme_from_brand


def validate_paths(paths: Iterable[Path], today: dt.date) -> list[Problem]:
    """Every problem in the flows and school profiles at `paths`, sorted by file and line."""
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            problems.append(Problem(Location(path), "no such file or folder"))
            continue
        try:
            files = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES) if path.is_dir() else [path]
        except (RecursionError, OSError) as exc:  # a tree too deep to walk, a folder that cannot be read
            reason = "folders are nested too deeply to search" if isinstance(exc, RecursionError) else str(exc)
            problems.append(Problem(Location(path), f"cannot search this folder: {reason}"))
            continue
        if path.is_dir():  # a FIFO, a device or a link to one in a folder: said, never silently skipped
            odd = [p for p in files if not is_file(p)]
            problems += [Problem(Location(p), "cannot read file: it is not a regular file") for p in odd]
            files = [p for p in files if p not in odd]
        kinds = {p: profile_kind(p) for p in files if p.name != SOURCES_FILE}
        profiles = [p for p, kind in kinds.items() if kind]  # shared ones are checked via their schools
        problems += [problem for p in profiles if kinds[p] == "school" for problem in validate_school(p, today)]
        if not path.is_dir() and not profiles:  # a FIFO or device too: its reader says why it cannot be read
            problems += check_flow_file(flow_set_for(path), path, today)
        elif path.is_dir() and len(profiles) < len(files):
            problems += _check_folder(path.resolve(), {p.resolve() for p in profiles}, today)
    return sorted_problems(problems)


def validate_school(path: Path, today: dt.date) -> list[Problem]:
    """A profile's problems, checked against the bundled flows, and the fonts its brand names."""
    inputs, problems = load_pack(path)
    if inputs is None:
        return problems
    checked, found = check_pack(inputs, today)
    brand = inputs.school.brand
    theme = checked.theme if checked else theme_from_brand(brand.model if brand else None)
    with contextlib.suppress(ToolMissing):  # no dot (or no Pango): the build's pre-flight says so, exit 3
        found += font_problems(inputs.school, theme) if brand else []
    return problems + found


def _check_folder(folder: Path, profiles: set[Path], today: dt.date) -> list[Problem]:
    root = folder if (folder / SOURCES_FILE).is_file() else (registry_root(folder) or folder)
    found = check_flow_set(load_flow_set(root, exclude=profiles), today)
    return [p for p in found if p.location.file.is_relative_to(folder) or root == folder]
