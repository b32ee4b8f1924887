"""Load stage for a school's brand and logo: brand.yml, inline or in its own file, and the logo it names.

The brand is validated by the `brand_yml` package with every error placed at its line;
the logo is found in the folder of the file that gives the brand, read and checked.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brand_yml import Brand
from pydantic import ValidationError

from policypack.errors import Location, Problem
from policypack.load.files import UnreadableFile, inside, is_file, resolved
from policypack.load.images import LOGO_SUFFIXES, PrintImage, check_image
from policypack.load.located import Located, read_mapping
from policypack.load.logodraw import svg_drawing_problem
from policypack.load.problems import validation_problems
from policypack.load.yamlsource import KeyPath, YamlDocument


@dataclass(frozen=True)
class Logo:
    path: Path  # resolved, inside the folder of the file that gives the brand
    alt: str | None
    location: Location  # where the brand names it
    image: PrintImage  # what documents embed: decoded, checked, rebuilt at print resolution
    raw: bytes = b""  # the file's bytes as read and checked: the inputs digest is of these


Read = tuple[Path, bytes]  # a file a school sent, and the bytes of the one read of it


def load_brand(
    given: Any, where: Location, folder: Path, document: YamlDocument
) -> tuple[Located[Brand] | None, Path, Read | None, list[Problem]]:
    """The brand, the folder its files are relative to, the brand file as read (if any), and problems.

    A brand file is checked to lie in `folder` and be a regular file before it is opened, and
    read once: a path that is refused is never opened.
    """
    if given is None:
        return None, folder, None, []
    if isinstance(given, dict):
        brand, problems = _validated_brand(document, given, ("brand",))
        return brand, folder, None, problems
    try:
        brand_path = resolved(folder / given)
    except UnreadableFile as exc:
        return None, folder, None, [Problem(where, f"brand file: {exc}")]
    if not inside(brand_path, folder):
        return None, folder, None, [Problem(where, f"brand file '{given}' is outside the profile's folder")]
    if not is_file(brand_path):
        return None, folder, None, [Problem(where, f"brand file '{given}' does not exist")]
    brand_document, problems, raw = read_mapping(brand_path)
    read = (brand_path, raw) if raw is not None else None
    if brand_document is None:
        return None, folder, read, problems
    brand, problems = _validated_brand(brand_document, brand_document.data, ())
    return brand, brand_path.parent, read, problems


def brand_problems_alone(document: YamlDocument, folder: Path) -> list[Problem]:
    """The brand's and logo's problems when the rest of the profile did not validate."""
    given = document.data.get("brand")
    if not isinstance(given, dict | str):
        return []
    where = document.positions.locate(("brand",))
    brand, brand_dir, _, problems = load_brand(given, where, folder, document)
    if brand is None:
        return problems
    primary = brand.model.color.primary if brand.model.color else None
    if primary is not None and not re.fullmatch(r"#[0-9a-fA-F]{6}", str(primary)):
        problems.append(
            Problem(brand.locate("color", "primary"), f"primary colour '{primary}' must be a #rrggbb hex colour")
        )
    return problems + load_logo(brand, brand_dir)[1]


def _validated_brand(document: YamlDocument, data: Any, prefix: KeyPath) -> tuple[Located[Brand] | None, list[Problem]]:
    try:
        return Located(Brand.model_validate(_alt_texts_kept(data)), document.path, document.positions, prefix), []
    except ValidationError as exc:
        return None, validation_problems(exc, document.positions, Brand, prefix)
    except Exception as exc:  # brand_yml has its own errors too, e.g. an image named after itself
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, [Problem(document.positions.locate(prefix), f"the brand is not valid: {reason}")]


def load_logo(brand: Located[Brand], folder: Path) -> tuple[Logo | None, list[Problem]]:
    """The logo documents use (medium, else large, else small), checked by reading it."""
    found = _logo_reference(brand.model)
    if found is None:
        return None, []
    name, alt = found
    where = brand.locate("logo")
    if re.match(r"^[a-z][a-z0-9+.-]*:", name, flags=re.IGNORECASE):
        return None, [Problem(where, f"the logo must be a file beside the profile, not an address ({name})")]
    problems = [] if alt else [Problem(where, "the logo needs alt text (logo.images.NAME.alt) for accessible PDFs")]
    try:
        path = resolved(folder / name)
    except UnreadableFile as exc:
        return None, [*problems, Problem(where, f"the logo: {exc}")]
    if not inside(path, folder):
        return None, [*problems, Problem(where, f"the logo {name} is outside the folder of the profile that gives it")]
    if path.suffix.lower() not in LOGO_SUFFIXES:
        return None, [*problems, Problem(where, f"the logo must be PNG, JPEG or SVG, not '{path.suffix}'")]
    if not is_file(path) and not os.path.lexists(path):
        return None, [*problems, Problem(where, f"the logo file {path.name} does not exist")]
    image, image_problems, raw = check_image(path, where)
    problems += image_problems
    if image and image.media_type == "image/svg+xml" and (why := svg_drawing_problem(image.data)):
        problems.append(Problem(where, f"the logo {path.name}: {why}", "simplify the drawing, or use a PNG"))
    return (Logo(path, alt, where, image, raw or b"") if image and not problems else None), problems


def _logo_reference(brand: Brand) -> tuple[str, str | None] | None:
    logo = brand.logo
    if logo is None or isinstance(logo, str):
        return None
    for size in ("medium", "large", "small"):
        resource = getattr(logo, size, None)
        path = getattr(resource, "path", None)
        if path is not None:
            alt = getattr(resource, "alt", None)
            return str(path.root), alt.replace(ALT_MARK, "") if isinstance(alt, str) else alt
    return None


ALT_MARK = "\u2060"  # a word joiner: invisible, and no image is named with one


def _alt_texts_kept(data: Any) -> Any:
    """The brand with each logo's alt text marked so brand.yml keeps it as text.

    brand.yml reads a string that names an image as a reference to that image, so a logo
    whose alt text is its own name ("crest") became a circular reference. `_logo_reference`
    takes the mark off again.
    """
    logo = data.get("logo") if isinstance(data, dict) else None
    images = logo.get("images") if isinstance(logo, dict) else None
    if not isinstance(images, dict):
        return data
    kept = copy.deepcopy(data)
    for place in [*kept["logo"]["images"].values(), *(kept["logo"].get(size) for size in ("small", "medium", "large"))]:
        if isinstance(place, dict) and isinstance(place.get("alt"), str) and place["alt"] in images:
            place["alt"] = place["alt"] + ALT_MARK
    return kept
