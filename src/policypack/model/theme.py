"""The look of a school's documents, worked out once from its brand: fonts, colours and logo.

The check stage resolves a `Theme` from the brand; the charts, every template and every
writer (PDF, Word, web page) take that one value, so a brand field has one meaning and
one place where it is read. Pure: no files, no programs.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass, field

from brand_yml import Brand

from policypack.model.colour import HEX_COLOUR, readable_colour, rgb, to_hex

# Fill lightness per lane, in drawing order: far enough apart to survive greyscale printing
# (luminance steps of 0.1 or more for any brand hue), and light enough that the ink keeps
# a contrast of at least 5:1 on the darkest.
LANE_LIGHTNESS = (0.985, 0.91, 0.83, 0.75, 0.67)
DEFAULT_FONT = "Open Sans"


@dataclass(frozen=True)
class ThemeLogo:
    """The school's logo as documents embed it: the checked, re-encoded image as a data: URI."""

    uri: str
    alt: str | None


@dataclass(frozen=True)
class Theme:
    """Fonts, colours and logo of a school's documents. Chart sizes are DOT points before scaling."""

    font: str = DEFAULT_FONT
    heading_font: str | None = None  # documents' headings, when the brand names a font for them
    title_pt: float = 14.0
    number_pt: float = 15.0
    tag_pt: float = 13.0
    edge_pt: float = 13.0
    ink: str = "#1a1a1a"
    accent: str = "#2f4858"
    wrap: dict[str, int] = field(default_factory=lambda: {"decision": 26, "default": 28})
    logo: ThemeLogo | None = None

    @property
    def headings(self) -> str:
        return self.heading_font or self.font

    @property
    def fonts(self) -> tuple[str, ...]:
        """Every font the documents print with, each once: each must be installed."""
        return tuple(dict.fromkeys([self.font, self.headings]))

    @property
    def smallest_pt(self) -> float:
        return min(self.title_pt, self.number_pt, self.tag_pt, self.edge_pt)

    @property
    def largest_pt(self) -> float:
        return max(self.title_pt, self.number_pt, self.tag_pt, self.edge_pt)

    def lane_fills(self, count: int) -> list[str]:
        """One fill per lane: the accent's hue, soft saturation, stepped lightness."""
        hue, _, saturation = colorsys.rgb_to_hls(*rgb(self.accent))
        saturation = min(saturation, 0.35)
        levels = LANE_LIGHTNESS[:count] if count <= len(LANE_LIGHTNESS) else LANE_LIGHTNESS
        return [to_hex(colorsys.hls_to_rgb(hue, lightness, saturation)) for lightness in levels]


def theme_from_brand(brand: Brand | None, logo: ThemeLogo | None = None) -> Theme:
    """A theme in a brand's colours and fonts, where it gives them; the house look otherwise."""
    primary = brand.color.primary if brand and brand.color else None
    family = brand.typography.base.family if brand and brand.typography and brand.typography.base else None
    headings = brand.typography.headings if brand and brand.typography else None
    heading_colour = getattr(headings, "color", None)
    foreground = brand.color.foreground if brand and brand.color else None
    plain = Theme()
    # headings and chart ink are text: a light brand colour is darkened until it reads (4.5:1)
    accent = next(
        (readable_colour(str(c)) for c in (heading_colour, primary) if c and HEX_COLOUR.fullmatch(str(c))),
        plain.accent,
    )
    ink = readable_colour(str(foreground)) if foreground and HEX_COLOUR.fullmatch(str(foreground)) else plain.ink
    heading_family = getattr(headings, "family", None)
    return Theme(
        font=family or plain.font,
        heading_font=str(heading_family) if heading_family else None,
        accent=accent,
        ink=ink,
        logo=logo,
    )
