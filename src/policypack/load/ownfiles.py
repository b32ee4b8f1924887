"""A school's files come only from what is its own, even in a folder it shares with other schools.

A trust may keep every school's profile in one flat folder (`schools/cedar.yaml`,
`schools/birch.yaml`). There, "a file beside the profile" would let one school print
another's letterhead, brand or templates (its profile, even, through a template). So in a
folder that holds other profiles, a file or folder a school's own profile names must carry
that profile's name: `cedar-letterhead.docx`, `cedar_brand.yml`, `cedar/templates`. What the
trust's shared profile names is the trust's, and stays shared.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from policypack.errors import Location, Problem
from policypack.load.brand import Logo
from policypack.load.letterhead import Letterhead
from policypack.load.located import Located
from policypack.model.profile import Profile

PROFILE_SUFFIXES = (".yaml", ".yml")
MAX_LISTED = 100_000  # entries looked at to tell a shared folder; a folder holding more is shared


def own_files_only(
    profile: Located[Profile],
    own: dict[str, Any],
    read: set[Path],
    logo: Logo | None,
    letterhead: Letterhead | None,
    templates: Path | None,
) -> list[Problem]:
    """Problems for files the school's own profile names in a folder it shares with other profiles.

    `own` is the school's profile as written (before a shared profile is merged in) and
    `read` the YAML files this school's load read (its profile, the shared one, its brand file).
    """
    folder = profile.path.parent
    checks = profile.model.policy.checks
    if checks:  # the checks file is read later, by the pack: it is this school's, not another's
        read = read | {(folder / checks).resolve()}
    if not _shared(folder, read):
        return []
    stem = profile.path.stem
    outputs = own.get("outputs")
    brand = own.get("brand")
    named: list[tuple[Path, Location]] = []
    if templates and "templates" in own:
        named.append((templates, profile.locate("templates")))
    if letterhead and isinstance(outputs, dict) and "word_template" in outputs:
        named.append((letterhead.path, profile.locate("outputs", "word_template")))
    brand_files = [p for p in read if p.suffix in PROFILE_SUFFIXES and p != profile.path and p.parent == folder]
    if isinstance(brand, str):
        named += [(p, profile.locate("brand")) for p in brand_files if p.name == Path(brand).name]
    if logo and (isinstance(brand, str) or (isinstance(brand, dict) and "logo" in brand)):
        named.append((logo.path, logo.location))
    own_policy = own.get("policy")
    if isinstance(own_policy, dict) and isinstance(own_policy.get("checks"), str):  # its record of checks
        named.append(((folder / own_policy["checks"]).resolve(), profile.locate("policy", "checks")))
    return [
        Problem(
            where,
            f"'{path.relative_to(folder)}' does not carry this profile's name, and this folder holds other "
            "schools' profiles: a school may only use files of its own",
            f"rename it to start with '{stem}' (such as {stem}-{path.name}) or put it in a folder '{stem}/'",
        )
        for path, where in named
        if path.is_relative_to(folder) and not _is_own(path.relative_to(folder), stem)
    ]


def _is_own(relative: Path, stem: str) -> bool:
    return bool(relative.parts) and relative.parts[0].casefold().startswith(stem.casefold())


def _shared(folder: Path, read: set[Path]) -> bool:
    """Whether `folder` holds a YAML file this school's load did not read: another school's profile."""
    try:
        with os.scandir(folder) as entries:
            for count, entry in enumerate(entries):
                if count > MAX_LISTED:
                    return True
                if entry.name.endswith(PROFILE_SUFFIXES) and folder / entry.name not in read:
                    return True
    except OSError:
        return False
    return False
