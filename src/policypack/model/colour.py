"""Colour arithmetic for brand colours: contrast (WCAG 2.2) and a readable darker shade.

Pure functions, used by the profile check (to warn) and the chart style (to print).
"""

from __future__ import annotations

import colorsys
import re

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")  # the one form a brand colour may take: #rrggbb
TEXT_CONTRAST = 4.5  # WCAG 2.2 AA for body text


def rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def to_hex(channels: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in channels)


def contrast_ratio(colour: str, background: str = "#ffffff") -> float:
    """The WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""

    def luminance(value: str) -> float:
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb(value)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_colour(colour: str, background: str = "#ffffff") -> str:
    """`colour`, or the same hue darkened just enough for text on `background` (4.5:1)."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*rgb(colour))
    candidate = colour
    while contrast_ratio(candidate, background) < TEXT_CONTRAST and lightness > 0:
        lightness = max(0.0, lightness - 0.01)
        candidate = to_hex(colorsys.hls_to_rgb(hue, lightness, saturation))
    return candidate
