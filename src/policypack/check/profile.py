"""Check stage for a school profile: what must hold beyond its schema, pure (no files read).

The files a profile names (brand file, logo, templates folder) were found and read while
loading; this checks meaning: dates, charts, fonts and colours.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from brand_yml import Brand

from policypack.errors import Problem, Severity, suggest
from policypack.load.profile import LoadedProfile
from policypack.model.colour import HEX_COLOUR, TEXT_CONTRAST, contrast_ratio, readable_colour
from policypack.model.flow import chart_name, flow_id

# Both are written into CSS and DOT: nothing else, matched whole (`$` alone lets "\n" through).
FONT_FAMILY = re.compile(r"[A-Za-z0-9 -]{1,60}")


def check_school(loaded: LoadedProfile, flow_ids: set[str], today: dt.date) -> list[Problem]:
    """What must hold for a pack to be built from a profile, beyond its schema."""
    profile = loaded.model
    problems: list[Problem] = []
    if profile.policy.last_reviewed and profile.policy.last_reviewed < profile.policy.adopted:
        where = loaded.locate("policy", "last_reviewed")
        problems.append(Problem(where, "the last review is before the adoption date"))
    if profile.policy.next_review < today:
        key = "last_reviewed" if profile.policy.last_reviewed else "adopted"
        problems.append(
            Problem(
                loaded.locate("policy", key),
                f"the policy was due for review by {profile.policy.next_review}",
                "review it, then set policy.last_reviewed to the date of the review",
                Severity.WARNING,
            )
        )
    nation = profile.school.nation
    for index, poster in enumerate(profile.outputs.posters):
        if flow_id(nation, poster.chart) not in flow_ids:
            charts = sorted(chart_name(i) for i in flow_ids if i == flow_id(nation, chart_name(i)))
            hint = suggest(poster.chart, charts) or "charts: " + ", ".join(charts)
            problems.append(
                Problem(loaded.locate("outputs", "posters", index, "chart"), f"no chart '{poster.chart}'", hint)
            )
    if loaded.brand is not None:
        problems += _brand_problems(loaded)
    return problems


def _brand_problems(loaded: LoadedProfile) -> Iterator[Problem]:
    assert loaded.brand is not None
    brand = loaded.brand.model
    typography = brand.typography
    for part in ("base", "headings"):
        family = getattr(getattr(typography, part, None), "family", None) if typography else None
        if family is not None and not FONT_FAMILY.fullmatch(str(family)):
            yield Problem(
                loaded.locate_brand("typography", part, "family"),
                f"font family {str(family)!r} has characters a font name cannot have",
            )
    unused = unused_brand_fields(brand)
    if unused:
        yield Problem(
            loaded.locate_brand(),
            "brand fields policypack has no place for, left as they are: " + ", ".join(unused),
            "used: meta.name, logo, color.primary, color.foreground, color.palette, typography.base.family, "
            "typography.headings.family, typography.headings.color",
            Severity.NOTE,
        )
    primary = brand.color.primary if brand.color else None
    if primary is not None and not HEX_COLOUR.fullmatch(str(primary)):
        yield Problem(
            loaded.locate_brand("color", "primary"), f"primary colour {str(primary)!r} must be a #rrggbb hex colour"
        )
    elif primary is not None and contrast_ratio(str(primary)) < TEXT_CONTRAST:
        readable = readable_colour(str(primary))
        yield Problem(
            loaded.locate_brand("color", "primary"),
            f"primary colour {primary} has a contrast of {contrast_ratio(str(primary)):.2f}:1 on white, below the "
            f"{TEXT_CONTRAST}:1 that text needs; headings will print in {readable} "
            f"({contrast_ratio(readable):.2f}:1) instead",
            "choose a darker primary colour to print your own",
            Severity.WARNING,
        )


# The brand.yml fields a pack prints (the rest of a Quarto _brand.yml is kept, unused).
USED_BRAND_FIELDS = {
    "meta.name",
    "logo",
    "color.primary",
    "color.foreground",
    "color.palette",
    "typography.base",
    "typography.headings",
    "typography.fonts",
}


def unused_brand_fields(brand: Brand) -> list[str]:
    """The brand's fields, two levels deep, that no document has a place for."""
    fields = []
    for key, value in brand.model_dump(exclude_none=True, exclude_unset=True).items():
        fields += [f"{key}.{sub}" for sub in value] if isinstance(value, dict) else [key]
    unused = {f for f in fields if f not in USED_BRAND_FIELDS and f.split(".")[0] not in USED_BRAND_FIELDS}
    if "typography.monospace" in unused:  # brand_yml fills these two in from it
        unused -= {"typography.monospace_block", "typography.monospace_inline"}
    return sorted(unused)
