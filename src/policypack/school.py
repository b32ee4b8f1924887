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
from policypack.yamlsource import KeyPath, Positions

PLACEHOLDER = "FILL-ME"


@dataclass(frozen=True)
class SchoolDoc:
    profile: Profile
    path: Path
    positions: Positions
    brand: Brand | None
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


def is_profile(path: Path) -> bool:
    """A YAML file is a school profile when its top level has a `school` key."""
    document, _ = load_mapping(path)
    return document is not None and "school" in document.data


def load_school(path: Path) -> tuple[SchoolDoc | None, list[Problem]]:
    """Parse and validate a profile and its brand; every problem, located."""
    path = path.resolve()
    document, problems = load_mapping(path)
    if document is None:
        return None, problems
    placeholders = list(_placeholders(document.data, document.positions, ()))
    loaded, problems = validate_model(document, Profile)
    filled = {p.location for p in placeholders}
    problems = placeholders + [p for p in problems if p.location not in filled]
    if loaded is None:
        return None, problems
    profile = loaded.model
    brand, brand_dir, brand_positions, brand_key, brand_problems = _load_brand(profile, path, document.positions)
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


def _load_brand(
    profile: Profile, path: Path, positions: Positions
) -> tuple[Brand | None, Path, Positions | None, KeyPath, list[Problem]]:
    folder = path.parent
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
        if not brand_path.is_file():
            return None, folder, None, (), [Problem(where, f"brand file '{profile.brand}' does not exist")]
        document, problems = load_mapping(brand_path)
        if document is None:
            return None, folder, None, (), problems
        data, brand_positions, key, brand_dir = document.data, document.positions, (), brand_path.parent
    try:
        brand = Brand.model_validate(data)
    except ValidationError as exc:
        return None, brand_dir, brand_positions, key, validation_problems(exc, brand_positions, Brand, prefix=key)
    return brand, brand_dir, brand_positions, key, []
