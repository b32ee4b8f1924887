"""Load stage for a school profile: the profile, its brand, and where files live.

Paths in a profile are relative to the profile's folder, and nothing it names may lie
outside that folder. The brand is brand.yml, inline or in its own file, validated by the
`brand_yml` package with every error placed at its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brand_yml import Brand
from pydantic import ValidationError

from policypack.errors import Location, Problem, validation_problems
from policypack.models import Profile
from policypack.project import load_mapping, validate_model
from policypack.yamlsource import KeyPath, Positions, YamlDocument

PLACEHOLDER = "FILL-ME"


@dataclass(frozen=True)
class SchoolDoc:
    profile: Profile
    path: Path
    positions: Positions
    brand: Brand | None  # brand_dir: the folder the brand's files are relative to and must lie in
    brand_dir: Path
    brand_positions: Positions | None
    brand_key: KeyPath  # where the brand's keys sit in brand_positions: ("brand",) inline, () in its own file

    @property
    def folder(self) -> Path:
        return self.path.parent

    def locate(self, *keys: str | int) -> Location:
        return self.positions.locate(keys)

    def locate_brand(self, *keys: str | int) -> Location:
        positions = self.brand_positions or self.positions
        return positions.locate((*self.brand_key, *keys))


PROFILE_KEYS = set(Profile.model_fields)


def existing_file(path: Path) -> bool:
    """Whether a path a profile names is a file; False, not an error, for any bad name."""
    try:
        return path.is_file()
    except OSError:  # e.g. a name too long for the file system
        return False


def existing_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def profile_kind(path: Path) -> str | None:
    """ "school" for a school profile, "shared" for one that schools extend, else None."""
    document, _ = load_mapping(path)
    if document is None:
        return None
    if "school" in document.data:
        return "school"
    keys = set(document.data)
    return "shared" if keys and keys <= PROFILE_KEYS and "steps" not in keys else None


def load_school(path: Path) -> tuple[SchoolDoc | None, list[Problem]]:
    """Parse and validate a profile (with the shared profile it extends) and its brand."""
    path = path.resolve()
    document, problems = load_mapping(path)
    if document is None:
        return None, problems
    brand_home = path.parent
    if "extends" in document.data:
        document, brand_home, problems = _with_shared(document)
        if problems:
            return None, problems
    placeholders = list(_placeholders(document.data, document.positions, ()))
    loaded, problems = validate_model(document, Profile)
    filled = {p.location for p in placeholders}
    problems = placeholders + [p for p in problems if p.location not in filled]
    if loaded is None:
        return None, problems
    profile = loaded.model
    brand, brand_dir, brand_positions, brand_key, brand_problems = _load_brand(profile, brand_home, document.positions)
    school = SchoolDoc(profile, path, document.positions, brand, brand_dir, brand_positions, brand_key)
    return school, problems + brand_problems


def _placeholders(data: Any, positions: Positions, path: KeyPath) -> Any:
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


def _with_shared(document: YamlDocument) -> tuple[YamlDocument, Path, list[Problem]]:
    """A school profile merged over the shared (trust) profile it extends.

    Mappings merge key by key, the school's value winning; anything else, lists and the
    brand included, is taken whole from the school when it gives one. The brand's files are
    relative to the file that gives the brand.
    """
    own = {key: value for key, value in document.data.items() if key != "extends"}
    where = document.positions.locate(("extends",))
    shared_path = (document.path.parent / str(document.data["extends"])).resolve()
    if not existing_file(shared_path):
        return (
            document,
            document.path.parent,
            [Problem(where, f"the shared profile '{document.data['extends']}' does not exist")],
        )
    shared, problems = load_mapping(shared_path)
    if shared is None:
        return document, document.path.parent, problems
    if "extends" in shared.data:
        message = "a shared profile cannot itself extend another"
        return document, document.path.parent, [Problem(shared.positions.locate(("extends",)), message)]
    merged = _merge(shared.data, own)
    brand_home = document.path.parent if "brand" in own else shared_path.parent
    return YamlDocument(document.path, merged, document.positions.over(shared.positions)), brand_home, []


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if key != "brand" and isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def _load_brand(
    profile: Profile, folder: Path, positions: Positions
) -> tuple[Brand | None, Path, Positions | None, KeyPath, list[Problem]]:
    """The brand, inline or from a file; `folder` is that of the file that gives the brand."""
    if profile.brand is None:
        return None, folder, None, (), []
    key: KeyPath
    if isinstance(profile.brand, dict):
        data, brand_positions, key, brand_dir = profile.brand, positions, ("brand",), folder
    else:
        brand_path = (folder / profile.brand).resolve()
        where = positions.locate(("brand",))
        if not brand_path.is_relative_to(folder):
            return (
                None,
                folder,
                None,
                (),
                [Problem(where, f"brand file '{profile.brand}' is outside the profile's folder")],
            )
        if not existing_file(brand_path):
            return None, folder, None, (), [Problem(where, f"brand file '{profile.brand}' does not exist")]
        document, problems = load_mapping(brand_path)
        if document is None:
            return None, folder, None, (), problems
        data, brand_positions, key, brand_dir = document.data, document.positions, (), brand_path.parent
    try:
        brand = Brand.model_validate(data)
    except ValidationError as exc:
        return None, brand_dir, brand_positions, key, validation_problems(exc, brand_positions, Brand, prefix=key)
    except Exception as exc:  # brand_yml has its own errors too, e.g. an image named after itself
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = brand_positions.locate(key)
        return None, brand_dir, brand_positions, key, [Problem(where, f"the brand is not valid: {reason}")]
    return brand, brand_dir, brand_positions, key, []
