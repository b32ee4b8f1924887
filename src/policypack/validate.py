"""`policypack validate`: load and check only, so it is fast and needs neither dot nor Pango.

A folder is checked as a whole (its flows with its own sources.yaml, and every school
profile in it); a single flow file is checked within the flow set it belongs to.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable
from pathlib import Path

from policypack.check.flows import check_flow_file, check_flow_set
from policypack.check.pack import check_pack
from policypack.check.profile import FONT_FAMILY
from policypack.errors import Location, Problem, sorted_problems
from policypack.load.files import is_file
from policypack.load.flows import SOURCES_FILE, YAML_SUFFIXES, flow_set_for, load_flow_set, registry_root
from policypack.load.pack import PackInput, load_pack
from policypack.load.profile import profile_kind
from policypack.tools import font_install_hint, run_tool


def validate_paths(paths: Iterable[Path], today: dt.date) -> list[Problem]:
    """Every problem in the flows and school profiles at `paths`, sorted by file and line."""
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            problems.append(Problem(Location(path), "no such file or folder"))
            continue
        files = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES) if path.is_dir() else [path]
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
    """A profile's problems, checked against the bundled flows."""
    pack, problems = load_pack(path)
    return problems + (check_pack(pack, today) + _font_problems(pack) if pack else [])


def _font_problems(pack: PackInput) -> list[Problem]:
    """A brand font that is not installed, found with fontconfig (which dot and WeasyPrint use).

    Without fontconfig's fc-match, the build's own check (exit 3) still catches it.
    """
    brand = pack.school.brand
    typography = brand.model.typography if brand else None
    if typography is None or shutil.which("fc-match") is None:
        return []
    problems = []
    for part in ("base", "headings"):
        family = str(getattr(getattr(typography, part, None), "family", None) or "")
        if not family or not FONT_FAMILY.fullmatch(family):
            continue
        done = run_tool("fc-match", ["-f", "%{family}", family], timeout=10, check=False)
        found = done.stdout.decode(errors="replace").split(",")[0].strip()
        if done.returncode == 0 and found.casefold() != family.casefold():
            message = f"the font '{family}' is not installed (documents would use '{found}')"
            problems.append(Problem(pack.school.locate_brand("typography", part), message, font_install_hint(family)))
    return problems


def _check_folder(folder: Path, profiles: set[Path], today: dt.date) -> list[Problem]:
    root = folder if (folder / SOURCES_FILE).is_file() else (registry_root(folder) or folder)
    found = check_flow_set(load_flow_set(root, exclude=profiles), today)
    return [p for p in found if p.location.file.is_relative_to(folder) or root == folder]
