"""Load stage for a school profile: the profile, the trust profile it extends, its brand,
its logo and its templates folder, each resolved once and placed inside its allowed folder.

Paths in a profile are relative to the profile's folder, and nothing it names may lie
outside that folder (symlinks are resolved first). The brand is brand.yml, inline or in
its own file, validated by the `brand_yml` package with every error placed at its line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brand_yml import Brand

from policypack.errors import Location, Problem
from policypack.load.brand import Logo, Read, brand_problems_alone, load_brand, load_logo
from policypack.load.files import UnreadableFile, inside, is_file, is_folder, resolved
from policypack.load.letterhead import Letterhead, load_letterhead
from policypack.load.located import Located, load_mapping, read_mapping, validate_model
from policypack.load.ownfiles import own_files_only
from policypack.load.templates import check_templates_folder
from policypack.load.yamlsource import KeyPath, Positions, YamlDocument, comment_traps
from policypack.model.profile import Profile

PLACEHOLDER = "FILL-ME"
PROFILE_KEYS = set(Profile.model_fields)


@dataclass(frozen=True)
class LoadedProfile:
    """A loaded profile with every file it names resolved: what later stages use."""

    profile: Located[Profile]
    brand: Located[Brand] | None
    brand_dir: Path  # the folder the brand's files are relative to and must lie in
    logo: Logo | None
    templates: Path | None  # the school's own templates folder, resolved
    inputs: tuple[tuple[Path, str], ...]  # every file read, with the SHA-256 of the bytes read and parsed
    letterhead: Letterhead | None = None  # the school's Word letterhead (outputs.word_template), as checked
    template_sources: tuple[tuple[str, str], ...] = ()  # the school's templates as checked: name, text

    @property
    def folder(self) -> Path:
        return self.profile.path.parent

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(path for path, _ in self.inputs)

    @property
    def model(self) -> Profile:
        return self.profile.model

    def locate(self, *keys: str | int) -> Location:
        return self.profile.locate(*keys)

    def locate_brand(self, *keys: str | int) -> Location:
        return self.brand.locate(*keys) if self.brand else self.profile.locate("brand", *keys)


def profile_kind(path: Path) -> str | None:
    """ "school" for a school profile, "shared" for one that schools extend, else None."""
    document, _ = load_mapping(path)
    if document is None:
        return None
    if "school" in document.data:
        return "school"
    keys = set(document.data)
    return "shared" if keys and keys <= PROFILE_KEYS and "steps" not in keys else None


def load_school(path: Path) -> tuple[LoadedProfile | None, list[Problem]]:
    """Parse and validate a profile (with the shared profile it extends), its brand and logo.

    Every file is read once, through the capped reader, after the checks on where it lies:
    a path that is refused is never opened. What was read is what is checked, built and hashed.
    """
    try:
        path = resolved(path)
    except UnreadableFile as exc:
        return None, [Problem(Location(path), str(exc))]
    document, problems, raw = read_mapping(path)
    traps = comment_traps(raw, path) if raw is not None else []
    if document is None:
        return None, problems + traps
    if "school" not in document.data:  # a flow or a trust's shared profile, given where a school's is needed
        return None, [_not_a_school(document)]
    own = dict(document.data)
    brand_home, reads = path.parent, [(path, document.raw)]
    if "extends" in document.data:
        document, brand_home, shared, problems = _with_shared(document)
        if shared:
            traps += comment_traps(shared[1], shared[0])
            reads.append(shared)
        if problems:
            return None, problems + traps
    placeholders = list(_placeholders(document.data, document.positions, ()))
    loaded, problems = validate_model(document, Profile)
    filled = {p.location for p in placeholders}
    problems = placeholders + [p for p in problems if p.location not in filled]
    if loaded is None:  # still check the brand and logo, so one run reports everything
        return None, _trapped(problems + brand_problems_alone(document, brand_home), traps)
    brand, brand_dir, brand_file, brand_problems = _load_brand(loaded, brand_home, document)
    if brand_file:
        traps += comment_traps(brand_file[1], brand_file[0])
        reads.append(brand_file)
    logo, logo_problems = load_logo(brand, brand_dir) if brand else (None, [])
    templates, template_problems, template_hashes, sources = _templates_folder(loaded)
    given = loaded.model.outputs.word_template
    letterhead, letterhead_problems = (
        load_letterhead(given, path.parent, loaded.locate("outputs", "word_template")) if given else (None, [])
    )
    reads += [(logo.path, logo.raw)] if logo else []
    reads += [(letterhead.path, letterhead.data)] if letterhead else []
    found = problems + brand_problems + logo_problems + template_problems + letterhead_problems
    found += own_files_only(loaded, own, {file for file, _ in reads}, logo, letterhead, templates)
    inputs = tuple((file, hashlib.sha256(data).hexdigest()) for file, data in reads) + tuple(template_hashes)
    school = LoadedProfile(loaded, brand, brand_dir, logo, templates, inputs, letterhead, tuple(sources))
    return school, _trapped(found, traps)


def _not_a_school(document: YamlDocument) -> Problem:
    where = document.positions.locate((next(iter(document.data), ""),))
    if "steps" in document.data:
        return Problem(where, "this is a flow, not a school profile", "a flow is printed with `policypack flowchart`")
    keys = set(document.data)
    if keys and keys <= PROFILE_KEYS:
        return Problem(
            where,
            "this is a shared (trust) profile, not a school's: it has no 'school'",
            "build the school profiles that extend it",
        )
    return Problem(where, "this is not a school profile: it has no 'school'", "`policypack init` writes one")


def _placeholders(data: Any, positions: Positions, path: KeyPath) -> Iterator[Problem]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _placeholders(value, positions, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _placeholders(value, positions, (*path, index))
    elif isinstance(data, str) and PLACEHOLDER in data:
        where = positions.locate(path)
        field = ".".join(str(part) for part in path)
        yield Problem(where, f"'{field}' is still a placeholder", "fill it in; documents never print blanks")


def _with_shared(document: YamlDocument) -> tuple[YamlDocument, Path, Read | None, list[Problem]]:
    """A school profile merged over the shared (trust) profile it extends, and that file as read.

    Mappings merge key by key, the school's value winning; anything else (lists, a brand
    file's path) is taken whole from the school when it gives one. Two inline brands merge
    by field too, so a school that gives only its own logo keeps the trust's colours. The
    brand's files (its logo) are relative to the file that gives the logo. A path that is
    refused is never opened, so nothing of a file that is not a shared profile is ever shown.
    """
    own = {key: value for key, value in document.data.items() if key != "extends"}
    where = document.positions.locate(("extends",))
    folder = document.path.parent
    given = str(document.data["extends"])
    try:
        shared_path = resolved(folder / given)
    except UnreadableFile as exc:
        return document, folder, None, [Problem(where, f"the shared profile: {exc}")]
    # a trust keeps its shared profile beside its schools' profiles, or in the folder above
    if not (shared_path.parent in (folder, folder.parent) and shared_path.suffix in (".yaml", ".yml")):
        message = f"'extends' must name a .yaml file in the profile's folder or the one above it, not '{given}'"
        return document, folder, None, [Problem(where, message)]
    if not is_file(shared_path):
        return document, folder, None, [Problem(where, f"the shared profile '{given}' does not exist")]
    shared, problems, raw = read_mapping(shared_path)
    read = (shared_path, raw) if raw is not None else None
    if shared is None:
        return document, folder, read, problems
    if not set(shared.data) <= PROFILE_KEYS or "school" in shared.data:
        # never echo the keys of a file that is not a shared profile: it may be anything
        message = f"'{given}' is not a shared profile (it may only hold keys a profile has, and no 'school')"
        return document, folder, None, [Problem(where, message)]
    if "extends" in shared.data:
        message = "a shared profile cannot itself extend another"
        return document, folder, read, [Problem(shared.positions.locate(("extends",)), message)]
    merged = _merge(shared.data, own)
    own_brand, shared_brand = own.get("brand"), shared.data.get("brand")
    gives_logo = isinstance(own_brand, dict) and "logo" in own_brand
    merged_brand = isinstance(own_brand, dict) and isinstance(shared_brand, dict)
    brand_home = folder if own_brand is not None and (gives_logo or not merged_brand) else shared_path.parent
    positions = document.positions.over(shared.positions)
    return YamlDocument(document.path, merged, positions, document.raw), brand_home, read, []


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def _load_brand(
    profile: Located[Profile], folder: Path, document: YamlDocument
) -> tuple[Located[Brand] | None, Path, Read | None, list[Problem]]:
    """The brand, inline or from a file; `folder` is that of the file that gives the brand.

    Returns the brand, the folder its files are relative to, the brand file as read (if any) and problems.
    """
    return load_brand(profile.model.brand, profile.locate("brand"), folder, document)


def _trapped(problems: list[Problem], traps: list[Problem]) -> list[Problem]:
    """The comment traps, instead of what they cause on their lines ("should be a valid string")."""
    lines = {(t.location.file, t.location.line) for t in traps}
    return [p for p in problems if (p.location.file, p.location.line) not in lines] + traps


def _templates_folder(
    profile: Located[Profile],
) -> tuple[Path | None, list[Problem], list[tuple[Path, str]], list[tuple[str, str]]]:
    """The school's templates folder, its problems, the digest of each file in it and each template's text."""
    given = profile.model.templates
    if given is None:
        return None, [], [], []
    folder = profile.path.parent
    where = profile.locate("templates")
    try:
        found = resolved(folder / given)
    except UnreadableFile as exc:
        return None, [Problem(where, f"templates folder: {exc}")], [], []
    if found == folder:
        message = "the templates folder cannot be the profile's own folder: it would serve the profile itself"
        return None, [Problem(where, message, "put the templates in a folder of their own, such as templates/")], [], []
    if not inside(found, folder) or not is_folder(found):
        return None, [Problem(where, f"templates folder '{given}' is not a folder beside the profile")], [], []
    problems, hashes, sources = check_templates_folder(found)
    return found, problems, hashes, sources
